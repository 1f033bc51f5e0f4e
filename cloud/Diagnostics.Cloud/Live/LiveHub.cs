using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Diagnostics.Cloud.Live;

/// <summary>What a live client receives: <c>deviceChanged</c> for every device it may see, as it changes.</summary>
public interface ILiveClient
{
    Task DeviceChanged(LiveDeviceChange change);
}

/// <summary>A device change as sent to live clients (names and enums as the REST API writes them).</summary>
public sealed record LiveDeviceChange(
    string DeviceId,
    DateTimeOffset At,
    string? Health,
    string? Presence,
    IReadOnlyList<LiveDeviceEvent> Events);

public sealed record LiveDeviceEvent(string Kind, string Code, string Condition, string Severity, string Message);

/// <summary>The answer to <see cref="LiveHub.WatchDevice"/>: watching, or why not.</summary>
public sealed record LiveWatchResult(bool Watching, string? Error = null);

/// <summary>
/// SignalR hub at <c>/hubs/live</c> for programs and native apps. Staff receive every device's changes; a customer
/// receives only the devices they paired — joined at connect, or after pairing through <see cref="WatchDevice"/>, which
/// refuses anyone else's device.
/// </summary>
[Authorize]
public sealed partial class LiveHub(DeviceAccess access, CloudMetrics metrics, ILogger<LiveHub> logger) : Hub<ILiveClient>
{
    public const string Path = "/hubs/live";
    public const string FleetGroup = "fleet";

    // Refusals in the caller's language: the culture request localization chose for the connection's request.
    private static readonly LocalizedTexts Texts = new("Live.LiveHub");

    public static string DeviceGroup(string deviceId) => $"device:{deviceId}";

    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        if (user.IsStaff())
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, FleetGroup, Context.ConnectionAborted);
        }
        else
        {
            foreach (var deviceId in await access.OwnedDevicesAsync(user, Context.ConnectionAborted))
                await Groups.AddToGroupAsync(Context.ConnectionId, DeviceGroup(deviceId), Context.ConnectionAborted);
        }
        await base.OnConnectedAsync();
    }

    /// <summary>Starts sending this device's changes to the caller, if the caller may see the device.</summary>
    /// <remarks>A refusal is an answer, not an exception: SignalR logs a thrown HubException as a server error.</remarks>
    public async Task<LiveWatchResult> WatchDevice(string deviceId)
    {
        if (!await access.CanAccessAsync(Context.User!, deviceId, Context.ConnectionAborted))
        {
            metrics.AccessRefused(AccessRefusal.LiveChannel);
            LogRefused(Context.User!.AccountId() ?? "anonymous", deviceId);
            return new LiveWatchResult(false, Texts.Format("NoDevice", deviceId));
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, DeviceGroup(deviceId), Context.ConnectionAborted);
        return new LiveWatchResult(true);
    }

    [LoggerMessage(EventId = LiveEventIds.LiveWatchRefused, Level = LogLevel.Warning, Message = "Live channel: account {AccountId} may not watch device {DeviceId}")]
    private partial void LogRefused(string accountId, string deviceId);
}

/// <summary>Forwards the change feed to the hub's groups: all changes to staff, each device's to its watchers.</summary>
public sealed partial class LiveHubBroadcaster(FleetChanges changes, IHubContext<LiveHub, ILiveClient> hub, CloudMetrics metrics, ILogger<LiveHubBroadcaster> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (var change in await subscription.ReadBatchAsync(stoppingToken))
                    await SendAsync(change, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SendAsync(DeviceChange change, CancellationToken cancellationToken)
    {
        var message = new LiveDeviceChange(
            change.DeviceId,
            change.At,
            change.Health is { } health ? Devices.DeviceHealthRules.ToStorage(health) : null,
            change.Presence?.ToString().ToLowerInvariant(),
            [.. change.EventsOrEmpty.Select(e => new LiveDeviceEvent(e.Kind.ToString().ToLowerInvariant(), e.Code, e.Condition, e.Severity.ToString().ToLowerInvariant(), e.Message))]);
        try
        {
            await hub.Clients.Groups(FleetGroupAnd(change.DeviceId)).DeviceChanged(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Error("live.hub");
            LogFailed(ex, change.DeviceId);
        }
    }

    private static string[] FleetGroupAnd(string deviceId) => [LiveHub.FleetGroup, LiveHub.DeviceGroup(deviceId)];

    [LoggerMessage(EventId = LiveEventIds.LiveBroadcastFailed, Level = LogLevel.Error, Message = "Live change of device {DeviceId} could not be sent")]
    private partial void LogFailed(Exception exception, string deviceId);
}
