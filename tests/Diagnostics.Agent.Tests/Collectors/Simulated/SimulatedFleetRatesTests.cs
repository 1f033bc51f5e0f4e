using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Simulated;

public sealed class SimulatedFleetRatesTests
{
    [Fact]
    public async Task A_fleet_of_50_shows_errors_raised_and_cleared_within_two_minutes_at_real_speed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var printers = Enumerable.Range(0, 50).Select(i => (Printer: new SimulatedPrinter(new SimulatorOptions(), "SN" + i, time, new Random(i)), Tracker: new ConditionTracker())).ToList();
        var events = new List<DeviceEvent>();
        foreach (var (printer, tracker) in printers)
            tracker.Observe(await printer.ReadAsync(TestContext.Current.CancellationToken));

        for (var second = 0; second < 120; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            foreach (var (printer, tracker) in printers)
                events.AddRange(tracker.Observe(await printer.ReadAsync(TestContext.Current.CancellationToken)).Events);
        }

        Assert.True(events.Count(e => e.Kind == EventKind.Raised && e.Severity == Severity.Error) >= 2, "errors are raised");
        Assert.True(events.Count(e => e.Kind == EventKind.Cleared) >= 2, "conditions clear");
    }
}
