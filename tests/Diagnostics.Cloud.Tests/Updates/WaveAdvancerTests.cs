using Diagnostics.Cloud.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

public sealed class WaveAdvancerTests
{
    private static readonly DateTimeOffset Opened = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan OfferLifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan HealthObservation = TimeSpan.FromHours(1);

    private static Rollout Running(int currentWave = 0, double failureThresholdPercent = 5) =>
        new("ro-1", new RolloutSpec { PackageId = "lp400-fw-2.3.0", WaveWindowSeconds = (int)Window.TotalSeconds, FailureThresholdPercent = failureThresholdPercent },
            "2.3.0", RolloutState.Running, "", currentWave, Opened, Opened, "release@example.com", Opened);

    private static RolloutDevice Device(string id, int wave, DeviceUpdateState state, DateTimeOffset? finishedAt = null,
        DateTimeOffset? deferredUntil = null, DateTimeOffset? notBefore = null) =>
        new("ro-1", id, wave, state, 1, null, null, "2.2.0", "2.2.0", 0, "", "", null, null, null, Opened, deferredUntil, notBefore, null, finishedAt, Opened);

    private static List<RolloutDevice> Devices(int wave, DeviceUpdateState state, int count, DateTimeOffset? finishedAt = null) =>
        [.. Enumerable.Range(0, count).Select(i => Device($"w{wave}-{state}-{i}", wave, state, finishedAt))];

    [Fact]
    public void Pending_devices_of_the_current_wave_are_opened_and_those_of_later_waves_wait()
    {
        Assert.Equal(DeviceStep.Open, WaveAdvancer.StepFor(Device("a", 0, DeviceUpdateState.Pending), 0, Opened, OfferLifetime, republish: false));
        Assert.Equal(DeviceStep.None, WaveAdvancer.StepFor(Device("b", 1, DeviceUpdateState.Pending), 0, Opened, OfferLifetime, republish: false));
        Assert.Equal(DeviceStep.Open, WaveAdvancer.StepFor(Device("c", 0, DeviceUpdateState.Pending), 1, Opened, OfferLifetime, republish: false));
    }

    [Fact]
    public void A_device_put_off_with_remind_me_later_is_opened_again_when_that_time_comes()
    {
        var deferred = Device("a", 0, DeviceUpdateState.Deferred, deferredUntil: Opened.AddHours(4));

        Assert.Equal(DeviceStep.None, WaveAdvancer.StepFor(deferred, 0, Opened.AddHours(4).AddSeconds(-1), OfferLifetime, republish: false));
        Assert.Equal(DeviceStep.Open, WaveAdvancer.StepFor(deferred, 0, Opened.AddHours(4), OfferLifetime, republish: false));
    }

    [Fact]
    public void An_offer_not_taken_up_within_its_lifetime_is_offered_again_and_a_start_republishes_the_others()
    {
        var approved = Device("a", 0, DeviceUpdateState.Approved, notBefore: Opened.AddMinutes(10));

        Assert.Equal(DeviceStep.None, WaveAdvancer.StepFor(approved, 0, Opened.AddMinutes(10) + OfferLifetime - TimeSpan.FromSeconds(1), OfferLifetime, republish: false));
        Assert.Equal(DeviceStep.Reoffer, WaveAdvancer.StepFor(approved, 0, Opened.AddMinutes(10) + OfferLifetime, OfferLifetime, republish: false));
        Assert.Equal(DeviceStep.Reoffer, WaveAdvancer.StepFor(approved, 0, Opened.AddMinutes(10) + OfferLifetime, OfferLifetime, republish: true));
        Assert.Equal(DeviceStep.Republish, WaveAdvancer.StepFor(approved, 0, Opened.AddHours(1), OfferLifetime, republish: true));
    }

    [Theory]
    [InlineData(DeviceUpdateState.Offered)]
    [InlineData(DeviceUpdateState.Downloading)]
    [InlineData(DeviceUpdateState.HealthCheck)]
    [InlineData(DeviceUpdateState.Succeeded)]
    [InlineData(DeviceUpdateState.Declined)]
    public void A_device_waiting_for_its_customer_on_its_way_or_finished_needs_nothing(DeviceUpdateState state) =>
        Assert.Equal(DeviceStep.None, WaveAdvancer.StepFor(Device("a", 0, state), 0, Opened.AddDays(30), OfferLifetime, republish: true));

