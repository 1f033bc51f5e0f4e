using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>"Not while printing": an offer that asks to wait for an idle printer starts only when the printer stops printing.</summary>
public sealed class PacingTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task An_offer_that_waits_for_an_idle_printer_downloads_nothing_while_it_prints_and_starts_when_it_stops()
    {
        var printer = new PrintingPrinter();
        await _rig.StartAgentAsync(printer);
        var release = _rig.MakeRelease("2.3.0", "offer-idle");
        release.Offer.WaitUntilIdle = true;

        await _rig.OfferAsync(release.Offer);
        // The agent took the offer (it is in its journal) and has reported printing several times since: it had every
        // chance to start, and did not.
        var journal = Path.Combine(_rig.Directory.Path, "updates", UpdateJournal.FileName);
        await Eventually.TrueAsync(() => File.Exists(journal) && File.ReadAllText(journal).Contains("offer-idle", StringComparison.Ordinal), "the offer is journaled");
        var seen = _rig.Cloud.Received.Count;
        await Eventually.TrueAsync(() => _rig.Cloud.Received.Skip(seen).Count(e => e.Status?.State == DeviceState.Processing) >= 5, "printing reported after the offer");
        Assert.Empty(_rig.Server.Requests);
        Assert.DoesNotContain(_rig.Reports("offer-idle"), r => r.Phase == UpdatePhase.Downloading);

        printer.Printing = false;
        await Eventually.TrueAsync(() => _rig.Server.Requests.Count > 0, "the payload is fetched once the printer is idle");
        await Eventually.TrueAsync(() => _rig.Reports("offer-idle").Any(r => r.Phase == UpdatePhase.Downloading), "the download is reported");
    }

    /// <summary>A printer busy with a long job until told otherwise; its toner moves, so every read is a new status.</summary>
    private sealed class PrintingPrinter : IDeviceCollector
    {
        private long _pages;

        public volatile bool Printing = true;

        public string Name => "printing";

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new DeviceStatus
        {
            Model = UpdateRig.Model,
            Serial = "SN-BUSY",
            FirmwareVersion = UpdateRig.FactoryVersion,
            State = Printing ? DeviceState.Processing : DeviceState.Idle,
            Supplies = [new SupplyLevel { Name = "black toner", Type = "toner", Color = "black", LevelPercent = 90 - (int)((Printing ? Interlocked.Increment(ref _pages) : _pages) % 80) }],
        });
    }
}
