using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>The device list's search, filters, sort and paging, against a real SQLite file and a real PostgreSQL database.</summary>
public sealed class DeviceQueryTests
{
    private static readonly (string, string, Severity) Jam = ("ipp:media-jam", Conditions.PaperJam, Severity.Error);
    private static readonly (string, string, Severity) TonerLow = ("ipp:toner-low", Conditions.TonerLow, Severity.Warning);
    private static readonly (string, string, Severity) Door = ("ipp:door-open", Conditions.DoorOpen, Severity.Error);

    private static async Task<FleetDatabase> SeededAsync(StorageProvider engine)
    {
        var db = await FleetDatabase.CreateAsync(engine);
        await db.AddDeviceAsync("printer-a", "LaserJet 4000", "SN-1001", "1.2.3", "critical", online: true, lastSeenMs: 3_000, Jam, TonerLow);
        await db.AddDeviceAsync("printer-b", "LaserJet 4000", "SN-1002", "1.2.4", "healthy", online: true, lastSeenMs: 5_000);
        await db.AddDeviceAsync("printer-c", "OfficeJet Pro", "XK-77", "1.2.3", "warning", online: false, lastSeenMs: 1_000, TonerLow);
        await db.AddDeviceAsync("board-1", "Pi Board", "PI_0001", "0.9", "critical", online: true, lastSeenMs: 4_000, Jam, TonerLow, Door);
        await db.AddDeviceAsync("board-2", "Pi Board", "PI%0002", "", "unknown", online: false);
        return db;
    }

    private static DeviceQuery All(int page = 1, int pageSize = 50) => new(null, null, null, null, page, pageSize);

    private static async Task<List<string>> IdsAsync(FleetDatabase db, DeviceQuery query) =>
        [.. (await db.Devices.ListAsync(query, TestContext.Current.CancellationToken)).Items.Select(d => d.DeviceId)];

    [Theory, BothEngines]
    public async Task Search_matches_part_of_the_id_serial_or_model_ignoring_case(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);

