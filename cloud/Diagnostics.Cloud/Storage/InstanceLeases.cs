using System.Collections.Concurrent;
using Medallion.Threading.Postgres;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// Runs work that must happen on one instance at a time (a pass of the fix loop, of the rollout scheduler, a presence
/// check ...). On PostgreSQL each named piece of work takes a session advisory lock (DistributedLock.Postgres) for the
/// length of one pass: the lock lives in the database, not in a process, so a killed instance's lock goes with its
/// connection and the next instance's pass takes it. On SQLite there is one instance: the work just runs.
/// </summary>
/// <remarks>
/// A pass is held for a pass, not for the life of the process, so no instance is "the leader" and none has to hand
/// over: whichever instance wakes next does the work, and a pass that finds the lock taken leaves the work to the
/// holder at once. It does not wait: a wait holds a pooled connection, and with every loop of a starting instance
/// waiting at once that starved the pool (the instance's health check timed out). What woke the skipped pass reaches
/// the holder too, as a signal between instances (<c>InstanceSignals</c>), and wakes its next pass.
/// </remarks>
public sealed partial class InstanceLeases(IOptions<StorageOptions> options, IServiceProvider services, ILogger<InstanceLeases> logger)
{
    private readonly ConcurrentDictionary<string, PostgresDistributedLock> _locks = new(StringComparer.Ordinal);

    /// <summary>True when several instances may run (PostgreSQL): work that is "once per interval" must then look at what another did.</summary>
    public bool Shared => options.Value.Provider == StorageProvider.PostgreSQL;

    /// <summary>Runs <paramref name="work"/> holding the lease <paramref name="name"/>; false when another instance kept it.</summary>
    public async Task<bool> RunAsync(string name, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(work);
        if (!Shared)
        {
            await work(cancellationToken);
            return true;
        }
        var @lock = _locks.GetOrAdd(name, key => new PostgresDistributedLock(
            new PostgresAdvisoryLockKey("diagnostics:" + key, allowHashing: true),
            services.GetRequiredService<PostgresConnectionFactory>().DataSource));
        await using var handle = await @lock.TryAcquireAsync(TimeSpan.Zero, cancellationToken);
        if (handle is null)
        {
            LogBusy(name);
            return false;
        }
        await work(cancellationToken);
        return true;
    }

    [LoggerMessage(EventId = StorageEventIds.LeaseBusy, Level = LogLevel.Debug, Message = "Lease {Lease} is held by another instance; its pass does the work")]
    private partial void LogBusy(string lease);
}
