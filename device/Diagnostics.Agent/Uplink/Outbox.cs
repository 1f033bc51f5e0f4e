using System.Buffers;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// The durable outbox: every uplink envelope is committed to SQLite (WAL) in <c>{directory}/outbox.db</c> before it
/// can be sent, and leaves only when the cloud's Ack covers its sequence.
/// </summary>
/// <remarks>
/// Sequences are assigned inside the enqueue transaction: per device, strictly increasing, never reused across
/// restarts (the last one issued is kept even when the outbox is empty). A fresh outbox starts at Unix milliseconds
/// x 1000, so a wiped device continues above anything the cloud already holds.
/// Overflow policy at <see cref="OutboxOptions.MaxMessages"/>: drop the oldest heartbeat; if none, the oldest status
/// snapshot (a newer one supersedes it), then the oldest host report (the same); only then the oldest event. Discards
/// are counted per kind and persisted.
/// One connection, serialized access: SQLite has one writer anyway and the agent's writes are small.
/// </remarks>
public sealed class Outbox : IDisposable
{
    public const string FileName = "outbox.db";

    private const string LastSequenceKey = "last_sequence";
    private const byte LowestRetainedSequenceTag = (6 << 3) | 0; // Envelope field 6, varint.

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly OutboxOptions _options;
    private readonly Dictionary<UplinkKind, long> _discarded = [];
    private ulong _lastSequence;
    private long _depth;
    private bool _disposed;

    private Outbox(SqliteConnection connection, OutboxOptions options)
    {
        _connection = connection;
        _options = options;
    }

    public string FilePath { get; private init; } = "";

    /// <summary>Messages stored and not yet acknowledged.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Messages the overflow policy has discarded since the outbox was created, all kinds.</summary>
    public long Discarded
    {
        get
        {
            lock (_discarded)
                return _discarded.Values.Sum();
        }
    }

    /// <summary>The last sequence issued (0 never happens: a fresh outbox seeds from the clock).</summary>
    public ulong LastSequence
    {
        get
        {
            lock (_discarded)
                return _lastSequence;
        }
    }

    /// <summary>Raised after every committed enqueue, so a sender can wake up.</summary>
    public event Action? Enqueued;

    public long DiscardedOf(UplinkKind kind)
    {
        lock (_discarded)
            return _discarded.GetValueOrDefault(kind);
    }

    /// <summary>Opens (or creates) the outbox in <paramref name="directory"/>.</summary>
    public static Outbox Open(string directory, OutboxOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            var synchronous = options.Durability == OutboxDurability.Full ? "FULL" : "NORMAL";
            // Exclusive locking must come before the first WAL access, or SQLite maps the shared -shm file anyway.
            if (options.ExclusiveFile)
                Execute(connection, "PRAGMA locking_mode=EXCLUSIVE;");
            Execute(connection, $"""
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous={synchronous};
                PRAGMA busy_timeout=5000;
                CREATE TABLE IF NOT EXISTS messages (
                    sequence INTEGER PRIMARY KEY,
                    kind INTEGER NOT NULL,
                    payload BLOB NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_kind ON messages (kind, sequence);
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """);
            var outbox = new Outbox(connection, options) { FilePath = path };
            outbox.Load(time);
            return outbox;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Stores one envelope, assigning its sequence in the same transaction; returns the sequence.</summary>
    public async ValueTask<ulong> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return await EnqueueAsync([envelope], cancellationToken);
    }

