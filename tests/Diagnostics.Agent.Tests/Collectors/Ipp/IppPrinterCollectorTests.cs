using System.Text.RegularExpressions;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>The collector against a real ippeveprinter: every state change goes through the printer itself.</summary>
public sealed class IppPrinterCollectorTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static IppPrinterCollector Collector(IppEvePrinter printer) => new(
        printer.Http,
        new IppCollectorOptions { PrinterUri = printer.Uri, RequestTimeout = TimeSpan.FromSeconds(3) },
        TimeProvider.System,
        NullLogger<IppPrinterCollector>.Instance);

    private static async Task<DeviceStatus> EventuallyReadAsync(IppPrinterCollector collector, Func<DeviceStatus, bool> condition, string what)
    {
        DeviceStatus? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await collector.ReadAsync(TestContext.Current.CancellationToken);
            return condition(last);
        }, what, Within);
        return last!;
    }

    private static bool Has(DeviceStatus status, string code) => status.Conditions.Exists(c => c.Code == code);

    [Fact]
    public async Task Reports_identity_supplies_media_and_toner_conditions_and_their_clears()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        using var collector = Collector(printer);

        var healthy = await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal((DeviceState.Idle, "Acme LaserPro 500", "Idle."), (healthy.State, healthy.Model, healthy.StateMessage));
        Assert.Matches("^[0-9a-f-]{36}$", healthy.Serial);
        Assert.Empty(healthy.Conditions);
        Assert.Contains(healthy.Supplies, s => (s.Name, s.Type, s.Color, s.LevelPercent, s.Low) == ("Black Toner", "toner", "black", 75, false));
        Assert.Contains(healthy.Supplies, s => (s.Name, s.Type) == ("Toner Waste Tank", "wasteToner"));
        // PWG 5100.13 gives a tray's level in sheets of maxcapacity; ippeveprinter reports 100 of 250.
        Assert.Contains(healthy.Supplies, s => (s.Name, s.Type, s.LevelPercent) == ("main", "media", 40));
        Assert.Contains(healthy.Counters, c => c.Name == IppStatusTranslator.UptimeCounter);
        Assert.Equal(IppUpdateMode.Polling, collector.UpdateMode);
        Assert.False(collector.PrinterSupportsNotifications);
        var wireBytes = WireCodec.Encode(new Diagnostics.Agent.Telemetry.UplinkEnvelopes("printer-0001", TimeProvider.System).Status(healthy)).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"Envelope with a healthy ippeveprinter status: {wireBytes} bytes on the wire.");

        await printer.SetMainTrayLevelAsync(0);
        var empty = await EventuallyReadAsync(collector, s => Has(s, "ipp:media-empty"), "media-empty after the main tray ran empty");
        var mediaEmpty = empty.Conditions.Single(c => c.Code == "ipp:media-empty");
        Assert.Equal((Conditions.OutOfPaper, Severity.Report, "Media Empty"), (mediaEmpty.Condition, mediaEmpty.Severity, mediaEmpty.Message));
        Assert.Contains(empty.Supplies, s => (s.Name, s.LevelPercent, s.Empty) == ("main", 0, true));

        await printer.SetMainTrayLevelAsync(10);
        var low = await EventuallyReadAsync(collector, s => Has(s, "ipp:media-low") && !Has(s, "ipp:media-empty"), "media-low, media-empty cleared");
        Assert.Equal(Conditions.PaperLow, low.Conditions.Single(c => c.Code == "ipp:media-low").Condition);

        await printer.SetSuppliesAsync(wasteToner: 95, blackToner: 5);
        var tonerLow = await EventuallyReadAsync(collector, s => Has(s, "ipp:toner-low"), "toner-low at 5 %");
        Assert.Equal(Conditions.TonerLow, tonerLow.Conditions.Single(c => c.Code == "ipp:toner-low").Condition);
        Assert.Equal(Conditions.WasteTonerAlmostFull, tonerLow.Conditions.Single(c => c.Code == "ipp:marker-waste-almost-full").Condition);
        Assert.Contains(tonerLow.Supplies, s => (s.Name, s.LevelPercent, s.Low, s.Empty) == ("Black Toner", 5, true, false));

        await printer.SetSuppliesAsync(wasteToner: 20, blackToner: 0);
        var tonerEmpty = await EventuallyReadAsync(collector, s => Has(s, "ipp:toner-empty") && !Has(s, "ipp:marker-waste-almost-full"), "toner-empty at 0 %");
        Assert.Equal(Conditions.TonerEmpty, tonerEmpty.Conditions.Single(c => c.Code == "ipp:toner-empty").Condition);
        Assert.Contains(tonerEmpty.Supplies, s => (s.Name, s.LevelPercent, s.Empty) == ("Black Toner", 0, true));

        await printer.SetSuppliesAsync(wasteToner: 20, blackToner: 80);
        await printer.SetMainTrayLevelAsync(100);
        await EventuallyReadAsync(collector, s => s.Conditions.Count == 0, "every condition cleared after refilling");
    }

    [Fact]
    public async Task Reports_jam_and_open_cover_from_a_printed_state_change_forwards_unknown_alerts_and_clears()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        using var collector = Collector(printer);

        await printer.PrintAsync("STATE: +media-jam,cover-open\nATTR: printer-alert=code=acmeFuserWobble;index=1;severity=warning printer-alert-description=\"Error 13.20.00 fuser wobble\"");
        var jammed = await EventuallyReadAsync(collector, s => Has(s, "ipp:media-jam") && Has(s, "ipp:cover-open") && Has(s, "prtAlert:acmeFuserWobble"),
            "media-jam, cover-open and the vendor alert");

        Assert.Equal(Conditions.PaperJam, jammed.Conditions.Single(c => c.Code == "ipp:media-jam").Condition);
        Assert.Equal(Conditions.DoorOpen, jammed.Conditions.Single(c => c.Code == "ipp:cover-open").Condition);
        var vendor = jammed.Conditions.Single(c => c.Code == "prtAlert:acmeFuserWobble");
        Assert.Equal(("", Severity.Warning, "Error 13.20.00 fuser wobble"), (vendor.Condition, vendor.Severity, vendor.Message));
        Assert.True(Has(jammed, "panel:13.20.00"), "panel code from the alert description");
        var wireBytes = WireCodec.Encode(new Diagnostics.Agent.Telemetry.UplinkEnvelopes("printer-0001", TimeProvider.System).Status(jammed)).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"Envelope with a jammed ippeveprinter status ({jammed.Conditions.Count} conditions): {wireBytes} bytes on the wire.");

        await printer.PrintAsync("STATE: -media-jam");
        await EventuallyReadAsync(collector, s => !Has(s, "ipp:media-jam") && Has(s, "ipp:cover-open"), "media-jam cleared, cover still open");

        await printer.PrintAsync("STATE: none");
        await EventuallyReadAsync(collector, s => !s.Conditions.Exists(c => c.Code.StartsWith("ipp:", StringComparison.Ordinal)), "all reasons cleared");
    }

    [Fact]
    public async Task An_alert_that_is_an_event_never_becomes_an_active_condition()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        using var collector = Collector(printer);
        var raw = printer.Client(TimeSpan.FromSeconds(3));

        // PWG 5100.9 printer-alert for RFC 3805's alertRemovalOfBinaryChangeEntry (1801): the table lost an old entry.
        await printer.PrintAsync("ATTR: printer-alert=code=alertRemovalOfBinaryChangeEntry;index=1;severity=warning;group=alert printer-alert-description=\"Old alerts removed\"");
        await Eventually.TrueAsync(async () => (await raw.GetPrinterAttributesAsync(["printer-alert"], TestContext.Current.CancellationToken))
            .Find("printer-alert")?.Strings.Any(v => v.Contains("alertRemovalOfBinaryChangeEntry", StringComparison.Ordinal)) == true,
            "ippeveprinter reports the alert", Within);

        var status = await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain(status.Conditions, c => c.Code.StartsWith("prtAlert:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Agrees_with_ipptool_on_state_and_reasons()
    {
        var ipptool = ExternalTools.Require("ipptool", "apt-get install cups-ipp-utils");
        await using var printer = await IppEvePrinter.StartAsync();
        using var collector = Collector(printer);
        await printer.SetMainTrayLevelAsync(10);
        await printer.SetSuppliesAsync(wasteToner: 20, blackToner: 5);
        await EventuallyReadAsync(collector, s => Has(s, "ipp:media-low") && Has(s, "ipp:toner-low"), "media-low and toner-low");

        var ours = await collector.ReadAsync(TestContext.Current.CancellationToken);
        var (exitCode, output, _) = await ExternalTools.RunAsync(ipptool, ["-tv", printer.Uri.ToString(), "get-printer-attributes.test"], [], TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        var state = Regex.Match(output, @"printer-state \(enum\) = (\w+)").Groups[1].Value;
        var reasons = Regex.Match(output, @"printer-state-reasons \((?:1setOf )?keyword\) = (\S+)").Groups[1].Value.Split(',');
        Assert.Equal(state, ours.State.ToString().ToLowerInvariant());
        Assert.Equal(
            reasons.Select(PrinterStateReasons.Parse).OfType<PrinterStateReason>().Select(r => r.Code).Order(),
            ours.Conditions.Where(c => c.Code.StartsWith("ipp:", StringComparison.Ordinal)).Select(c => c.Code).Order());
    }
}
