using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Diagnostics.Protocol;

namespace Diagnostics.Benchmarks;

/// <summary>Encode and decode cost of the two messages devices send most, with their size on the wire.</summary>
[MemoryDiagnoser]
[Config(typeof(WireSizeConfig))]
public class WireCodecBenchmarks
{
    private Envelope _status = null!;
    private Envelope _event = null!;
    private byte[] _statusBytes = null!;
    private byte[] _eventBytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _status = SampleMessages.Status();
        _event = SampleMessages.Event();
        _statusBytes = WireCodec.Encode(_status);
        _eventBytes = WireCodec.Encode(_event);
    }

    [Benchmark(Baseline = true)]
    public byte[] EncodeDeviceEvent() => WireCodec.Encode(_event);

    [Benchmark]
    public Envelope? DecodeDeviceEvent() => WireCodec.DecodeUplink(_eventBytes).Value;

    [Benchmark]
    public byte[] EncodeDeviceStatus() => WireCodec.Encode(_status);

    [Benchmark]
    public Envelope? DecodeDeviceStatus() => WireCodec.DecodeUplink(_statusBytes).Value;

    private sealed class WireSizeConfig : ManualConfig
    {
        public WireSizeConfig() => AddColumn(new WireSizeColumn());
    }

    /// <summary>Bytes on the wire of the message each benchmark encodes or decodes.</summary>
    private sealed class WireSizeColumn : IColumn
    {
        public string Id => nameof(WireSizeColumn);
        public string ColumnName => "Wire bytes";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Size;
        public string Legend => "Size of the encoded envelope";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            benchmarkCase.Descriptor.WorkloadMethod.Name.EndsWith("Status", StringComparison.Ordinal)
                ? WireCodec.Encode(SampleMessages.Status()).Length.ToString()
                : WireCodec.Encode(SampleMessages.Event()).Length.ToString();

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}

/// <summary>Typical messages of a mono laser printer with one jam and low toner.</summary>
public static class SampleMessages
{
    public static Envelope Status() => new()
    {
        DeviceId = "sim-0001",
        Sequence = 1_790_000_000_000_123,
        LowestRetainedSequence = 1_790_000_000_000_100,
        DeviceTimeUnixMs = 1_790_000_000_123,
        AgentVersion = "1.0.0",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Status = new DeviceStatus
        {
            Model = "Acme LaserPro 500",
            Serial = "LP5-000001",
            FirmwareVersion = "2.1.0",
            State = DeviceState.Stopped,
            StateMessage = "Paper jam in tray 1",
            Conditions =
            [
                new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1", SinceUnixMs = 1_790_000_000_000 },
                new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning, Message = "Toner low", SinceUnixMs = 1_789_990_000_000 },
            ],
            Supplies =
            [
                new SupplyLevel { Name = "Black toner", Type = "toner", Color = "black", LevelPercent = 8, Low = true },
                new SupplyLevel { Name = "Waste toner", Type = "wasteToner", LevelPercent = 40 },
                new SupplyLevel { Name = "Tray 1", Type = "media", LevelPercent = 55 },
            ],
            Counters = [new Counter { Name = "pages-printed", Value = 123_456 }, new Counter { Name = "jams", Value = 17 }],
        },
    };

    public static Envelope Event() => new()
    {
        DeviceId = "sim-0001",
        Sequence = 1_790_000_000_000_124,
        LowestRetainedSequence = 1_790_000_000_000_100,
        DeviceTimeUnixMs = 1_790_000_000_124,
        AgentVersion = "1.0.0",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Event = new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1" },
    };
}
