using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Web.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Diagnostics.Cloud.Web.Companion;

/// <summary>
/// A companion page about the signed-in customer's devices, read always through <see cref="DeviceAccess"/>: a device
/// someone else owns reads exactly like one that does not exist.
/// </summary>
public abstract class CompanionPage : LiveComponent
{
    [Inject] private DeviceAccess Access { get; set; } = default!;

    [Inject] private IDeviceStore Devices { get; set; } = default!;

    [Inject] private IAccountStore Accounts { get; set; } = default!;

    [CascadingParameter] protected Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Details of every device the customer paired, in id order.</summary>
    protected async Task<IReadOnlyList<DeviceDetails>> MyDevicesAsync(CancellationToken cancellationToken)
    {
        var user = (await AuthenticationState).User;
        var owned = await Access.OwnedDevicesAsync(user, cancellationToken);
        var details = new List<DeviceDetails>(owned.Count);
        foreach (var id in owned)
        {
            if (await Devices.GetAsync(id, cancellationToken) is { } device)
                details.Add(device);
        }
        return details;
    }

    /// <summary>The names the customer gave their devices ("Office printer"), by device id.</summary>
    protected async Task<IReadOnlyDictionary<string, string>> NicknamesAsync(CancellationToken cancellationToken)
    {
        var user = (await AuthenticationState).User;
        return user.AccountId() is { } accountId ? await Accounts.GetNicknamesAsync(accountId, cancellationToken) : new Dictionary<string, string>();
    }

    /// <summary>What the customer calls the device: their own name for it, else its model, else its id.</summary>
    public static string DisplayName(string deviceId, string? model, IReadOnlyDictionary<string, string> nicknames)
    {
        ArgumentNullException.ThrowIfNull(nicknames);
        return nicknames.TryGetValue(deviceId, out var nickname) ? nickname : string.IsNullOrWhiteSpace(model) ? deviceId : model;
    }

    /// <summary>The device, or null when it does not exist or is not the customer's.</summary>
    protected async Task<DeviceDetails?> MyDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        var user = (await AuthenticationState).User;
        // Staff may reach every device, but the companion app is a customer's view of their own.
        if (!user.IsInRole(Roles.Customer) || !await Access.CanAccessAsync(user, deviceId, cancellationToken))
            return null;
        return await Devices.GetAsync(deviceId, cancellationToken);
    }
}
