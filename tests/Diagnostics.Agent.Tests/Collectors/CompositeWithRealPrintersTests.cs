using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Agent.Tests.Collectors.Snmp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors;

/// <summary>IPP leading, SNMP beside it (<c>Collectors=ipp,snmp</c>), against ippeveprinter, cupsd and snmpd.</summary>
public sealed class CompositeWithRealPrintersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The same mono laser over SNMP (RFC 3805): its toner cartridge and waste box, two trays, an idle printer.
    private static List<(string Oid, string Type, string Value)> SnmpLaser() =>
    [
        ("1.3.6.1.2.1.25.3.2.1.5.1", "integer", "2"),
        ("1.3.6.1.2.1.25.3.5.1.1.1", "integer", "3"),
        ("1.3.6.1.2.1.25.3.5.1.2.1", "octet", "00"),
        ("1.3.6.1.2.1.43.8.2.1.9.1.1", "integer", "250"),
        ("1.3.6.1.2.1.43.8.2.1.10.1.1", "integer", "100"),
        ("1.3.6.1.2.1.43.8.2.1.13.1.1", "string", "Tray 1"),
        ("1.3.6.1.2.1.43.10.2.1.4.1.1", "counter", "48213"),
        ("1.3.6.1.2.1.43.11.1.1.3.1.1", "integer", "1"),
        ("1.3.6.1.2.1.43.11.1.1.4.1.1", "integer", "3"),
        ("1.3.6.1.2.1.43.11.1.1.5.1.1", "integer", "21"),
        ("1.3.6.1.2.1.43.11.1.1.6.1.1", "string", "Black Toner Cartridge"),
        ("1.3.6.1.2.1.43.11.1.1.7.1.1", "integer", "7"),
        ("1.3.6.1.2.1.43.11.1.1.8.1.1", "integer", "10000"),
        ("1.3.6.1.2.1.43.11.1.1.9.1.1", "integer", "7700"),
        ("1.3.6.1.2.1.43.11.1.1.3.1.2", "integer", "0"),
        ("1.3.6.1.2.1.43.11.1.1.4.1.2", "integer", "4"),
        ("1.3.6.1.2.1.43.11.1.1.5.1.2", "integer", "4"),
        ("1.3.6.1.2.1.43.11.1.1.6.1.2", "string", "Waste Toner Box"),
        ("1.3.6.1.2.1.43.11.1.1.7.1.2", "integer", "7"),
        ("1.3.6.1.2.1.43.11.1.1.8.1.2", "integer", "10000"),
        ("1.3.6.1.2.1.43.11.1.1.9.1.2", "integer", "8000"),
        ("1.3.6.1.2.1.43.12.1.1.4.1.1", "string", "black"),
    ];

    [Fact]
    public async Task Ipp_supplies_and_trays_lead_and_snmp_adds_only_its_page_count_not_the_same_cartridge_twice()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var snmpd = await SnmpdFixture.StartAsync(SnmpLaser(), Ct);
        var ipp = new IppPrinterCollector(printer.Http, new IppCollectorOptions { PrinterUri = printer.Uri }, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        // The merge is under test, not SNMP's patience: a generous timeout keeps a busy machine's slow snmpd an answer.
        var snmp = SnmpPrinterCollector.Create(snmpd.Options(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLoggerFactory.Instance);
        await using var composite = new CompositeCollector([ipp, snmp], TimeProvider.System);

        var status = await composite.ReadAsync(Ct);

        // ippeveprinter's own supplies ("Black Toner", "Toner Waste Tank") and trays; nothing of SNMP's but its page count.
        Assert.DoesNotContain(status.Supplies, s => s.Name is "Black Toner Cartridge" or "Waste Toner Box" or "Tray 1");
        Assert.Single(status.Supplies, s => SupplyIdentity.Of(s) == new SupplyIdentity("toner", "black"));
        Assert.Single(status.Supplies, s => s.Type == "wasteToner");
        Assert.Equal(48213, Assert.Single(status.Counters, c => c.Name == SnmpPrinterCollector.PagesPrintedCounter).Value);
        Assert.Equal("Idle.", status.StateMessage);
    }

    [Fact]
    public async Task An_idle_cups_queue_keeps_its_own_empty_message_not_the_snmp_agents_words()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var snmpd = await SnmpdFixture.StartAsync(SnmpLaser(), Ct);
        var ipp = new IppPrinterCollector(cups.Http, new IppCollectorOptions { PrinterUri = cups.QueueUri, Notifications = false }, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        await using var composite = new CompositeCollector([ipp, SnmpPrinterCollector.Create(snmpd.Options(), TimeProvider.System, NullLoggerFactory.Instance)], TimeProvider.System);
        var alone = await ipp.ReadAsync(Ct);

        var status = await composite.ReadAsync(Ct);

        Assert.Equal(DeviceState.Idle, status.State);
        // An idle cupsd queue has an empty printer-state-message; SNMP has words of its own for the same state.
        Assert.Equal("", alone.StateMessage);
        Assert.Equal(alone.StateMessage, status.StateMessage);
        Assert.DoesNotContain("hrPrinterStatus", status.StateMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_secondary_snmp_agent_does_not_hold_up_reads_of_the_lead()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var snmpd = await SnmpdFixture.StartAsync(SnmpLaser(), Ct);
        await snmpd.StopAsync();
        var snmpOptions = snmpd.Options(TimeSpan.FromSeconds(3));
        snmpOptions.Retries = 0;
        snmpOptions.FailuresBeforeBackoff = 100; // no backoff: every SNMP read waits its whole timeout
        var snmp = new CountingCollector(SnmpPrinterCollector.Create(snmpOptions, TimeProvider.System, NullLoggerFactory.Instance));
        var ipp = new IppPrinterCollector(printer.Http, new IppCollectorOptions { PrinterUri = printer.Uri }, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        await using var composite = new CompositeCollector([ipp, snmp], TimeProvider.System);
        var first = await composite.ReadAsync(Ct);
        Assert.Contains(first.Conditions, c => c.Code == CompositeCollector.PartUnreachableCodePrefix + "snmp");

        var reads = new List<DeviceStatus>();
        for (var i = 0; i < 5; i++)
            reads.Add(await composite.ReadAsync(Ct));

        // Five reads of the lead in far less than one SNMP timeout: SNMP was asked again at most once meanwhile,
        // and every status still says (in words) that SNMP cannot be read.
        Assert.InRange(snmp.ReadsStarted, 1, 2);
        Assert.All(reads, s => Assert.Contains(s.Conditions, c => c.Code == CompositeCollector.PartUnreachableCodePrefix + "snmp"
            && c.Message.Contains("did not answer within 3 s", StringComparison.Ordinal)));
        Assert.All(reads, s => Assert.Equal(DeviceState.Idle, s.State));
    }

    /// <summary>Counts the reads a real collector was asked for; the reads themselves are the collector's.</summary>
    private sealed class CountingCollector(IDeviceCollector inner) : IDeviceCollector, IAsyncDisposable
    {
        private int _started;

        public int ReadsStarted => Volatile.Read(ref _started);

        public string Name => inner.Name;

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            return inner.ReadAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => (inner as IAsyncDisposable)?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