    /// <summary>Stores envelopes in order in one transaction, assigning their sequences; returns the last one.</summary>
    public async ValueTask<ulong> EnqueueAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        if (envelopes.Count == 0)
            return LastSequence;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong last;
            lock (_discarded)
                last = _lastSequence;
            var depth = Depth;
            var discards = new List<UplinkKind>();
            using (var transaction = _connection.BeginTransaction())
            {
                using var insert = _connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO messages (sequence, kind, payload) VALUES ($sequence, $kind, $payload)";
                var sequenceParameter = insert.Parameters.Add("$sequence", SqliteType.Integer);
                var kindParameter = insert.Parameters.Add("$kind", SqliteType.Integer);
                var payloadParameter = insert.Parameters.Add("$payload", SqliteType.Blob);
                foreach (var envelope in envelopes)
                {
                    var kind = envelope.Kind ?? throw new ArgumentException("Envelope must carry exactly one payload.", nameof(envelopes));
                    while (depth >= _options.MaxMessages)
                    {
                        discards.Add(DiscardOne(transaction));
                        depth--;
                    }
                    last++;
                    envelope.Sequence = last;
                    // Stamped when read for sending: it moves as acks arrive.
                    envelope.LowestRetainedSequence = 0;
                    sequenceParameter.Value = checked((long)last);
                    kindParameter.Value = (int)kind;
                    payloadParameter.Value = WireCodec.Encode(envelope);
                    insert.ExecuteNonQuery();
                    depth++;
                }
                SetMeta(transaction, LastSequenceKey, checked((long)last));
                foreach (var kind in discards.Distinct())
                {
                    long total;
                    lock (_discarded)
                        total = _discarded.GetValueOrDefault(kind) + discards.Count(k => k == kind);
                    SetMeta(transaction, DiscardedKey(kind), total);
                }
                transaction.Commit();
            }
            lock (_discarded)
            {
                _lastSequence = last;
                foreach (var kind in discards)
                    _discarded[kind] = _discarded.GetValueOrDefault(kind) + 1;
            }
            Interlocked.Exchange(ref _depth, depth);
            Enqueued?.Invoke();
            return last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads up to <paramref name="max"/> records after <paramref name="afterSequence"/>, in order, each stamped with
    /// the lowest sequence the outbox still holds.
    /// </summary>
    public async ValueTask<IReadOnlyList<OutboxRecord>> ReadFromAsync(ulong afterSequence, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT sequence, kind, payload FROM messages WHERE sequence > $after ORDER BY sequence LIMIT $max";
            command.Parameters.AddWithValue("$after", afterSequence > long.MaxValue ? long.MaxValue : (long)afterSequence);
            command.Parameters.AddWithValue("$max", max);
            var records = new List<OutboxRecord>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                    records.Add(new OutboxRecord((ulong)reader.GetInt64(0), (UplinkKind)reader.GetInt32(1), (byte[])reader.GetValue(2)));
            }
            if (records.Count == 0)
                return records;
            var lowest = LowestRetained();
            return records.ConvertAll(r => r with { Payload = StampLowestRetained(r.Payload, lowest) });
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes every message up to and including <paramref name="upToSequence"/>; returns how many.</summary>
    public async ValueTask<int> AcknowledgeAsync(ulong upToSequence, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM messages WHERE sequence <= $upTo";
            command.Parameters.AddWithValue("$upTo", upToSequence > long.MaxValue ? long.MaxValue : (long)upToSequence);
            var deleted = command.ExecuteNonQuery();
            Interlocked.Add(ref _depth, -deleted);
            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The lowest sequence still held, or the next one to be issued when empty.</summary>
    public async ValueTask<ulong> LowestRetainedSequenceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return LowestRetained();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Appends field 6 to an encoded envelope; protobuf keeps the last value of a repeated scalar field.</summary>
    internal static byte[] StampLowestRetained(byte[] payload, ulong lowest)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 11);
        buffer.Write(payload);
        var span = buffer.GetSpan(11);
        span[0] = LowestRetainedSequenceTag;
        var length = 1;
        var value = lowest;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[length++] = (byte)value;
        buffer.Advance(length);
        return buffer.WrittenSpan.ToArray();
    }

    private static string DiscardedKey(UplinkKind kind) => "discarded_" + Topics.KindName(kind);

    private void Load(TimeProvider time)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", LastSequenceKey);
        var stored = command.ExecuteScalar();
        using var max = _connection.CreateCommand();
        max.CommandText = "SELECT COALESCE(MAX(sequence), 0), COUNT(*) FROM messages";
        using (var reader = max.ExecuteReader())
        {
            reader.Read();
            var highestStored = (ulong)reader.GetInt64(0);
            _depth = reader.GetInt64(1);
            if (stored is long last)
            {
                _lastSequence = Math.Max((ulong)last, highestStored);
            }
            else
            {
                // A fresh outbox: seed above anything a previous install of this device could have sent.
                _lastSequence = Math.Max((ulong)time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 - 1, highestStored);
                SetMeta(null, LastSequenceKey, (long)_lastSequence);
            }
        }
        foreach (var kind in Enum.GetValues<UplinkKind>())
        {
            command.Parameters["$key"].Value = DiscardedKey(kind);
            if (command.ExecuteScalar() is long discarded)
                _discarded[kind] = discarded;
        }
    }

    private UplinkKind DiscardOne(SqliteTransaction transaction)
    {
        // A host report is a snapshot like a status: a newer one supersedes it.
        foreach (var kind in (ReadOnlySpan<UplinkKind>)[UplinkKind.Heartbeat, UplinkKind.Status, UplinkKind.HostReport, UplinkKind.Event])
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM messages WHERE sequence = (SELECT sequence FROM messages WHERE kind = $kind ORDER BY sequence LIMIT 1)";
            command.Parameters.AddWithValue("$kind", (int)kind);
            if (command.ExecuteNonQuery() > 0)
                return kind;
        }
        throw new InvalidOperationException("The outbox is full but holds no message to discard.");
    }

    private ulong LowestRetained()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT MIN(sequence) FROM messages";
        return command.ExecuteScalar() is long lowest ? (ulong)lowest : LastSequence + 1;
    }

    private void SetMeta(SqliteTransaction? transaction, string key, long value)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
