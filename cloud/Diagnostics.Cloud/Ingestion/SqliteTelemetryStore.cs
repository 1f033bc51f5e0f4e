using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

internal sealed class SqliteTelemetryStore(SqliteConnectionFactory connections, IEnumerable<IStoredUplinkHandOff> handOffs) : ITelemetryStore, IAsyncDisposable
{
    private readonly TelemetryBatchWriter _writer = new(connections, handOffs);
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>
    /// The sequences stored above each device's mark, read at start. Devices first (CROSS JOIN fixes SQLite's join
    /// order): each device's few rows are a search of telemetry's key from its mark on, not a scan of the key's whole
    /// index (every message ever stored), which SQLite chose for the plain JOIN.
    /// </summary>
    internal const string StoredAboveMarks = """
        SELECT t.device_id, t.seq FROM devices d CROSS JOIN telemetry t ON t.device_id = d.id
        WHERE d.contiguous_mark IS NOT NULL AND t.seq > d.contiguous_mark
        """;

    // Sequences are ulong on the wire and INTEGER (signed 64-bit) in SQLite (TelemetryBatchWriter casts them back).
    private static ulong FromDb(long value) => unchecked((ulong)value);

    public async Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = new Dictionary<string, (ulong? Mark, ulong? StatusSeq, List<ulong> Above)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, contiguous_mark, status_seq FROM devices WHERE contiguous_mark IS NOT NULL;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = (
                    FromDb(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : FromDb(reader.GetInt64(2)),
                    []);
            }
        }
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = StoredAboveMarks;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (rows.TryGetValue(reader.GetString(0), out var row))
                    row.Above.Add(FromDb(reader.GetInt64(1)));
            }
        }
        return rows.ToDictionary(r => r.Key, r => new SequenceTracker(r.Value.Mark, r.Value.Above, r.Value.StatusSeq));
    }

    /// <summary>
    /// Through the <see cref="TelemetryBatchWriter"/>: the hot path, one caller at a time. SQLite means one instance,
    /// the only writer, so the marks committed are the batch's own.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ulong>> WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            // In turn with the process's other writers (the fix loop above all), not polling SQLite's lock against them.
            using var turn = await connections.TakeWriteTurnAsync(cancellationToken);
            await _writer.WriteAsync(batch, cancellationToken);
            return batch.ProposedMarks();
        }
        finally
        {
            _writing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _writing.Dispose();
    }
}
