using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Web.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Diagnostics.Cloud.Web.Companion;

/// <summary>
/// A companion page about the signed-in customer's devices, read always through <see cref="CustomerDevices"/>: a device
/// someone else owns reads exactly like one that does not exist.
/// </summary>
public abstract class CompanionPage : LiveComponent
{
    [Inject] protected CustomerDevices Devices { get; set; } = default!;

    [CascadingParameter] protected Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Details of every device the customer paired, in id order.</summary>
    protected async Task<IReadOnlyList<DeviceDetails>> MyDevicesAsync(CancellationToken cancellationToken) =>
        await Devices.DetailsAsync((await AuthenticationState).User, cancellationToken);

    /// <summary>The names the customer gave their devices ("Office printer"), by device id.</summary>
    protected async Task<IReadOnlyDictionary<string, string>> NicknamesAsync(CancellationToken cancellationToken) =>
        await Devices.NicknamesAsync((await AuthenticationState).User, cancellationToken);

    /// <summary>What the customer calls the device: their own name for it, else its model, else its id.</summary>
    public static string DisplayName(string deviceId, string? model, IReadOnlyDictionary<string, string> nicknames)
    {
        ArgumentNullException.ThrowIfNull(nicknames);
        return nicknames.TryGetValue(deviceId, out var nickname) ? nickname : string.IsNullOrWhiteSpace(model) ? deviceId : model;
    }

    /// <summary>The device, or null when it does not exist or is not the customer's.</summary>
    protected async Task<DeviceDetails?> MyDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        await Devices.GetAsync((await AuthenticationState).User, deviceId, cancellationToken);
}
