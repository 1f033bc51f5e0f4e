using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        await Assert.ThrowsAsync<TimeoutException>(async () => await collector.ReadAsync(ct));
        var firstFailure = clock.Elapsed;
        clock.Restart();
        var backingOff = await Assert.ThrowsAsync<SnmpException>(async () => await collector.ReadAsync(ct));
        var secondFailure = clock.Elapsed;

        Assert.InRange(firstFailure, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        Assert.True(secondFailure < TimeSpan.FromMilliseconds(100), $"backing off took {secondFailure}");
        Assert.Contains("not asking again", backingOff.Message, StringComparison.Ordinal);
        Assert.Null(collector.LastStatus);
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
    private static List<(string Oid, string Type, string Value)> Printer(string errorState, long pages, bool alert)
    {
        var mib = new List<(string, string, string)>
        {
            ("1.3.6.1.2.1.25.3.2.1.5.1", "integer", "2"),
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
            ("1.3.6.1.2.1.43.11.1.1.4.1.1", "integer", "3"),
            ("1.3.6.1.2.1.43.11.1.1.4.1.2", "integer", "4"),
            ("1.3.6.1.2.1.43.11.1.1.5.1.1", "integer", "4"),
            ("1.3.6.1.2.1.43.11.1.1.5.1.2", "integer", "3"),
            ("1.3.6.1.2.1.43.11.1.1.6.1.1", "string", "Waste Toner Box"),
            ("1.3.6.1.2.1.43.11.1.1.6.1.2", "string", "Black Toner"),
            ("1.3.6.1.2.1.43.11.1.1.8.1.1", "integer", "-2"),
            ("1.3.6.1.2.1.43.11.1.1.8.1.2", "integer", "2000"),
            ("1.3.6.1.2.1.43.11.1.1.9.1.1", "integer", "-3"),
            ("1.3.6.1.2.1.43.11.1.1.9.1.2", "integer", "160"),
        };
        if (alert)
        {
            mib.Add(("1.3.6.1.2.1.43.18.1.1.2.1.5", "integer", "3"));
            mib.Add(("1.3.6.1.2.1.43.18.1.1.7.1.5", "integer", "8"));
            mib.Add(("1.3.6.1.2.1.43.18.1.1.8.1.5", "string", "Paper jam in tray 2"));
        }
        return mib;
    }
}
