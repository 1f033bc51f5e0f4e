namespace Diagnostics.Cloud.Storage;

/// <summary>
/// SQLite lets one connection write at a time. The cloud's writers in this process (ingestion's batches, the fix loop's
/// transactions, presence, the API) take turns here, first come first served, and the next one starts the moment the
/// last commits. Without it they met in SQLite's busy handler, which polls the lock with sleeps of 1, 2, 5 … 100 ms: a
/// batch of ingestion waited out the rest of a sleep after the fix loop had long committed, while every device's
/// uplinks queued behind it.
/// </summary>
/// <remarks>
/// A writer that waits longer than <see cref="Patience"/> goes on without its turn and meets the lock in SQLite as
/// before: another process on the same file, or a write begun inside another's transaction, must fail (or get through)
/// as it did without the turns, never hang.
/// </remarks>
public sealed class WriteTurns(TimeSpan patience) : IDisposable
{
    /// <summary>SQLite's own busy timeout (<see cref="SqliteConnectionFactory"/>): as long as a writer waited before.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _turn = new(1, 1);

    public WriteTurns()
        : this(DefaultPatience)
    {
    }

    /// <summary>How long a writer waits for its turn before it goes on without one.</summary>
    public TimeSpan Patience { get; } = patience;

    /// <summary>Waits for this writer's turn; dispose the answer after the commit or rollback. Null: went on without one.</summary>
    public async Task<IDisposable?> TakeAsync(CancellationToken cancellationToken) =>
        await _turn.WaitAsync(Patience, cancellationToken) ? new Turn(_turn) : null;

    public void Dispose() => _turn.Dispose();

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                turn.Release();
        }
    }
}
