using Diagnostics.Protocol;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// Hidden command <c>outbox-stress --data-dir DIR</c>: enqueues events forever and prints <c>committed {sequence}</c>
/// after each commit, so a test can kill the process at any moment and check what survived.
/// </summary>
internal static class OutboxStressCommand
{
    public const string Name = "outbox-stress";

    public static async Task<int> RunAsync(string dataDirectory, OutboxDurability durability, CancellationToken cancellationToken)
    {
        using var outbox = Outbox.Open(dataDirectory, new OutboxOptions { Durability = durability }, TimeProvider.System);
        var random = new Random(Environment.ProcessId);
        using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        await stdout.WriteLineAsync("ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = new Envelope[random.Next(1, 8)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = new Envelope
                {
                    DeviceId = "stress",
                    SchemaVersion = Envelope.CurrentSchemaVersion,
                    Event = new DeviceEvent { Kind = EventKind.Raised, Code = "stress:" + i, Message = new string('x', random.Next(0, 200)) },
                };
            }
            var last = await outbox.EnqueueAsync(batch, cancellationToken);
            await stdout.WriteLineAsync($"committed {last}");
        }
        return 0;
    }
}
