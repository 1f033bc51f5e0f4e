using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// One device's stream split between two instances (a shared subscription hands its messages to either): each
/// instance's batch knows only its own sequences, and the store's committed mark must still cover both, or the device
/// is never acked past the first sequence the other instance stored.
/// </summary>
public sealed class SharedStreamTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000);

    [Fact]
    [Trait("Engine", nameof(StorageProvider.PostgreSQL))]
    public async Task The_mark_committed_covers_sequences_another_instance_stored()
    {
        await using var host = new CloudHost(engine: StorageProvider.PostgreSQL);
        await host.RegisterAsync("split-1");
        var store = host.Services.GetRequiredService<ITelemetryStore>();

        // Instance A took 1 and 3, instance B took 2 and 4: neither alone sees past its first hole.
        var onA = await store.WriteBatchAsync(Batch("split-1", mark: 1, [1, 3]), TestContext.Current.CancellationToken);
        var onB = await store.WriteBatchAsync(Batch("split-1", mark: 0, [2, 4]), TestContext.Current.CancellationToken);

        Assert.Equal(1UL, onA["split-1"]);
        Assert.Equal(4UL, onB["split-1"]);
        // A batch that knows less than the store (a late one from A) never takes the mark back.
        var late = await store.WriteBatchAsync(Batch("split-1", mark: 1, []), TestContext.Current.CancellationToken);
        Assert.Equal(4UL, late["split-1"]);
    }

    [Fact]
    [Trait("Engine", nameof(StorageProvider.PostgreSQL))]
    public async Task An_older_status_stored_by_the_other_instance_later_does_not_overwrite_the_newer_one()
    {
        await using var host = new CloudHost(engine: StorageProvider.PostgreSQL);
        await host.RegisterAsync("split-2");
        var store = host.Services.GetRequiredService<ITelemetryStore>();
        var idle = new DeviceStatus { State = DeviceState.Idle };
        var jammed = new DeviceStatus
        {
            State = DeviceState.Stopped,
            Conditions = { new ActiveCondition { Code = "ipp:media-jam", Condition = "PAPER_JAM", Severity = Severity.Error } },
        };

        await store.WriteBatchAsync(Batch("split-2", mark: 2, [1, 2], status: (2, idle)), TestContext.Current.CancellationToken);
        await store.WriteBatchAsync(Batch("split-2", mark: 0, [1], status: (1, jammed)), TestContext.Current.CancellationToken);

        var http = await host.SignedInClientAsync();
        Assert.Equal(DeviceHealth.Healthy, (await http.GetJsonAsync<DeviceDetails>("/api/devices/split-2")).Health);
    }

    private static TelemetryBatch Batch(string deviceId, ulong mark, ulong[] sequences, (ulong Sequence, DeviceStatus Status)? status = null)
    {
        var messages = sequences.Select(sequence =>
        {
            var envelope = new Envelope
            {
                DeviceId = deviceId,
                Sequence = sequence,
                SchemaVersion = Envelope.CurrentSchemaVersion,
                DeviceTimeUnixMs = At.ToUnixTimeMilliseconds() + (long)sequence,
                Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:split:" + sequence, Severity = Severity.Report },
            };
            return new AcceptedUplink(envelope, envelope.Kind!.Value, WireCodec.Encode(envelope), At);
        }).ToList();
        var current = status is { } s ? new CurrentStatus(s.Sequence, s.Status, DeviceHealthRules.From(s.Status)) : null;
        return new TelemetryBatch(messages, [new DeviceUpdate(deviceId, mark, At, null, current)]);
    }
}
