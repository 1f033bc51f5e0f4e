using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Uplink;

/// <summary>
/// The agent configures SQLite's memory at its start (Program.cs). The memory it saves is measured on the published
/// agent (tests/Diagnostics.LoadTest/README.md, sixth pass); here: what a call too late does, since a test host, unlike
/// the agent, has usually opened databases already.
/// </summary>
public sealed class SqliteMemoryTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_call_after_sqlite_started_reports_it_changed_nothing_and_outboxes_still_work()
    {
        using (var first = new SqliteConnection("Data Source=:memory:"))
            first.Open();

        Assert.False(SqliteMemory.ConfigureBeforeFirstUse());

        using var outbox = Outbox.Open(_directory.Path, new OutboxOptions { Durability = OutboxDurability.ProcessCrash },
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));
        var sequence = await outbox.EnqueueAsync(new Envelope
        {
            DeviceId = "dev-1",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Heartbeat = new Heartbeat { UptimeSeconds = 1 },
        }, TestContext.Current.CancellationToken);
        Assert.Equal(1, outbox.Depth);
        Assert.Equal(sequence, outbox.LastSequence);
    }
}