    [Fact]
    public void A_wave_halts_once_its_failed_and_rolled_back_share_of_finished_installs_passes_the_threshold()
    {
        // 5 % threshold over 20 finished installs: one failure is 5 % (not above it), two are 10 %.
        List<RolloutDevice> atThreshold = [.. Devices(0, DeviceUpdateState.Succeeded, 19), .. Devices(0, DeviceUpdateState.Failed, 1), .. Devices(0, DeviceUpdateState.Downloading, 30)];
        List<RolloutDevice> above = [.. Devices(0, DeviceUpdateState.Succeeded, 18), .. Devices(0, DeviceUpdateState.Failed, 1), .. Devices(0, DeviceUpdateState.RolledBack, 1)];

        Assert.Null(WaveAdvancer.DescribeFailureRate(Running(), atThreshold));
        Assert.Equal("wave 1: 2 of 20 installs failed or rolled back (10 %), above the 5 % threshold", WaveAdvancer.DescribeFailureRate(Running(), above));
    }

    [Fact]
    public void Failures_of_an_earlier_wave_do_not_halt_the_current_one()
    {
        List<RolloutDevice> devices = [.. Devices(0, DeviceUpdateState.Failed, 1), .. Devices(1, DeviceUpdateState.Succeeded, 10)];

        Assert.Null(WaveAdvancer.DescribeFailureRate(Running(currentWave: 1), devices));
    }

    [Fact]
    public void The_next_wave_opens_after_the_window_once_the_last_success_was_watched_for_the_health_observation()
    {
        var lastSuccess = Opened.AddMinutes(40);
        List<RolloutDevice> devices = [.. Devices(0, DeviceUpdateState.Succeeded, 3, finishedAt: lastSuccess), .. Devices(1, DeviceUpdateState.Pending, 30)];

        Assert.Equal(RolloutMove.Stay, WaveAdvancer.Move(Running(), devices, lastSuccess + HealthObservation - TimeSpan.FromSeconds(1), HealthObservation));
        Assert.Equal(RolloutMove.OpenNextWave, WaveAdvancer.Move(Running(), devices, lastSuccess + HealthObservation, HealthObservation));
    }

    [Fact]
    public void A_wave_is_not_done_before_its_window_passed_or_while_a_device_is_on_its_way()
    {
        List<RolloutDevice> finished = [.. Devices(0, DeviceUpdateState.Succeeded, 3, finishedAt: Opened), .. Devices(1, DeviceUpdateState.Pending, 30)];
        List<RolloutDevice> installing = [.. finished, Device("busy", 0, DeviceUpdateState.Installing)];

        Assert.Equal(RolloutMove.Stay, WaveAdvancer.Move(Running(), finished, Opened + Window - TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Equal(RolloutMove.OpenNextWave, WaveAdvancer.Move(Running(), finished, Opened + Window, TimeSpan.Zero));
        Assert.Equal(RolloutMove.Stay, WaveAdvancer.Move(Running(), installing, Opened + Window, TimeSpan.Zero));
    }

    [Fact]
    public void Devices_waiting_for_their_customer_do_not_hold_the_rollout_back_once_one_installed()
    {
        List<RolloutDevice> waiting = [.. Devices(0, DeviceUpdateState.Offered, 5), .. Devices(1, DeviceUpdateState.Pending, 30)];
        List<RolloutDevice> oneInstalled = [.. waiting, Device("done", 0, DeviceUpdateState.Succeeded, finishedAt: Opened)];

        Assert.Equal(RolloutMove.Stay, WaveAdvancer.Move(Running(), waiting, Opened.AddDays(1), HealthObservation));
        Assert.Equal(RolloutMove.OpenNextWave, WaveAdvancer.Move(Running(), oneInstalled, Opened.AddDays(1), HealthObservation));
    }

    [Fact]
    public void A_wave_whose_customers_all_said_no_lets_the_next_wave_open()
    {
        List<RolloutDevice> devices = [.. Devices(0, DeviceUpdateState.Declined, 2), .. Devices(1, DeviceUpdateState.Pending, 30)];

        Assert.Equal(RolloutMove.OpenNextWave, WaveAdvancer.Move(Running(), devices, Opened + Window, HealthObservation));
    }

    [Fact]
    public void The_last_wave_completes_the_rollout_only_when_every_device_finished()
    {
        List<RolloutDevice> finished = [.. Devices(0, DeviceUpdateState.Succeeded, 1, finishedAt: Opened), .. Devices(1, DeviceUpdateState.Succeeded, 3, finishedAt: Opened)];
        List<RolloutDevice> oneStillOffered = [.. finished, Device("later", 1, DeviceUpdateState.Offered)];

        Assert.Equal(RolloutMove.Complete, WaveAdvancer.Move(Running(currentWave: 1), finished, Opened.AddDays(1), HealthObservation));
        Assert.Equal(RolloutMove.Stay, WaveAdvancer.Move(Running(currentWave: 1), oneStillOffered, Opened.AddDays(1), HealthObservation));
    }
}
