using System.Collections.Concurrent;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Ingestion;

public sealed class IngestionPipelineTests
{
    internal static DeviceStatus JammedStatus() => new()
    {
        Model = "LaserJet 4000",
        Serial = "SN123",
        FirmwareVersion = "1.2.3",
        State = DeviceState.Stopped,
        StateMessage = "Paper jam in tray 2",
        Conditions =
        [
            new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Jam", SinceUnixMs = 1_700_000_000_000 },
            new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning, Message = "Toner low" },
        ],
        Supplies = [new SupplyLevel { Name = "Black", Type = "toner", Color = "#000000", LevelPercent = 7, Low = true }],
        Counters = [new Counter { Name = "pages", Value = 12345 }],
    };

    [Theory, BothEngines]
    public async Task Status_becomes_current_health_and_details(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("status-1");

        var status = device.NewEnvelope(status: JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var details = await http.GetJsonAsync<DeviceDetails>("/api/devices/status-1");
        Assert.Equal(DeviceHealth.Critical, details.Health);
        Assert.Equal(DevicePresence.Online, details.Presence);
        Assert.Equal("LaserJet 4000", details.Model);
        Assert.Equal("SN123", details.Serial);
        Assert.Equal("1.2.3", details.Firmware);
        Assert.Equal(DeviceState.Stopped, details.State);
        Assert.Equal([Conditions.PaperJam, Conditions.TonerLow], details.ActiveConditions.Select(c => c.Condition));
        Assert.Equal(Severity.Error, details.ActiveConditions[0].Severity);
        Assert.Equal(7, details.Supplies.Single().LevelPercent);
        Assert.Equal(12345, details.Counters.Single().Value);
        Assert.NotNull(details.LastSeen);
        Assert.Equal(status.Sequence, details.HighestContiguousSequence);

        var healthy = device.NewEnvelope(status: new DeviceStatus { Model = "LaserJet 4000", State = DeviceState.Idle });
        await device.SendAsync(healthy);
        await device.WaitForAckAsync(healthy.Sequence);
        details = await http.GetJsonAsync<DeviceDetails>("/api/devices/status-1");
        Assert.Equal(DeviceHealth.Healthy, details.Health);
        Assert.Empty(details.ActiveConditions);
    }

    [Theory, BothEngines]
    public async Task Older_status_arriving_late_does_not_overwrite_the_newer_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("status-2");
        var older = device.NewEnvelope(status: JammedStatus());
        var newer = device.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle });

        await device.SendAsync(newer);
        await device.SendAsync(older);
        await device.WaitForAckAsync(newer.Sequence);

        Assert.Equal(DeviceHealth.Healthy, (await http.GetJsonAsync<DeviceDetails>("/api/devices/status-2")).Health);
    }

    [Theory, BothEngines]
    public async Task Events_are_history_newest_first_with_paging(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("events-1");
        var sent = new List<Envelope>();
        for (var i = 0; i < 5; i++)
        {
            var envelope = device.NewEnvelope(@event: new DeviceEvent
            {
                Kind = i % 2 == 0 ? EventKind.Raised : EventKind.Cleared,
                Code = "ipp:media-jam",
                Condition = Conditions.PaperJam,
                Severity = Severity.Error,
                Message = $"event {i}",
            });
            sent.Add(envelope);
            await device.SendAsync(envelope);
        }
        await device.WaitForAckAsync(sent[^1].Sequence);

        var first = await http.GetJsonAsync<Paged<EventView>>("/api/devices/events-1/events?page=1&pageSize=2");
        var third = await http.GetJsonAsync<Paged<EventView>>("/api/devices/events-1/events?page=3&pageSize=2");

        Assert.Equal(5, first.Total);
        Assert.Equal([sent[4].Sequence, sent[3].Sequence], first.Items.Select(e => e.Sequence));
        Assert.Equal("event 4", first.Items[0].Message);
        Assert.Equal(EventKind.Raised, first.Items[0].Kind);
        Assert.Equal([sent[0].Sequence], third.Items.Select(e => e.Sequence));
    }

    [Theory, BothEngines]
    public async Task Same_sequence_twice_is_stored_once_and_acked_again(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("dedup-1");
        var envelope = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 });

        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
        await device.SendAsync(envelope);
        await Eventually.TrueAsync(() => device.Acks.Count >= 2, "second ack");

        Assert.Equal([envelope.Sequence], await host.StoredSequencesAsync("dedup-1"));
        Assert.Equal(1, host.Metrics.DuplicatesTotal);
        Assert.Equal(1, host.Metrics.StoredTotal);
        Assert.All(device.Acks, a => Assert.Equal(envelope.Sequence, a.HighestContiguousSequence));
    }

    [Theory, BothEngines]
    public async Task Regressing_sequence_is_not_stored(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("regress-1");
        var first = device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 5000);
        var second = device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 5001);
        await device.SendAsync(first);
        await device.SendAsync(second);
        await device.WaitForAckAsync(5001);

        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 4000));
        await Eventually.TrueAsync(() => host.Metrics.DuplicatesTotal == 1, "regression counted as duplicate");

        Assert.Equal([5000UL, 5001UL], await host.StoredSequencesAsync("regress-1"));
        Assert.Equal(5001UL, device.HighestAck);
    }

    [Theory, BothEngines]
    public async Task Ack_is_sent_only_after_the_messages_it_covers_are_stored(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("ack-1");
        var violations = new ConcurrentQueue<string>();
        var sent = new ConcurrentQueue<ulong>();
        device.OnAck = async ack =>
        {
            // Runs on the client's receive loop as the ack arrives: the store must already hold everything it covers.
            var stored = await host.StoredSequencesAsync("ack-1");
            foreach (var seq in sent.Where(s => s <= ack.HighestContiguousSequence))
            {
                if (!stored.Contains(seq))
                    violations.Enqueue($"ack {ack.HighestContiguousSequence} arrived before {seq} was stored");
            }
        };

        for (var i = 0; i < 50; i++)
        {
            var envelope = device.NewEnvelope(heartbeat: new Heartbeat());
            sent.Enqueue(envelope.Sequence);
            await device.SendAsync(envelope);
        }
        await device.WaitForAckAsync(sent.Last());

        Assert.Empty(violations);
        Assert.Equal(50, (await host.StoredSequencesAsync("ack-1")).Count);
        Assert.True(host.Metrics.AcksSentTotal >= 1);
    }

    [Theory, BothEngines]
    public async Task Gap_declared_by_lowest_retained_sequence_moves_the_mark(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("gap-1");
        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 100, lowestRetained: 100));
        await device.WaitForAckAsync(100);

        // 101..104 never arrive (discarded on the device); 106 arrives before 105.
        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 106, lowestRetained: 105));
        await Eventually.TrueAsync(() => device.Acks.Count >= 2, "second ack");
        Assert.Equal(104UL, device.Acks.Last().HighestContiguousSequence);
        Assert.Equal(4, host.Metrics.GapSequencesTotal);

        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 105, lowestRetained: 105));
        await device.WaitForAckAsync(106);
        Assert.Equal([100UL, 105UL, 106UL], await host.StoredSequencesAsync("gap-1"));
    }

    [Theory, BothEngines]
    public async Task First_message_starts_the_mark_from_its_lowest_retained_sequence(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("first-1");

        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 1_700_000_000_010, lowestRetained: 1_700_000_000_009));
        await Eventually.TrueAsync(() => !device.Acks.IsEmpty, "first ack");
        Assert.Equal(1_700_000_000_008UL, device.HighestAck);

        await device.SendAsync(device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 1_700_000_000_009, lowestRetained: 1_700_000_000_009));
        await device.WaitForAckAsync(1_700_000_000_010);
        Assert.Equal(0, host.Metrics.GapSequencesTotal);
    }

    [Theory, BothEngines]
    public async Task Full_queue_applies_backpressure_and_loses_nothing(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Ingestion:ChannelCapacity"] = "1",
            ["Ingestion:BatchSize"] = "3",
        }, engine: engine);
        await using var a = await host.ConnectDeviceAsync("burst-a");
        await using var b = await host.ConnectDeviceAsync("burst-b");
        var fromA = Enumerable.Range(0, 150).Select(_ => a.NewEnvelope(heartbeat: new Heartbeat())).ToList();
        var fromB = Enumerable.Range(0, 150).Select(_ => b.NewEnvelope(heartbeat: new Heartbeat())).ToList();

        await Task.WhenAll(
            Task.WhenAll(fromA.Select(a.SendAsync)),
            Task.WhenAll(fromB.Select(b.SendAsync)));
        await a.WaitForAckAsync(fromA[^1].Sequence);
        await b.WaitForAckAsync(fromB[^1].Sequence);

        Assert.Equal(fromA.Select(e => e.Sequence), await host.StoredSequencesAsync("burst-a"));
        Assert.Equal(fromB.Select(e => e.Sequence), await host.StoredSequencesAsync("burst-b"));
        Assert.Equal(300, host.Metrics.StoredTotal);
        Assert.Equal(300, host.Metrics.ReceivedTotal);
    }

    [Theory, BothEngines]
    public async Task Messages_of_many_devices_that_arrive_during_a_slow_commit_are_stored_in_one_batch_with_one_ack_each(StorageProvider engine)
    {
        HeldTelemetryStore? store = null;
        await using var host = new CloudHost(services: HeldTelemetryStore.Install(s => store = s), engine: engine);
        await using var pacer = await host.ConnectDeviceAsync("group-pacer");
        var devices = new List<DeviceClient>();
        for (var i = 0; i < 5; i++)
            devices.Add(await host.ConnectDeviceAsync($"group-{i}"));

        // A commit that takes long (an fsync on a busy disk): the pacer's message is being written while the others arrive.
        store!.Hold();
        await pacer.SendAsync(pacer.NewEnvelope(heartbeat: new Heartbeat()));
        await store.WaitUntilABatchWaitsAsync();
        var sent = new Dictionary<string, List<ulong>>();
        foreach (var device in devices)
        {
            sent[device.DeviceId] = [];
            for (var m = 0; m < 3; m++)
            {
                var envelope = device.NewEnvelope(heartbeat: new Heartbeat());
                sent[device.DeviceId].Add(envelope.Sequence);
                // The broker's PUBACK comes once the message is queued for the store: all 15 wait before the release.
                await device.SendAsync(envelope);
            }
        }
        store.Release();
        foreach (var device in devices)
            await device.WaitForAckAsync(sent[device.DeviceId][^1]);

        // The next commit took everything that waited, across devices: one batch, so one ack per device for its three.
        Assert.Equal(15, host.Services.GetRequiredService<IngestionPipeline>().LastBatchSize);
        foreach (var device in devices)
        {
            var ack = Assert.Single(device.Acks);
            Assert.Equal(sent[device.DeviceId][^1], ack.HighestContiguousSequence);
            Assert.Equal(sent[device.DeviceId], await host.StoredSequencesAsync(device.DeviceId));
        }
        foreach (var device in devices)
            await device.DisposeAsync();
    }
}
