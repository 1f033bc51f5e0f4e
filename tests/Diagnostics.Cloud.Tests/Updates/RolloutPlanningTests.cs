using Diagnostics.Cloud.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

public sealed class RolloutPlanningTests
{
    private static readonly IReadOnlyList<string> Fleet = [.. Enumerable.Range(0, 1000).Select(i => $"printer-{i:0000}")];

    [Fact]
    public void Waves_take_their_cumulative_share_of_the_fleet_and_every_device_exactly_once()
    {
        var plan = RolloutPlanning.AssignWaves("ro-1", Fleet, [1, 10, 50, 100]);

        Assert.Equal([10, 90, 400, 500], plan.GroupBy(p => p.Wave).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(Fleet.Order(StringComparer.Ordinal), plan.Select(p => p.DeviceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_first_wave_is_a_mix_that_the_same_rollout_always_plans_the_same_way()
    {
        var first = RolloutPlanning.AssignWaves("ro-1", Fleet, [1, 100]).Where(p => p.Wave == 0).Select(p => p.DeviceId).ToList();

        Assert.Equal(first, RolloutPlanning.AssignWaves("ro-1", Fleet, [1, 100]).Where(p => p.Wave == 0).Select(p => p.DeviceId));
        Assert.NotEqual(first, RolloutPlanning.AssignWaves("ro-2", Fleet, [1, 100]).Where(p => p.Wave == 0).Select(p => p.DeviceId));
        Assert.NotEqual(Fleet.Take(10), first);
    }

    [Fact]
    public void A_small_fleet_still_starts_with_a_single_device()
    {
        var plan = RolloutPlanning.AssignWaves("ro-1", ["a", "b", "c"], [1, 10, 50, 100]);
        Assert.Equal([0, 1, 2], plan.Select(p => p.Wave));
    }

    [Theory]
    [InlineData(new double[] { 10, 50 }, "must reach 100")]
    [InlineData(new double[] { 50, 10, 100 }, "rise to 100")]
    [InlineData(new double[] { }, "1 to 20 waves")]
    public void Wave_lists_that_do_not_rise_to_100_are_refused(double[] waves, string problem) =>
        Assert.Contains(problem, RolloutPlanning.DescribeWaveProblem(waves), StringComparison.Ordinal);

    [Fact]
    public void Devices_of_a_wave_start_spread_over_its_window()
    {
        var start = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var times = Fleet.Take(200).Select(id => RolloutPlanning.StartTime(id, start, TimeSpan.FromMinutes(30), start, MaintenanceWindow.Default)).ToList();

        Assert.All(times, t => Assert.InRange(t, start, start.AddMinutes(30)));
        Assert.True(times.Count(t => t < start.AddMinutes(15)) is > 70 and < 130, "about half in each half of the window");
    }

    [Fact]
    public void A_start_outside_office_hours_only_waits_for_the_evening_in_the_customers_time_zone()
    {
        // Not during office hours in Berlin: from 18:00 to 07:00 local time (UTC+1 in November).
        var evenings = new MaintenanceWindow(18 * 60, 7 * 60, "Europe/Berlin", NotWhilePrinting: true);
        var midday = new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.Zero);
        var night = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero), RolloutPlanning.NextOpening(midday, evenings));
        Assert.Equal(night, RolloutPlanning.NextOpening(night, evenings));
        Assert.Equal(midday, RolloutPlanning.NextOpening(midday, MaintenanceWindow.Default));
    }

    [Fact]
    public void More_errors_than_before_and_than_the_devices_not_updated_is_a_regression_and_a_bad_day_for_everyone_is_not()
    {
        var worse = RolloutPlanning.DescribeRegression(0, new ErrorRates(6, 3), new ErrorRates(1, 3), new ErrorRates(2, 30), minimumErrors: 3, factor: 2);
        Assert.Contains("raised 6 errors (2 per device-hour)", worse, StringComparison.Ordinal);

        Assert.Null(RolloutPlanning.DescribeRegression(0, new ErrorRates(6, 3), new ErrorRates(1, 3), new ErrorRates(40, 30), 3, 2));
        Assert.Null(RolloutPlanning.DescribeRegression(0, new ErrorRates(6, 3), new ErrorRates(5, 3), new ErrorRates(2, 30), 3, 2));
        Assert.Null(RolloutPlanning.DescribeRegression(0, new ErrorRates(2, 3), new ErrorRates(0, 3), new ErrorRates(0, 30), 3, 2));
    }
}
