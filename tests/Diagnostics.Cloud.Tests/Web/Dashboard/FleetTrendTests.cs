using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Web.Dashboard;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

public sealed class FleetTrendTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static FleetSample Sample(DateTimeOffset at, params (string Condition, long Devices)[] conditions) =>
        new(at, 10, 0, 0, 0, 0, 10, conditions.ToDictionary(c => c.Condition, c => c.Devices));

    [Theory]
    [InlineData("1h")]
    [InlineData("6h")]
    [InlineData("24h")]
    [InlineData("7d")]
    public void The_axis_spans_the_whole_range_even_when_samples_cover_ten_minutes(string name)
    {
        var range = ChartRange.Parse(name);
        var samples = Enumerable.Range(0, 10).Select(i => Sample(Now - Minute * (10 - i), ("PAPER_JAM", 2))).ToList();

        var chart = FleetTrend.ConditionsOverTime(samples, new Dictionary<string, long> { ["PAPER_JAM"] = 2 }, Now, range, Minute, 6, c => c);

        Assert.Equal(Now - range.Span, chart.From);
        Assert.Equal(Now, chart.To);
        Assert.InRange(chart.Times.Count, 2, FleetTrend.MaxPoints + 1);
        Assert.Equal(Now, chart.Times[^1]);
        Assert.True(chart.Times.Zip(chart.Times.Skip(1)).All(pair => pair.First < pair.Second), "times increase");
    }

    [Fact]
    public void Before_the_first_sample_there_is_no_data_not_a_zero()
    {
        var samples = new[] { Sample(Now - Minute * 5, ("TONER_LOW", 3)), Sample(Now - Minute * 3, ("TONER_LOW", 3)) };

        var chart = FleetTrend.ConditionsOverTime(samples, new Dictionary<string, long> { ["TONER_LOW"] = 3 }, Now, ChartRange.Parse("6h"), Minute, 6, c => c);

        var line = Assert.Single(chart.Lines).Values;
        // Hours without samples are gaps; the lines never ramp up from zero where nothing was measured.
        Assert.All(line.Take(line.Count - 4), value => Assert.Null(value));
        Assert.DoesNotContain(0d, line.Where(v => v is not null).Cast<double>());
        Assert.Equal(3, line[^1]);
    }

    [Fact]
    public void A_stretch_without_samples_is_a_gap_between_measured_stretches()
    {
        // Sampled for an hour, then the cloud was down for two hours, then sampled again.
        var samples = Enumerable.Range(0, 60).Select(i => Sample(Now - TimeSpan.FromHours(4) + Minute * i, ("PAPER_JAM", 1)))
            .Concat(Enumerable.Range(0, 60).Select(i => Sample(Now - TimeSpan.FromHours(1) + Minute * i, ("PAPER_JAM", 1))))
            .ToList();

        var chart = FleetTrend.ConditionsOverTime(samples, new Dictionary<string, long> { ["PAPER_JAM"] = 1 }, Now, ChartRange.Parse("6h"), Minute, 6, c => c);

        var values = Assert.Single(chart.Lines).Values;
        var times = chart.Times;
        double? At(DateTimeOffset t) => values[times.Select((x, i) => (x, i)).MinBy(p => Math.Abs((p.x - t).Ticks)).i];
        Assert.Equal(1, At(Now - TimeSpan.FromHours(3.5)));
        Assert.Null(At(Now - TimeSpan.FromHours(2)));
        Assert.Equal(1, At(Now - TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void A_peak_between_two_points_is_kept_and_a_true_zero_stays_zero()
    {
        // A week at one sample a minute: each point covers about half an hour, and one minute of 9 jams must show.
        var samples = Enumerable.Range(0, 7 * 24 * 60).Select(i => Sample(Now - TimeSpan.FromDays(7) + Minute * i,
            i == 5000 ? [("PAPER_JAM", 9L)] : i < 100 ? [] : [("PAPER_JAM", 1L)])).ToList();

        var chart = FleetTrend.ConditionsOverTime(samples, new Dictionary<string, long>(), Now, ChartRange.Parse("7d"), Minute, 6, c => c);

        var values = Assert.Single(chart.Lines).Values;
        Assert.Equal(9, values.Max());
        Assert.Equal(0, values[0]);
        Assert.Equal(0, values[^1]);
    }

    [Fact]
    public void The_lines_are_the_conditions_with_the_highest_peaks()
    {
        var samples = new[] { Sample(Now - Minute * 2, ("A", 1), ("B", 5), ("C", 3)) };

        var chart = FleetTrend.ConditionsOverTime(samples, new Dictionary<string, long> { ["D"] = 4 }, Now, ChartRange.Parse("1h"), Minute, 2, c => "name " + c);

        Assert.Equal(["name B", "name D"], chart.Lines.Select(l => l.Name));
    }
}
