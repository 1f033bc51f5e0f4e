using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Ends the MQTT session of a device whose credentials were revoked or rotated. It follows the audit trail (every such
/// change has its record there), from the last record at start: the API calls it right after a change, so the session
/// is gone before the answer; it also reads every <see cref="BrokerOptions.RevocationCheckInterval"/>, for changes made
/// by the command line or another cloud instance. A device refused at its next CONNECT needs none of this; ending the
/// live session is what makes a revocation take effect at once.
/// </summary>
internal sealed partial class RevokedSessions(
    IDeviceCredentialStore store, IDeviceSessionEnding sessions, IOptions<BrokerOptions> options, TimeProvider time, CloudMetrics metrics,
    ILogger<RevokedSessions> logger) : BackgroundService, IDeviceSessions
{
    private const int BatchSize = 100;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _seen;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Revocations recorded before this start ended their sessions then; a restart has no session of theirs.
        _seen = await store.LastAuditSequenceAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public async Task EndRevokedSessionsAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<CredentialChange> changes;
            do
            {
                changes = await store.ChangesAfterAsync(_seen, BatchSize, cancellationToken);
                foreach (var change in changes)
                {
                    await sessions.EndAsync(change.DeviceId, revoked: change.Action != CredentialAuditActions.Rotated, cancellationToken);
                    _seen = change.Sequence;
                }
            }
            while (changes.Count == BatchSize);
        }
        finally
        {
            _reading.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await EndRevokedSessionsAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    metrics.Error("broker.revocations");
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    public override void Dispose()
    {
        _reading.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = BrokerEventIds.RevocationWatchFailed, Level = LogLevel.Error, Message = "Reading revoked credentials from the audit trail failed; trying again at the next interval")]
    private partial void LogFailed(Exception exception);
}
