using System.Diagnostics;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Uplink;

public sealed class OutboxTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Outbox Open(int maxMessages = 100_000) =>
        Outbox.Open(_directory.Path, new OutboxOptions { MaxMessages = maxMessages, Durability = OutboxDurability.ProcessCrash }, _time);

    private static Envelope Event(string code) => new()
    {
        DeviceId = "dev-1",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Event = new DeviceEvent { Kind = EventKind.Raised, Code = code },
    };

    private static Envelope Status(string message) => new()
    {
        DeviceId = "dev-1",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Status = new DeviceStatus { StateMessage = message },
    };

    private static Envelope Heartbeat(long uptime) => new()
    {
        DeviceId = "dev-1",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Heartbeat = new Heartbeat { UptimeSeconds = uptime },
    };

    private static Envelope Decode(OutboxRecord record)
    {
        var decoded = WireCodec.DecodeUplink(record.Payload);
        Assert.True(decoded.IsSuccess, decoded.Detail);
        return decoded.Value!;
    }

    [Fact]
    public async Task Fresh_outbox_seeds_its_first_sequence_from_the_clock()
    {
        using var outbox = Open();

        var sequence = await outbox.EnqueueAsync(Event("a"), Ct);

        Assert.Equal(1_700_000_000_000UL * 1000, sequence);
    }

    [Fact]
    public async Task Keeps_order_and_assigns_strictly_increasing_sequences()
    {
        using var outbox = Open();
        for (var i = 0; i < 50; i++)
            await outbox.EnqueueAsync(Event("code-" + i), Ct);
        await outbox.EnqueueAsync([Event("code-50"), Event("code-51")], Ct);

        var records = await outbox.ReadFromAsync(0, 1000, Ct);

        Assert.Equal(52, records.Count);
        Assert.Equal(Enumerable.Range(0, 52).Select(i => "code-" + i), records.Select(r => Decode(r).Event!.Code));
        Assert.All(records.Zip(records.Skip(1)), pair => Assert.Equal(pair.First.Sequence + 1, pair.Second.Sequence));
        Assert.All(records, r => Assert.Equal(r.Sequence, Decode(r).Sequence));
    }

    [Fact]
    public async Task Sequence_survives_reopen_even_when_everything_was_acknowledged()
    {
        ulong last;
        using (var outbox = Open())
        {
            await outbox.EnqueueAsync(Event("a"), Ct);
            last = await outbox.EnqueueAsync(Event("b"), Ct);
            await outbox.AcknowledgeAsync(last, Ct);
            Assert.Equal(0, outbox.Depth);
        }
        // Even if the clock went backwards, a reopened outbox continues after the last sequence it issued.
        var earlierClock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000));

        using var reopened = Outbox.Open(_directory.Path, new OutboxOptions(), earlierClock);
        var next = await reopened.EnqueueAsync(Event("c"), Ct);

        Assert.Equal(last + 1, next);
    }

    [Fact]
    public async Task Unacknowledged_messages_survive_reopen()
    {
        using (var outbox = Open())
        {
            await outbox.EnqueueAsync([Event("a"), Event("b"), Event("c")], Ct);
        }

        using var reopened = Open();

        Assert.Equal(3, reopened.Depth);
        Assert.Equal(["a", "b", "c"], (await reopened.ReadFromAsync(0, 10, Ct)).Select(r => Decode(r).Event!.Code));
    }

    [Fact]
    public async Task An_exclusive_outbox_keeps_no_shared_memory_file_and_its_messages_across_a_reopen()
    {
        var exclusive = new OutboxOptions { Durability = OutboxDurability.ProcessCrash, ExclusiveFile = true };
        using (var outbox = Outbox.Open(_directory.Path, exclusive, _time))
        {
            await outbox.EnqueueAsync([Event("a"), Event("b")], Ct);
            // The WAL index is in the process's memory: two open files (the database and its log), not three.
            Assert.True(File.Exists(Path.Combine(_directory.Path, Outbox.FileName + "-wal")));
            Assert.False(File.Exists(Path.Combine(_directory.Path, Outbox.FileName + "-shm")));
        }

        using var reopened = Outbox.Open(_directory.Path, exclusive, _time);
        Assert.Equal(["a", "b"], (await reopened.ReadFromAsync(0, 10, Ct)).Select(r => Decode(r).Event!.Code));
    }

    [Fact]
    public async Task Acknowledge_deletes_up_to_the_sequence_and_no_further()
    {
        using var outbox = Open();
        await outbox.EnqueueAsync([Event("a"), Event("b"), Event("c"), Event("d")], Ct);
        var all = await outbox.ReadFromAsync(0, 10, Ct);

        var deleted = await outbox.AcknowledgeAsync(all[1].Sequence, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(2, outbox.Depth);
        var left = await outbox.ReadFromAsync(0, 10, Ct);
        Assert.Equal([all[2].Sequence, all[3].Sequence], left.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Records_carry_the_lowest_retained_sequence_at_read_time()
    {
        using var outbox = Open();
        await outbox.EnqueueAsync([Event("a"), Event("b"), Event("c")], Ct);
        var first = await outbox.ReadFromAsync(0, 10, Ct);
        Assert.All(first, r => Assert.Equal(first[0].Sequence, Decode(r).LowestRetainedSequence));

        await outbox.AcknowledgeAsync(first[0].Sequence, Ct);
        var later = await outbox.ReadFromAsync(first[1].Sequence, 10, Ct);

        Assert.Equal(first[1].Sequence, Decode(Assert.Single(later)).LowestRetainedSequence);
    }

    [Fact]
    public async Task Reading_after_a_sequence_returns_only_later_records_up_to_max()
    {
        using var outbox = Open();
        await outbox.EnqueueAsync(Enumerable.Range(0, 10).Select(i => Event("e" + i)).ToList(), Ct);
        var all = await outbox.ReadFromAsync(0, 100, Ct);

        var page = await outbox.ReadFromAsync(all[3].Sequence, 2, Ct);

        Assert.Equal([all[4].Sequence, all[5].Sequence], page.Select(r => r.Sequence));
    }

    [Fact]
    public async Task When_full_discards_oldest_heartbeat_then_oldest_status_then_oldest_event_and_counts_them()
    {
        using var outbox = Open(maxMessages: 4);
        await outbox.EnqueueAsync([Event("e1"), Status("s1"), Heartbeat(1), Status("s2")], Ct);

        await outbox.EnqueueAsync(Event("e2"), Ct); // drops heartbeat 1
        await outbox.EnqueueAsync(Event("e3"), Ct); // drops status s1
        await outbox.EnqueueAsync(Event("e4"), Ct); // drops status s2
        await outbox.EnqueueAsync(Event("e5"), Ct); // only events left: drops e1

        var kept = (await outbox.ReadFromAsync(0, 10, Ct)).Select(r => Decode(r).Event!.Code);
        Assert.Equal(["e2", "e3", "e4", "e5"], kept);
        Assert.Equal(1, outbox.DiscardedOf(UplinkKind.Heartbeat));
        Assert.Equal(2, outbox.DiscardedOf(UplinkKind.Status));
        Assert.Equal(1, outbox.DiscardedOf(UplinkKind.Event));
        Assert.Equal(4, outbox.Discarded);
        Assert.Equal(4, outbox.Depth);
    }

    [Fact]
    public async Task Discard_counts_survive_reopen()
    {
        using (var outbox = Open(maxMessages: 1))
        {
            await outbox.EnqueueAsync([Heartbeat(1), Heartbeat(2), Heartbeat(3)], Ct);
        }

        using var reopened = Open(maxMessages: 1);

        Assert.Equal(2, reopened.DiscardedOf(UplinkKind.Heartbeat));
    }

    [Fact]
    public async Task Committed_messages_survive_kill_9_contiguous_and_in_order()
    {
        var agentDll = Path.Combine(AppContext.BaseDirectory, "Diagnostics.Agent.dll");
        Assert.True(File.Exists(agentDll), $"Agent assembly not found at {agentDll}.");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { agentDll, OutboxStressCommand.Name, "--data-dir", _directory.Path })
            start.ArgumentList.Add(argument);

        var random = new Random();
        var commitsBeforeKill = random.Next(200, 2000);
        ulong lastReported = 0;
        var reportedCount = 0;
        using (var child = Process.Start(start)!)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                while (reportedCount < commitsBeforeKill)
                {
                    var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                        ?? throw new InvalidOperationException("Stress process exited early: " + await child.StandardError.ReadToEndAsync(Ct));
                    if (line.StartsWith("committed ", StringComparison.Ordinal))
                    {
                        lastReported = ulong.Parse(line["committed ".Length..]);
                        reportedCount++;
                    }
                }
            }
            finally
            {
                child.Kill(); // SIGKILL on Linux: no flush, no finally blocks in the child.
                await child.WaitForExitAsync(Ct);
            }
        }

        using var reopened = Open();
        var records = await reopened.ReadFromAsync(0, 1_000_000, Ct);

        Assert.NotEmpty(records);
        Assert.All(records.Zip(records.Skip(1)), pair => Assert.Equal(pair.First.Sequence + 1, pair.Second.Sequence));
        Assert.All(records, r => Assert.Equal(r.Sequence, Decode(r).Sequence));
        Assert.True(records[^1].Sequence >= lastReported, $"Sequence {lastReported} was reported committed but the outbox ends at {records[^1].Sequence}.");
        Assert.Equal(reopened.Depth, records.Count);
        var next = await reopened.EnqueueAsync(Event("after-crash"), Ct);
        Assert.Equal(records[^1].Sequence + 1, next);
    }
}
