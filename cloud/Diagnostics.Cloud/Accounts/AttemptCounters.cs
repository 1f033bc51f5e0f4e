using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Accounts;

/// <summary>From when a run of failures is measured before it is forgotten and starts again from one.</summary>
public enum AttemptWindow
{
    /// <summary>Forgotten when no failure followed for the policy's time (the sign-in throttle).</summary>
    SinceLastFailure,
    /// <summary>Forgotten the policy's time after the run's first failure (pairing codes).</summary>
    SinceFirstFailure,
}

/// <summary>What one kind of counter counts: its key prefix, and when a run of failures is forgotten.</summary>
public sealed record AttemptPolicy(string Scope, TimeSpan ResetAfter, AttemptWindow Window);

/// <summary>A key's current run of failures (zero when none, or when the run was forgotten).</summary>
public sealed record AttemptTally(long Failures, DateTimeOffset First, DateTimeOffset Last)
{
    public static readonly AttemptTally None = new(0, DateTimeOffset.MinValue, DateTimeOffset.MinValue);
}

/// <summary>
/// Failed attempts (sign-in guesses, pairing codes) counted in the database every instance shares, so N instances
/// behind a proxy allow what one does, not N times as much. A count and the decision it feeds happen in one transaction
/// holding the keys' rows (PostgreSQL's <c>ON CONFLICT DO UPDATE</c> row lock; SQLite's single writer), so parallel
/// guesses on any instances cannot slip past a threshold. Rows of forgotten runs are deleted now and then.
/// </summary>
public sealed class AttemptCounters(Database database, TimeProvider time)
{
    /// <summary>How often one instance deletes the rows of forgotten runs.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private long _nextPruneMs = long.MinValue;

    /// <summary>The keys' current runs, in the order given (no lock: for a check that does not count).</summary>
    public async Task<IReadOnlyList<AttemptTally>> ReadAsync(AttemptPolicy policy, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        var stored = keys.Count == 0 ? [] : await database.QueryAsync<StoredTally>(
            $"SELECT counter_key AS CounterKey, failures AS Failures, first_ms AS FirstMs, last_ms AS LastMs FROM attempt_failures WHERE {database.Dialect.InList("counter_key", "@keys")};",
            new { keys = keys.Select(k => Stored(policy, k)).ToArray() }, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return [.. keys.Select(k => stored.FirstOrDefault(s => s.CounterKey == Stored(policy, k)) is { } row ? Current(policy, row, now) : AttemptTally.None)];
    }

    /// <summary>
    /// Holds the keys' rows, shows their current runs to <paramref name="mayCount"/>, and counts one more failure on
    /// each if it says so, all in one transaction. Answers whether it counted.
    /// </summary>
    public async Task<bool> TryCountAsync(AttemptPolicy policy, IReadOnlyList<string> keys, Func<IReadOnlyList<AttemptTally>, bool> mayCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(mayCount);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await PruneNowAndThenAsync(policy, now, cancellationToken);
        await using var db = await database.BeginAsync(cancellationToken);
        // Always in one order, so two transactions holding two keys each never wait for each other in a circle.
        var held = new Dictionary<string, AttemptTally>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            // A no-op upsert: makes the row if need be and holds it until commit (PostgreSQL's row lock on the conflict).
            var row = await db.QueryFirstOrDefaultAsync<StoredTally>("""
                INSERT INTO attempt_failures (counter_key, failures, first_ms, last_ms) VALUES (@key, 0, @now, @now)
                ON CONFLICT (counter_key) DO UPDATE SET failures = attempt_failures.failures
                RETURNING counter_key AS CounterKey, failures AS Failures, first_ms AS FirstMs, last_ms AS LastMs;
                """, new { key = Stored(policy, key), now }, cancellationToken);
            held[key] = Current(policy, row!, now);
        }
        if (!mayCount([.. keys.Select(k => held[k])]))
            return false;
        foreach (var (key, tally) in held)
        {
            await db.ExecuteAsync(
                "UPDATE attempt_failures SET failures = @failures, first_ms = @first, last_ms = @now WHERE counter_key = @key;",
                new { key = Stored(policy, key), failures = tally.Failures + 1, first = tally.Failures == 0 ? now : tally.First.ToUnixTimeMilliseconds(), now },
                cancellationToken);
        }
        await db.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Forgets the key's failures (a right answer).</summary>
    public Task ForgetAsync(AttemptPolicy policy, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return database.ExecuteAsync("DELETE FROM attempt_failures WHERE counter_key = @key;", new { key = Stored(policy, key) }, cancellationToken);
    }

    /// <summary>Takes one failure back (an attempt counted when it began that turned out right).</summary>
    public Task TakeBackAsync(AttemptPolicy policy, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return database.ExecuteAsync(
            "UPDATE attempt_failures SET failures = failures - 1 WHERE counter_key = @key AND failures > 0;", new { key = Stored(policy, key) }, cancellationToken);
    }

    /// <summary>How many keys of the policy's scope have a row (forgotten runs included until the next prune).</summary>
    public Task<long?> CountKeysAsync(AttemptPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return database.QueryFirstOrDefaultAsync<long?>(
            "SELECT COUNT(*) FROM attempt_failures WHERE counter_key LIKE @prefix;", new { prefix = policy.Scope + ":%" }, cancellationToken);
    }

    private async Task PruneNowAndThenAsync(AttemptPolicy policy, long now, CancellationToken cancellationToken)
    {
        var due = Interlocked.Read(ref _nextPruneMs);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneMs, now + (long)PruneInterval.TotalMilliseconds, due) != due)
            return;
        // A run forgotten since its last failure is forgotten by either window (the first is never later than the last).
        await database.ExecuteAsync("DELETE FROM attempt_failures WHERE counter_key LIKE @prefix AND last_ms <= @cutoff;",
            new { prefix = policy.Scope + ":%", cutoff = now - (long)policy.ResetAfter.TotalMilliseconds }, cancellationToken);
    }

    private static string Stored(AttemptPolicy policy, string key) => policy.Scope + ":" + key;

    private static AttemptTally Current(AttemptPolicy policy, StoredTally row, long now)
    {
        var since = policy.Window == AttemptWindow.SinceFirstFailure ? row.FirstMs : row.LastMs;
        if (row.Failures <= 0 || now - since >= (long)policy.ResetAfter.TotalMilliseconds)
            return AttemptTally.None;
        return new(row.Failures, DateTimeOffset.FromUnixTimeMilliseconds(row.FirstMs), DateTimeOffset.FromUnixTimeMilliseconds(row.LastMs));
    }

    private sealed record StoredTally(string CounterKey, long Failures, long FirstMs, long LastMs);
}

[Migration(2026_12_06_91, "Accounts: failed sign-ins and pairing codes, counted across instances")]
public sealed class AttemptFailuresSchema : SchemaMigration
{
    public override void Up() => CreateTableUnlessExists("attempt_failures", table => table
        .WithColumn("counter_key").AsString().NotNullable().PrimaryKey()
        .WithColumn("failures").AsInt64().NotNullable()
        .WithColumn("first_ms").AsInt64().NotNullable()
        .WithColumn("last_ms").AsInt64().NotNullable());
}
