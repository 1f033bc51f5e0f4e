using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Updates;

/// <summary>One rollout as the rollout page shows it: the summary and every device in it.</summary>
public sealed record StaffRollout(RolloutView View, IReadOnlyList<RolloutDevice> Devices);

/// <summary>What a supervisor may do to a running rollout.</summary>
public enum RolloutChange
{
    Pause,
    Resume,
    Cancel,
}

/// <summary>
/// Staff's one way into rollouts, for the API (<c>/api/updates/rollouts</c>, <c>/api/devices/{id}/updates</c>) and the
/// dashboard pages alike (rollout list and page, the device page's updates): staff read, supervisors start and steer;
/// each checked here once. Anyone else reads nothing (an empty list, an unknown rollout) and changes nothing.
/// </summary>
public sealed class StaffRollouts(RolloutStore store, RolloutService rollouts)
{
    public async Task<IReadOnlyList<RolloutView>> ListAsync(ClaimsPrincipal staff, CancellationToken cancellationToken)
    {
        if (!staff.IsStaff())
            return [];
        var views = new List<RolloutView>();
        foreach (var rollout in await store.ListRolloutsAsync(cancellationToken))
            views.Add(RolloutView.Of(rollout, await store.DevicesOfRolloutAsync(rollout.Id, cancellationToken)));
        return views;
    }

    /// <summary>The rollout and its devices; null when there is none by that id (or the reader is not staff).</summary>
    public async Task<StaffRollout?> GetAsync(ClaimsPrincipal staff, string rolloutId, CancellationToken cancellationToken)
    {
        if (!staff.IsStaff() || await store.GetRolloutAsync(rolloutId, cancellationToken) is not { } rollout)
            return null;
        var devices = await store.DevicesOfRolloutAsync(rolloutId, cancellationToken);
        return new StaffRollout(RolloutView.Of(rollout, devices), devices);
    }

    /// <summary>Every rollout that reached the device, newest first as the store keeps them.</summary>
    public async Task<IReadOnlyList<RolloutDevice>> OfDeviceAsync(ClaimsPrincipal staff, string deviceId, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.RolloutsOfDeviceAsync(deviceId, cancellationToken) : [];

    public async Task<RolloutResult<RolloutView>> CreateAsync(ClaimsPrincipal supervisor, RolloutSpec spec, CancellationToken cancellationToken)
    {
        if (!supervisor.IsSupervisor())
            return new(null, RolloutError.Invalid, UpdateExplanations.Text("NotSupervisor"));
        return await ViewAsync(await rollouts.CreateAsync(spec, supervisor.Signature(), cancellationToken), withNote: true, cancellationToken);
    }

    public async Task<RolloutResult<RolloutView>> ChangeAsync(ClaimsPrincipal supervisor, string rolloutId, RolloutChange change, CancellationToken cancellationToken)
    {
        if (!supervisor.IsSupervisor())
            return new(null, RolloutError.Invalid, UpdateExplanations.Text("NotSupervisor"));
        var actor = supervisor.Signature();
        var result = change switch
        {
            RolloutChange.Pause => await rollouts.PauseAsync(rolloutId, actor, cancellationToken),
            RolloutChange.Resume => await rollouts.ResumeAsync(rolloutId, actor, cancellationToken),
            RolloutChange.Cancel => await rollouts.CancelAsync(rolloutId, actor, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Not a change of a rollout."),
        };
        return await ViewAsync(result, withNote: false, cancellationToken);
    }

    /// <summary>The service's result with the rollout as staff see it; a created rollout carries the service's remark (e.g. devices left out) as its note.</summary>
    private async Task<RolloutResult<RolloutView>> ViewAsync(RolloutResult<Rollout> result, bool withNote, CancellationToken cancellationToken) =>
        result.Value is { } rollout
            ? new(RolloutView.Of(rollout, await store.DevicesOfRolloutAsync(rollout.Id, cancellationToken), withNote && result.Detail.Length > 0 ? result.Detail : null), result.Error, result.Detail)
            : new(null, result.Error, result.Detail);
}
