using System.Collections.Concurrent;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>The devices with a fix card in an open session: the watcher wakes for their changes only.</summary>
public sealed class FixCardDevices
{
    private readonly ConcurrentDictionary<string, byte> _devices = new(StringComparer.Ordinal);

    public bool Contains(string deviceId) => _devices.ContainsKey(deviceId);

    public void Watch(string deviceId) => _devices.TryAdd(deviceId, 0);

    /// <summary>Replaces the set with what the store says now (cards of closed sessions drop out).</summary>
    public void Reset(IEnumerable<string> deviceIds)
    {
        var now = deviceIds.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _devices.Keys.Where(id => !now.Contains(id)))
            _devices.TryRemove(id, out _);
        foreach (var id in now)
            _devices.TryAdd(id, 0);
    }
}

/// <summary>
/// Looks after open sessions. It tells each how its fix cards ended, once: the bot says the fix worked (and, while the
/// session is still the bot's, closes it as solved without a person), or that it failed (and hands over to a person).
/// And it ends conversations with the assistant that the customer left for <see cref="SupportOptions.BotIdleTimeout"/>.
/// Wakes when a watched device changes and otherwise every <see cref="SupportOptions.FixCheckInterval"/>.
/// </summary>
public sealed partial class SupportWatcher(
    SupportMessageStore messageStore, SqliteFixStore fixes, SupportService support, SessionCards sessionCards, FixCardDevices watched, FleetChanges changes, InstanceLeases leases,
    IOptions<SupportOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<SupportWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumPassInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe(change => watched.Contains(change.DeviceId));
        await PassLoop.RunAsync(async ct =>
        {
            try
            {
                await leases.RunAsync("support-watch", PassAsync, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                metrics.Error("support.watch");
                LogPassFailed(exception);
            }
        }, async ct => await subscription.ReadBatchAsync(ct), MinimumPassInterval, () => options.Value.FixCheckInterval, time, stoppingToken);
    }

    /// <summary>
    /// One look at every fix card of the open sessions (an outcome already told is not told again: its client id), then
    /// at conversations left with the assistant.
    /// </summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var cards = await messageStore.OpenSessionCardsAsync(MessageKind.Fix, cancellationToken);
        var devices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in cards)
        {
            if (SupportCardText.Read<FixCard>(message.Body) is not { } card)
                continue;
            devices.Add(card.DeviceId);
            if (await fixes.GetAsync(card.ProposalId, cancellationToken) is not { } proposal || proposal.State.IsOpen() || proposal.State == FixState.Advice)
                continue;
            await sessionCards.FixEndedAsync(message.SessionId, proposal, cancellationToken);
        }
        watched.Reset(devices);
        await support.CloseIdleBotSessionsAsync(time.GetUtcNow() - options.Value.BotIdleTimeout, cancellationToken);
    }

    [LoggerMessage(EventId = SupportEventIds.SupportWatchFailed, Level = LogLevel.Error, Message = "A pass over the open support sessions failed; the next pass tries again")]
    private partial void LogPassFailed(Exception exception);
}
