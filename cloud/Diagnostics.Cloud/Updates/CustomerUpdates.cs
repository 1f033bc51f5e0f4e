using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>What the customer decides about an update offered to one of their devices.</summary>
public enum UpdateDecision
{
    Approve,
    Decline,
    RemindLater,
}

/// <summary>
/// The customer's one way into updates, for the API (<c>/api/me/updates</c>, maintenance windows) and the companion
/// pages alike: only devices the customer paired, checked here once; someone else's device reads exactly like one
/// that is not in the rollout (null, or <see cref="RolloutError.NotFound"/>).
/// </summary>
public sealed class CustomerUpdates(DeviceAccess access, RolloutStore store, UpdatePackageStore packages, RolloutService rollouts, MaintenanceWindowStore windows, TimeProvider time)
{
    /// <summary>Every update offered to any of the customer's devices, newest change first.</summary>
    public async Task<IReadOnlyList<MyUpdateView>> ListAsync(ClaimsPrincipal customer, CancellationToken cancellationToken)
    {
        var views = new List<MyUpdateView>();
        foreach (var deviceId in await access.OwnedDevicesAsync(customer, cancellationToken))
            views.AddRange(await OfDeviceAsync(deviceId, int.MaxValue, cancellationToken));
        return [.. views.OrderByDescending(v => v.UpdatedAt)];
    }

    /// <summary>The device's latest <paramref name="max"/> offered updates; null when it is not the customer's device.</summary>
    public async Task<IReadOnlyList<MyUpdateView>?> DeviceAsync(ClaimsPrincipal customer, string deviceId, int max, CancellationToken cancellationToken) =>
        await access.CanAccessAsync(customer, deviceId, cancellationToken) ? await OfDeviceAsync(deviceId, max, cancellationToken) : null;

    public async Task<RolloutResult<MyUpdateView>> DecideAsync(ClaimsPrincipal customer, string rolloutId, string deviceId, UpdateDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        // Someone else's device reads exactly like a device that is not in the rollout: nothing to learn by probing.
        if (!await access.CanAccessAsync(customer, deviceId, cancellationToken))
            return RolloutResult<MyUpdateView>.Fail(RolloutError.NotFound, UpdateExplanations.Text("NotInRollout", deviceId, rolloutId));
        var result = decision switch
        {
            UpdateDecision.Approve => await rollouts.ApproveAsync(rolloutId, deviceId, customer.Signature(), cancellationToken),
            UpdateDecision.Decline => await rollouts.DeclineAsync(rolloutId, deviceId, customer.Signature(), cancellationToken),
            _ => await rollouts.RemindLaterAsync(rolloutId, deviceId, customer.Signature(), cancellationToken),
        };
        return result.Error == RolloutError.None
            ? RolloutResult<MyUpdateView>.Ok((await ViewAsync(result.Value!, cancellationToken))!, result.Detail)
            : RolloutResult<MyUpdateView>.Fail(result.Error, result.Detail);
    }

    /// <summary>When updates may install on the device; null when it is not the customer's device.</summary>
    public async Task<MaintenanceWindow?> WindowAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken) =>
        await access.CanAccessAsync(customer, deviceId, cancellationToken) ? await windows.WindowAsync(deviceId, cancellationToken) : null;

    /// <summary>Stores the window (checked by the caller); false when it is not the customer's device.</summary>
    public async Task<bool> SetWindowAsync(ClaimsPrincipal customer, string deviceId, MaintenanceWindow window, CancellationToken cancellationToken)
    {
        if (!await access.CanAccessAsync(customer, deviceId, cancellationToken))
            return false;
        await windows.SetWindowAsync(deviceId, window, cancellationToken);
        return true;
    }

    private async Task<List<MyUpdateView>> OfDeviceAsync(string deviceId, int max, CancellationToken cancellationToken)
    {
        var views = new List<MyUpdateView>();
        foreach (var device in (await store.RolloutsOfDeviceAsync(deviceId, cancellationToken)).Where(d => d.State != DeviceUpdateState.Pending).Take(max))
        {
            if (await ViewAsync(device, cancellationToken) is { } view)
                views.Add(view);
        }
        return views;
    }

    /// <summary>The offer as its owner sees it: what it brings, where it stands, and what they may still decide.</summary>
    private async Task<MyUpdateView?> ViewAsync(RolloutDevice device, CancellationToken cancellationToken)
    {
        var rollout = await store.GetRolloutAsync(device.RolloutId, cancellationToken);
        if (rollout is null)
            return null;
        var now = time.GetUtcNow();
        var package = await packages.GetPackageAsync(device.PackageId ?? rollout.Spec.PackageId, cancellationToken);
        var open = rollout.State is RolloutState.Running or RolloutState.Paused or RolloutState.Halted;
        var deciding = open && device.State is DeviceUpdateState.Offered or DeviceUpdateState.Deferred;
        var deferralEnds = device.FirstOfferedAt + TimeSpan.FromSeconds(rollout.Spec.MaxDeferralSeconds);
        return new MyUpdateView(rollout.Id, device.DeviceId, rollout.Version, device.FromVersion, package?.Manifest.ReleaseNotes ?? "",
            package?.Manifest.PayloadSize ?? 0, device.State.ToStorage(), device.Percent, device.Failure, device.Detail,
            CanApprove: deciding, CanDecline: open && (deciding || device.State == DeviceUpdateState.Approved),
            CanRemindLater: open && (deciding || device.State == DeviceUpdateState.Approved) && (deferralEnds is null || deferralEnds > now),
            device.DeferredUntil, deferralEnds, device.NotBefore, device.UpdatedAt,
            package?.Manifest.Kind == PackageKind.Driver ? "driver" : "firmware", package?.Manifest.Models ?? [], device.DeviceDetail);
    }
}
