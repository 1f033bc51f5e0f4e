using Diagnostics.Agent.Collectors;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors;

public sealed class CompositeCollectorTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public async Task Lead_collector_wins_identity_and_state_and_the_rest_adds_what_it_lacks()
    {
        var ipp = new FixedCollector("ipp", new DeviceStatus
        {
            Model = "Acme LaserPro 500", State = DeviceState.Idle,
            Conditions = [new ActiveCondition { Code = "ipp:toner-low", Severity = Severity.Warning }],
            Supplies = [new SupplyLevel { Name = "Black toner", Type = "toner", LevelPercent = 8 }],
            Counters = [new Counter { Name = "uptime-seconds", Value = 100 }],
        });
        var snmp = new FixedCollector("snmp", new DeviceStatus
        {
            Model = "ACME LP500 (SNMP sysDescr)", Serial = "LP5-1", State = DeviceState.Idle,
            Conditions = [new ActiveCondition { Code = "hrPrinter:lowToner", Severity = Severity.Warning }],
            Supplies = [new SupplyLevel { Name = "Black toner", Type = "toner", LevelPercent = 9 }],
            Counters = [new Counter { Name = "pages-printed", Value = 12_345 }, new Counter { Name = "uptime-seconds", Value = 99 }],
        });
        var composite = new CompositeCollector([ipp, snmp], _time);

        var status = await composite.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ipp+snmp", composite.Name);
        Assert.Equal("Acme LaserPro 500", status.Model);
        Assert.Equal("LP5-1", status.Serial);
        Assert.Equal(["ipp:toner-low", "hrPrinter:lowToner"], status.Conditions.Select(c => c.Code));
        Assert.Equal(8, Assert.Single(status.Supplies).LevelPercent);
        Assert.Equal("", status.StateMessage);
        Assert.Equal(12_345, status.Counters.Single(c => c.Name == "pages-printed").Value);
        Assert.Equal(100, status.Counters.Single(c => c.Name == "uptime-seconds").Value);
    }

    [Fact]
    public async Task The_lead_supplies_stay_and_a_secondary_supply_of_the_same_kind_and_colour_is_not_added_again()
    {
        // As cupsd and an SNMP agent name one cartridge: "Black" (toner, #000000) and "Black Toner Cartridge" (tonerCartridge, black).
        var ipp = new FixedCollector("ipp", new DeviceStatus
        {
            State = DeviceState.Idle,
            Supplies =
            [
                new SupplyLevel { Name = "Black", Type = "toner", Color = "#000000", LevelPercent = 7, Low = true },
                new SupplyLevel { Name = "Waste", Type = "wasteToner", Color = "none", LevelPercent = -1 },
            ],
        });
        var snmp = new FixedCollector("snmp", new DeviceStatus
        {
            State = DeviceState.Idle, StateMessage = "hrPrinterStatus idle, hrDeviceStatus running",
            Supplies =
            [
                new SupplyLevel { Name = "Black Toner Cartridge", Type = "tonerCartridge", Color = "black", LevelPercent = 9, Low = true },
                new SupplyLevel { Name = "Waste Toner Box", Type = "wasteToner", LevelPercent = 20 },
                new SupplyLevel { Name = "Drum", Type = "opc", LevelPercent = 60 },
            ],
        });
        var composite = new CompositeCollector([ipp, snmp], _time);

        var status = await composite.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal([("Black", 7), ("Waste", 20), ("Drum", 60)], status.Supplies.Select(s => (s.Name, s.LevelPercent)));
        // The lead's message stays, even empty: the secondary's words describe a state that is not the one shown.
        Assert.Equal("", status.StateMessage);
    }

    [Fact]
    public async Task A_stopped_part_stops_the_device()
    {
        var composite = new CompositeCollector(
            [new FixedCollector("gpio", new DeviceStatus { State = DeviceState.Idle }), new FixedCollector("sht3x", new DeviceStatus { State = DeviceState.Stopped })], _time);

        var status = await composite.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(DeviceState.Stopped, status.State);
    }

    [Fact]
    public async Task A_failing_secondary_collector_is_a_warning_not_an_unreachable_device()
    {
        var composite = new CompositeCollector(
            [new FixedCollector("ipp", new DeviceStatus { State = DeviceState.Idle }), new FailingCollector("snmp")], _time);

        var status = await composite.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(DeviceState.Idle, status.State);
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(CompositeCollector.PartUnreachableCodePrefix + "snmp", condition.Code);
        Assert.Equal(Severity.Warning, condition.Severity);
        Assert.Contains("timed out", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_lead_collector_fails_the_read()
    {
        var composite = new CompositeCollector([new FailingCollector("ipp"), new FixedCollector("snmp", new DeviceStatus())], _time);

        await Assert.ThrowsAsync<TimeoutException>(async () => await composite.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_command_goes_to_the_first_part_that_can_do_it()
    {
        var snmp = new ActingCollector("snmp", ActionOutcome.NotSupported("not supported by SNMP"));
        var ipp = new ActingCollector("ipp", ActionOutcome.Succeeded("resumed"));
        var after = new ActingCollector("other", ActionOutcome.Succeeded("never asked"));
        var composite = new CompositeCollector([new FixedCollector("gpio", new DeviceStatus()), snmp, ipp, after], _time);

        var outcome = await composite.RunAsync(DeviceCommands.ResumePrinter, new Dictionary<string, string>(), TestContext.Current.CancellationToken);

        Assert.Equal(ActionOutcome.Succeeded("resumed"), outcome);
        Assert.Equal((1, 1, 0), (snmp.Calls, ipp.Calls, after.Calls));
    }

    [Fact]
    public async Task A_command_no_part_can_do_is_not_supported_saying_why_the_first_one_could_not()
    {
        var none = new CompositeCollector([new FixedCollector("gpio", new DeviceStatus()), new FixedCollector("sht3x", new DeviceStatus())], _time);
        var snmpOnly = new CompositeCollector([new FixedCollector("gpio", new DeviceStatus()), new ActingCollector("snmp", ActionOutcome.NotSupported("not supported by SNMP"))], _time);

        var nobody = await none.RunAsync(DeviceCommands.Identify, new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        var snmp = await snmpOnly.RunAsync(DeviceCommands.Identify, new Dictionary<string, string>(), TestContext.Current.CancellationToken);

        Assert.Equal(ActionOutcome.NotSupported("not supported by this device"), nobody);
        Assert.Equal(ActionOutcome.NotSupported("not supported by SNMP"), snmp);
    }

    private sealed class ActingCollector(string name, ActionOutcome answer) : IDeviceCollector, IDeviceActions
    {
        public int Calls { get; private set; }

        public string Name => name;

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new DeviceStatus());

        public Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(answer);
        }
    }

    private sealed class FixedCollector(string name, DeviceStatus status) : IDeviceCollector
    {
        public string Name => name;

        // A fresh copy per read, as real collectors build a new snapshot each time.
        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(WireCodec.Decode<DeviceStatus>(WireCodec.Encode(status)).Value!);
    }

    private sealed class FailingCollector(string name) : IDeviceCollector
    {
        public string Name => name;

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken) =>
            ValueTask.FromException<DeviceStatus>(new TimeoutException($"{name} timed out"));
    }
}
