using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Devices;

/// <summary>How pairing a device with its code went, and the device when it is now the customer's.</summary>
public sealed record PairedDevice(PairingOutcome Outcome, DeviceSummary? Device);

/// <summary>
/// The customer's one way into devices, for the API (<c>/api/me/devices</c>, <c>/api/devices/{id}</c>) and the
/// companion pages alike: only the devices the customer paired, each checked here once through
/// <see cref="DeviceAccess"/>; someone else's device reads exactly like one that does not exist (null), and the
/// refusal is logged (event 420) and counted here, whichever way the customer asked. Staff read the fleet through
/// <see cref="StaffDevices"/>, not here: the companion app is a customer's view of their own.
/// </summary>
public sealed partial class CustomerDevices(
    DeviceAccess access, IDeviceStore devices, IAccountStore accounts, Pairing pairing, CloudMetrics metrics, ILogger<CustomerDevices> logger)
{
    /// <summary>Summaries of every device the customer paired, in id order.</summary>
    public async Task<IReadOnlyList<DeviceSummary>> ListAsync(ClaimsPrincipal customer, CancellationToken cancellationToken) =>
        await devices.GetSummariesAsync(await access.OwnedDevicesAsync(customer, cancellationToken), cancellationToken);

    /// <summary>Details of every device the customer paired, in id order.</summary>
    public async Task<IReadOnlyList<DeviceDetails>> DetailsAsync(ClaimsPrincipal customer, CancellationToken cancellationToken)
    {
        var owned = await access.OwnedDevicesAsync(customer, cancellationToken);
        var details = new List<DeviceDetails>(owned.Count);
        foreach (var id in owned)
        {
            if (await devices.GetAsync(id, cancellationToken) is { } device)
                details.Add(device);
        }
        return details;
    }

    /// <summary>The device, or null when it does not exist or is not the customer's.</summary>
    public async Task<DeviceDetails?> GetAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken) =>
        await IsMineAsync(customer, deviceId, cancellationToken) ? await devices.GetAsync(deviceId, cancellationToken) : null;

    /// <summary>The device's events newest first; null when it does not exist or is not the customer's.</summary>
    public async Task<Paged<EventView>?> EventsAsync(ClaimsPrincipal customer, string deviceId, int page, int pageSize, CancellationToken cancellationToken) =>
        await IsMineAsync(customer, deviceId, cancellationToken) ? await devices.GetEventsAsync(deviceId, page, pageSize, cancellationToken) : null;

    /// <summary>The names the customer gave their devices ("Office printer"), by device id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NicknamesAsync(ClaimsPrincipal customer, CancellationToken cancellationToken) =>
        CustomerId(customer) is { } accountId ? await accounts.GetNicknamesAsync(accountId, cancellationToken) : new Dictionary<string, string>();

    /// <summary>
    /// Pairs the device showing <paramref name="code"/> and names it (when a valid <paramref name="nickname"/> is given;
    /// the caller checks it with <see cref="DeviceNickname.IsValid"/>).
    /// </summary>
    public async Task<PairedDevice> PairAsync(ClaimsPrincipal customer, string? code, string? nickname, CancellationToken cancellationToken)
    {
        if (CustomerId(customer) is not { } accountId)
            return new PairedDevice(PairingOutcome.NoSuchCode, null);
        var result = await pairing.PairAsync(accountId, code, cancellationToken);
        if (result.Outcome is not (PairingOutcome.Paired or PairingOutcome.AlreadyYours))
            return new PairedDevice(result.Outcome, null);
        if (DeviceNickname.Normalize(nickname) is { } name)
            await pairing.RenameAsync(accountId, result.DeviceId!, name, cancellationToken);
        // Paired, so registered: the summary is there unless the device was deleted in between.
        var summaries = await devices.GetSummariesAsync([result.DeviceId!], cancellationToken);
        return new PairedDevice(result.Outcome, summaries.Count > 0 ? summaries[0] : new DeviceSummary(result.DeviceId!, "", DeviceHealth.Unknown, DevicePresence.Offline, null, 0));
    }

    /// <summary>The customer's own name for a paired device; null or empty removes it. False when it is not their device.</summary>
    public async Task<bool> RenameAsync(ClaimsPrincipal customer, string deviceId, string? nickname, CancellationToken cancellationToken) =>
        CustomerId(customer) is { } accountId && await pairing.RenameAsync(accountId, deviceId, nickname, cancellationToken);

    /// <summary>False when it is not the customer's device.</summary>
    public async Task<bool> UnpairAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken) =>
        CustomerId(customer) is { } accountId && await pairing.UnpairAsync(accountId, deviceId, cancellationToken);

    private async Task<bool> IsMineAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken)
    {
        if (CustomerId(customer) is not null && await access.CanAccessAsync(customer, deviceId, cancellationToken))
            return true;
        metrics.AccessRefused(AccessRefusal.DeviceNotYours);
        LogRefused(customer.AccountId() ?? "anonymous", deviceId);
        return false;
    }

    /// <summary>The account of a signed-in customer; null for staff and anyone else.</summary>
    private static string? CustomerId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Customer) ? user.AccountId() : null;
    }

    [LoggerMessage(EventId = DevicesEventIds.DeviceAccessRefused, Level = LogLevel.Warning, Message = "Account {AccountId} asked for device {DeviceId}, which is not theirs")]
    private partial void LogRefused(string accountId, string deviceId);
}
