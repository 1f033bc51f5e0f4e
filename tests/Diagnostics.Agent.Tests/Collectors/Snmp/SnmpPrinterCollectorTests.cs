using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Snmp;

public sealed class SnmpPrinterCollectorTests
{
    private const string Pages = "1.3.6.1.2.1.43.10.2.1.4.1.1";

    [Fact]
    public async Task Reads_a_real_snmpd_printer_and_sees_its_state_change()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var snmpd = await SnmpdFixture.StartAsync(Printer(errorState: "24 00", pages: 48213, alert: true), ct);
        using var collector = SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance);

        var status = await collector.ReadAsync(ct);

        Assert.Equal(SnmpdFixture.Model, status.Model);
        Assert.Equal("ACM123456", status.Serial);
        Assert.Equal(48213, Assert.Single(status.Counters, c => c.Name == "pages-printed").Value);
        var jam = Assert.Single(status.Conditions, c => c.Code == "hrPrinter:jammed");
        Assert.Equal((Conditions.PaperJam, Severity.Error), (jam.Condition, jam.Severity));
        var toner = Assert.Single(status.Conditions, c => c.Code == "hrPrinter:lowToner");
        Assert.Equal((Conditions.TonerLow, Severity.Warning), (toner.Condition, toner.Severity));
        var alert = Assert.Single(status.Conditions, c => c.Code == "prtAlert:8");
        Assert.Equal((Conditions.PaperJam, Severity.Error, "Paper jam in tray 2"), (alert.Condition, alert.Severity, alert.Message));
        Assert.Equal(DeviceState.Stopped, status.State);
        var black = Assert.Single(status.Supplies, s => s.Name == "Black Toner");
        Assert.Equal(("toner", 8, true, false), (black.Type, black.LevelPercent, black.Low, black.Empty));
        var waste = Assert.Single(status.Supplies, s => s.Name == "Waste Toner Box");
        Assert.Equal(("wasteToner", -3, false), (waste.Type, waste.LevelPercent, waste.Low));
        var tray = Assert.Single(status.Supplies, s => s.Name == "Tray 2");
        Assert.Equal(("media", 40, false), (tray.Type, tray.LevelPercent, tray.Empty));
        Assert.Equal(0, Assert.Single(status.Supplies, s => s.Name == "Tray 1").LevelPercent);
        Assert.Same(status, collector.LastStatus);

        await snmpd.SetMibAsync(Printer(errorState: "00 00", pages: 48220, alert: false), ct);
        var recovered = await collector.ReadAsync(ct);

        Assert.Empty(recovered.Conditions);
        Assert.Equal(DeviceState.Idle, recovered.State);
        Assert.Equal(48220, Assert.Single(await collector.ReadCountersAsync(ct)).Value);
    }

    [Fact]
    public async Task Page_count_matches_what_net_snmp_snmpget_reads()
    {
        var ct = TestContext.Current.CancellationToken;
        var snmpget = ExternalTools.Require("snmpget", "apt-get install snmp");
        await using var snmpd = await SnmpdFixture.StartAsync(Printer(errorState: "00", pages: 777_001, alert: false), ct);
        using var collector = SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance);

        var ours = Assert.Single(await collector.ReadCountersAsync(ct)).Value;
        var (exitCode, output, error) = await ExternalTools.RunAsync(
            snmpget, ["-v2c", "-c", "public", "-On", "-Oqv", $"127.0.0.1:{snmpd.Port}", Pages], [], ct);

        Assert.True(exitCode == 0, error);
        Assert.Equal(output.Trim(), ours.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Dead_agent_fails_within_timeout_times_attempts_then_backs_off()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new SnmpCollectorOptions
        {
            Host = "127.0.0.1",
            Port = DeadUdpPort(),
            Timeout = TimeSpan.FromMilliseconds(150),
            Retries = 2,
            FailuresBeforeBackoff = 1,
        };
        using var collector = SnmpPrinterCollector.Create(options, TimeProvider.System, NullLoggerFactory.Instance);

        var clock = Stopwatch.StartNew();
        var silent = await Assert.ThrowsAsync<SnmpTimeoutException>(async () => await collector.ReadAsync(ct));
        var firstFailure = clock.Elapsed;
        clock.Restart();
        var backingOff = await Assert.ThrowsAsync<SnmpException>(async () => await collector.ReadAsync(ct));
        var secondFailure = clock.Elapsed;

        Assert.InRange(firstFailure, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        Assert.True(secondFailure < TimeSpan.FromMilliseconds(100), $"backing off took {secondFailure}");
        Assert.Contains("not asking again", backingOff.Message, StringComparison.Ordinal);
        Assert.Null(collector.LastStatus);
        // While backing off, the cause stays the one that started it, in words a person acts on.
        Assert.Equal(UnreachableCauses.SnmpSilent, silent.Cause.Class);
        Assert.Equal(silent.Cause, backingOff.Cause);
        Assert.Contains("did not answer within 0.15 s (3 attempts)", silent.Cause.Words, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Toner_and_waste_box_levels_are_read_by_the_supply_class_RFC_3805_gives_them()
    {
        var ct = TestContext.Current.CancellationToken;
        List<(string, string, string)> Mib(long tonerLevel, long wasteRoomLeft) =>
        [
            .. Base("00", 1, deviceStatus: 2),
            .. Supply(1, colorant: 1, supplyClass: 3, type: 21, "Black Toner Cartridge", unit: 7, max: 10_000, level: tonerLevel),
            .. Supply(2, colorant: 0, supplyClass: 4, type: 4, "Waste Toner Box", unit: 7, max: 10_000, level: wasteRoomLeft),
            .. Supply(3, colorant: 1, supplyClass: 3, type: 9, "Drum", unit: 7, max: -2, level: 160),
            ("1.3.6.1.2.1.43.12.1.1.4.1.1", "string", "black"),
        ];
        await using var snmpd = await SnmpdFixture.StartAsync(Mib(tonerLevel: 0, wasteRoomLeft: 10_000), ct);
        using var collector = SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance);
        SupplyLevel Named(DeviceStatus status, string name) => Assert.Single(status.Supplies, s => s.Name == name);

        var emptyToner = await collector.ReadAsync(ct);
        Assert.Equal(("tonerCartridge", "black", 0, true, true), Tuple(Named(emptyToner, "Black Toner Cartridge")));
        // A waste box with all its room left is empty, which is good: nothing to flag.
        Assert.Equal(("wasteToner", "", 0, false, false), Tuple(Named(emptyToner, "Waste Toner Box")));
        // prtMarkerSuppliesMaxCapacity -2: the level (160 impressions) is kept, and said to have no known capacity.
        var drum = Named(emptyToner, "Drum");
        Assert.Equal((-3, 160, -2, "impressions", true, false), (drum.LevelPercent, drum.Level, drum.MaxCapacity, drum.Unit, drum.CapacityUnknown, drum.Low));

        foreach (var (level, percent) in new[] { (400L, 4), (900L, 9) })
        {
            await snmpd.SetMibAsync(Mib(tonerLevel: level, wasteRoomLeft: 10_000), ct);
            var low = Named(await collector.ReadAsync(ct), "Black Toner Cartridge");
            Assert.Equal((percent, true, false), (low.LevelPercent, low.Low, low.Empty));
        }

        await snmpd.SetMibAsync(Mib(tonerLevel: 7_500, wasteRoomLeft: 0), ct);
        var fullWaste = await collector.ReadAsync(ct);
        Assert.Equal(("tonerCartridge", "black", 75, false, false), Tuple(Named(fullWaste, "Black Toner Cartridge")));
        // No room left in the receptacle: 100 % full, which the protocol flags as Low (almost full) and Empty (full).
        Assert.Equal(("wasteToner", "", 100, true, true), Tuple(Named(fullWaste, "Waste Toner Box")));

        static (string, string, int, bool, bool) Tuple(SupplyLevel s) => (s.Type, s.Color, s.LevelPercent, s.Low, s.Empty);
    }

    [Fact]
    public async Task Service_requested_beside_a_warning_device_status_is_a_warning_and_the_printer_stays_idle()
    {
        var ct = TestContext.Current.CancellationToken;
        // Bit 7 serviceRequested; RFC 2790 pairs it with hrDeviceStatus warning(3), hrPrinterStatus idle(3).
        await using var snmpd = await SnmpdFixture.StartAsync(Printer(errorState: "01", pages: 1, alert: false, deviceStatus: 3), ct);
        using var collector = SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance);

        var status = await collector.ReadAsync(ct);

        var service = Assert.Single(status.Conditions);
        Assert.Equal(("hrPrinter:serviceRequested", Conditions.ServiceRequested, Severity.Warning), (service.Code, service.Condition, service.Severity));
        Assert.Equal(DeviceState.Idle, status.State);
    }

    [Fact]
    public async Task Alert_rows_that_are_events_never_become_active_conditions()
    {
        var ct = TestContext.Current.CancellationToken;
        // RFC 3805 unary change events: group generalPrinter(5) powerUp(503), group alert(18)
        // alertRemovalOfBinaryChangeEntry(1801), as a printer leaves them in its table; beside a real jam.
        await using var snmpd = await SnmpdFixture.StartAsync(
        [
            .. Printer(errorState: "00", pages: 1, alert: true),
            .. Alert(6, severity: 4, group: 5, code: 503, "Power up"),
            .. Alert(7, severity: 4, group: 5, code: 1801, "Binary change event removed"),
        ], ct);
        using var collector = SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance);

        var status = await collector.ReadAsync(ct);

        Assert.Equal(["prtAlert:8"], status.Conditions.Select(c => c.Code));
    }

    [Fact]
    public async Task An_agent_that_comes_back_is_read_again_within_seconds_not_at_the_end_of_its_backoff()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var snmpd = await SnmpdFixture.StartAsync(Printer(errorState: "00", pages: 1, alert: false), ct);
        // snmpd runs a shell script per request: a busy machine needs the second attempt, so the defaults stay.
        var options = snmpd.Options(TimeSpan.FromSeconds(1));
        options.FailuresBeforeBackoff = 1;
        options.RecoveryProbeInterval = TimeSpan.FromMilliseconds(300);
        await using var collector = SnmpPrinterCollector.Create(options, TimeProvider.System, NullLoggerFactory.Instance);
        await collector.ReadAsync(ct);

        await snmpd.StopAsync();
        await Assert.ThrowsAsync<SnmpTimeoutException>(async () => await collector.ReadAsync(ct));
        // Backing off: 15 s before the next real read.
        await Assert.ThrowsAsync<SnmpException>(async () => await collector.ReadAsync(ct));
        var change = collector.WaitForChangeAsync(ct);
        await snmpd.RestartAsync(ct);

        await change.WaitAsync(TimeSpan.FromSeconds(5), ct);
        var back = await collector.ReadAsync(ct);
        Assert.Equal(SnmpdFixture.Model, back.Model);
        Assert.True(collector.RecoveryProbes >= 1);
    }

    [Fact]
    public void Options_without_a_host_or_with_bad_limits_are_invalid()
    {
        Assert.Empty(new SnmpCollectorOptions { Host = "printer.local" }.Validate());
        var errors = new SnmpCollectorOptions { Port = 0, Community = "", Timeout = TimeSpan.Zero, Retries = -1, MaxResponseBytes = 100 }.Validate().ToList();

        Assert.Equal(6, errors.Count);
    }

    private static int DeadUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A mono laser: one marker, black toner and a waste box, two trays, and optionally a jam alert.</summary>
    private static List<(string Oid, string Type, string Value)> Printer(string errorState, long pages, bool alert, int deviceStatus = 2) =>
    [
        .. Base(errorState, pages, deviceStatus),
        // RFC 3805 prtMarkerSuppliesEntry: .3 colorant index, .4 class (supplyThatIsConsumed(3), receptacleThatIsFilled(4)),
        // .5 type (toner(3), wasteToner(4)), .6 description, .7 unit (impressions(7)), .8 max capacity, .9 level.
        .. Supply(1, colorant: 0, supplyClass: 4, type: 4, "Waste Toner Box", unit: 7, max: -2, level: -3),
        .. Supply(2, colorant: 1, supplyClass: 3, type: 3, "Black Toner", unit: 7, max: 2000, level: 160),
        ("1.3.6.1.2.1.43.12.1.1.4.1.1", "string", "black"),
        .. (alert ? Alert(5, severity: 3, group: 13, code: 8, "Paper jam in tray 2") : []),
    ];

    private static List<(string, string, string)> Base(string errorState, long pages, int deviceStatus) =>
    [
        ("1.3.6.1.2.1.25.3.2.1.5.1", "integer", deviceStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("1.3.6.1.2.1.25.3.5.1.1.1", "integer", "3"),
        ("1.3.6.1.2.1.25.3.5.1.2.1", "octet", errorState),
        ("1.3.6.1.2.1.43.5.1.1.17.1", "string", "ACM123456"),
        ("1.3.6.1.2.1.43.8.2.1.9.1.1", "integer", "250"),
        ("1.3.6.1.2.1.43.8.2.1.9.1.2", "integer", "500"),
        ("1.3.6.1.2.1.43.8.2.1.10.1.1", "integer", "0"),
        ("1.3.6.1.2.1.43.8.2.1.10.1.2", "integer", "200"),
        ("1.3.6.1.2.1.43.8.2.1.13.1.1", "string", "Tray 1"),
        ("1.3.6.1.2.1.43.8.2.1.13.1.2", "string", "Tray 2"),
        (Pages, "counter", pages.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    private static List<(string, string, string)> Supply(int row, int colorant, int supplyClass, int type, string description, int unit, long max, long level)
    {
        string Cell(int column) => $"1.3.6.1.2.1.43.11.1.1.{column}.1.{row}";
        string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            (Cell(3), "integer", Number(colorant)), (Cell(4), "integer", Number(supplyClass)), (Cell(5), "integer", Number(type)),
            (Cell(6), "string", description), (Cell(7), "integer", Number(unit)), (Cell(8), "integer", Number(max)), (Cell(9), "integer", Number(level)),
        ];
    }

    // RFC 3805 prtAlertEntry: .2 severity level, .4 group, .7 code, .8 description (the collector reads 2, 7 and 8).
    private static List<(string, string, string)> Alert(int row, int severity, int group, int code, string description)
    {
        string Cell(int column) => $"1.3.6.1.2.1.43.18.1.1.{column}.1.{row}";
        return
        [
            (Cell(2), "integer", severity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (Cell(4), "integer", group.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (Cell(7), "integer", code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (Cell(8), "string", description),
        ];
    }
}