        Assert.Equal(["printer-a", "printer-b", "printer-c"], await IdsAsync(db, All() with { Search = "PRINTER" }));
        Assert.Equal(["printer-b"], await IdsAsync(db, All() with { Search = "1002" }));
        Assert.Equal(["printer-a", "printer-b"], await IdsAsync(db, All() with { Search = "laserjet" }));
        Assert.Equal(["printer-c"], await IdsAsync(db, All() with { Search = "  xk-7 " }));
        Assert.Empty(await IdsAsync(db, All() with { Search = "nothing-like-this" }));
    }

    [Theory, BothEngines]
    public async Task Search_matches_percent_and_underscore_literally(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);

        Assert.Equal(["board-2"], await IdsAsync(db, All() with { Search = "PI%" }));
        Assert.Equal(["board-1"], await IdsAsync(db, All() with { Search = "PI_" }));
    }

    [Theory, BothEngines]
    public async Task Firmware_filter_matches_the_exact_version(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);

        Assert.Equal(["printer-a", "printer-c"], await IdsAsync(db, All() with { Firmware = "1.2.3" }));
        Assert.Equal(["printer-b"], await IdsAsync(db, All() with { Firmware = "1.2.4" }));
        Assert.Empty(await IdsAsync(db, All() with { Firmware = "1.2" }));
    }

    [Theory, BothEngines]
    public async Task Filters_combine_and_the_total_counts_every_match(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);
        var ct = TestContext.Current.CancellationToken;

        var criticalOnline = await db.Devices.ListAsync(new DeviceQuery(DeviceHealth.Critical, null, null, true, 1, 50), ct);
        var tonerLowOnFirmware = await IdsAsync(db, new DeviceQuery(null, null, Conditions.TonerLow, null, 1, 50) { Firmware = "1.2.3" });
        var everything = await IdsAsync(db, new DeviceQuery(DeviceHealth.Critical, "Pi Board", Conditions.DoorOpen, true, 1, 50) { Firmware = "0.9", Search = "board" });
        var contradiction = await db.Devices.ListAsync(new DeviceQuery(DeviceHealth.Healthy, null, Conditions.PaperJam, null, 1, 50), ct);

        Assert.Equal(["board-1", "printer-a"], criticalOnline.Items.Select(d => d.DeviceId));
        Assert.Equal(2, criticalOnline.Total);
        Assert.Equal(["printer-a", "printer-c"], tonerLowOnFirmware);
        Assert.Equal(["board-1"], everything);
        Assert.Equal(0, contradiction.Total);
        Assert.Empty(contradiction.Items);
    }

    public static TheoryData<StorageProvider, DeviceSort, bool, string[]> Sorts()
    {
        (DeviceSort, bool, string[])[] orders =
        [
            (DeviceSort.Id, false, ["board-1", "board-2", "printer-a", "printer-b", "printer-c"]),
            (DeviceSort.Id, true, ["printer-c", "printer-b", "printer-a", "board-2", "board-1"]),
            (DeviceSort.Model, false, ["printer-a", "printer-b", "printer-c", "board-1", "board-2"]),
            (DeviceSort.Model, true, ["board-1", "board-2", "printer-c", "printer-a", "printer-b"]),
            (DeviceSort.Health, true, ["board-1", "printer-a", "printer-c", "printer-b", "board-2"]),
            (DeviceSort.Health, false, ["board-2", "printer-b", "printer-c", "board-1", "printer-a"]),
            (DeviceSort.LastSeen, true, ["printer-b", "board-1", "printer-a", "printer-c", "board-2"]),
            (DeviceSort.ActiveConditions, true, ["board-1", "printer-a", "printer-c", "board-2", "printer-b"]),
            (DeviceSort.ActiveConditions, false, ["board-2", "printer-b", "printer-c", "printer-a", "board-1"]),
        ];
        var data = new TheoryData<StorageProvider, DeviceSort, bool, string[]>();
        foreach (var engine in (StorageProvider[])[StorageProvider.Sqlite, StorageProvider.PostgreSQL])
        {
            foreach (var (sort, descending, expected) in orders)
                data.Add(engine, sort, descending, expected);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task Sorts_by_each_column_both_ways_with_ties_in_id_order(StorageProvider engine, DeviceSort sort, bool descending, string[] expected)
    {
        await using var db = await SeededAsync(engine);

        Assert.Equal(expected, await IdsAsync(db, All() with { Sort = sort, Descending = descending }));
    }

    [Theory, BothEngines]
    public async Task Pages_of_a_sorted_filtered_list_are_consecutive_and_share_the_total(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);
        var ct = TestContext.Current.CancellationToken;
        var query = new DeviceQuery(null, null, Conditions.TonerLow, null, 1, 2) { Sort = DeviceSort.LastSeen, Descending = true };

        var first = await db.Devices.ListAsync(query, ct);
        var second = await db.Devices.ListAsync(query with { Page = 2 }, ct);
        var beyond = await db.Devices.ListAsync(query with { Page = 3 }, ct);

        Assert.Equal(["board-1", "printer-a"], first.Items.Select(d => d.DeviceId));
        Assert.Equal(["printer-c"], second.Items.Select(d => d.DeviceId));
        Assert.Empty(beyond.Items);
        Assert.All([first, second, beyond], page => Assert.Equal(3, page.Total));
    }

    [Theory, BothEngines]
    public async Task Summaries_carry_serial_firmware_and_the_active_condition_count(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);

        var device = (await db.Devices.ListAsync(All() with { Search = "board-1" }, TestContext.Current.CancellationToken)).Items.Single();

        Assert.Equal("PI_0001", device.Serial);
        Assert.Equal("0.9", device.Firmware);
        Assert.Equal(3, device.ActiveConditions);
        Assert.Equal(DevicePresence.Online, device.Presence);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(4_000), device.LastSeen);
    }

    [Theory, BothEngines]
    public async Task Breakdown_counts_active_codes_firmware_models_and_conditions(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);

        var breakdown = await db.Devices.GetFleetBreakdownAsync(topCodes: 2, TestContext.Current.CancellationToken);

        Assert.Equal([new CodeCount("ipp:toner-low", Conditions.TonerLow, 3, Severity.Warning), new CodeCount("ipp:media-jam", Conditions.PaperJam, 2, Severity.Error)], breakdown.TopCodes);
        Assert.Equal([new ValueCount("1.2.3", 2), new ValueCount("", 1), new ValueCount("0.9", 1), new ValueCount("1.2.4", 1)], breakdown.Firmware);
        Assert.Equal([new ValueCount("LaserJet 4000", 2), new ValueCount("Pi Board", 2), new ValueCount("OfficeJet Pro", 1)], breakdown.Models);
        Assert.Equal([new ValueCount(Conditions.TonerLow, 3), new ValueCount(Conditions.PaperJam, 2), new ValueCount(Conditions.DoorOpen, 1)], breakdown.Conditions);
    }

    [Theory, BothEngines]
    public async Task Telemetry_history_decodes_the_last_statuses_and_heartbeats_oldest_first(StorageProvider engine)
    {
        await using var db = await SeededAsync(engine);
        for (var i = 0; i < 5; i++)
        {
            await db.AddTelemetryAsync(new Envelope
            {
                DeviceId = "printer-a", Sequence = (ulong)(10 + (i * 2)), DeviceTimeUnixMs = 1_000 * (i + 1),
                Status = new DeviceStatus { Supplies = [new SupplyLevel { Name = "Black", Color = "#000000", LevelPercent = 50 - i }] },
            });
            await db.AddTelemetryAsync(new Envelope
            {
                DeviceId = "printer-a", Sequence = (ulong)(11 + (i * 2)), DeviceTimeUnixMs = (1_000 * (i + 1)) + 500,
                Heartbeat = new Heartbeat { Metrics = [new Metric { Name = "ambient-temperature", Value = 20 + i, Unit = "celsius" }] },
            });
        }
        await db.AddTelemetryAsync(new Envelope
        {
            DeviceId = "printer-b", Sequence = 99, DeviceTimeUnixMs = 9_000,
            Status = new DeviceStatus { Supplies = [new SupplyLevel { Name = "Black", LevelPercent = 1 }] },
        });

        var history = await db.Devices.GetTelemetryHistoryAsync("printer-a", limit: 3, TestContext.Current.CancellationToken);

        Assert.Equal([48, 47, 46], history.Supplies.Select(s => s.LevelPercent));
        Assert.Equal([3_000L, 4_000L, 5_000L], history.Supplies.Select(s => s.At.ToUnixTimeMilliseconds()));
        Assert.All(history.Supplies, s => Assert.Equal("Black", s.Name));
        Assert.Equal([22.0, 23.0, 24.0], history.Metrics.Select(m => m.Value));
        Assert.All(history.Metrics, m => Assert.Equal("celsius", m.Unit));
        Assert.Empty((await db.Devices.GetTelemetryHistoryAsync("board-2", 3, TestContext.Current.CancellationToken)).Supplies);
    }
}
