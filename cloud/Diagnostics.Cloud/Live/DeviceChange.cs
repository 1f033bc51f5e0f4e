using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Live;

/// <summary>
/// What just changed on one device, announced after it is stored: a new status (with the health it implies), events
/// raised or cleared, command results, update steps, a host's print queues (<c>HostReported</c>: re-read once the host inventory applied it), or presence (<c>ReadyForDownlink</c>: the device has just (re)subscribed to its downlink, so what waits for it can go). Live views re-read what they show; the change tells them whether and what to re-read.
/// </summary>
public sealed record DeviceChange(
    string DeviceId,
    DateTimeOffset At,
    DeviceHealth? Health = null,
    DevicePresence? Presence = null,
    IReadOnlyList<DeviceEvent>? Events = null,
    IReadOnlyList<CommandResult>? CommandResults = null,
    bool ReadyForDownlink = false,
    IReadOnlyList<Protocol.Updates.UpdateReport>? UpdateReports = null,
    bool HostReported = false)
{
    public IReadOnlyList<DeviceEvent> EventsOrEmpty => Events ?? [];

    /// <summary>True when a problem was raised (<see cref="DeviceHealthRules.IsProblem"/>): what customers get notified about.</summary>
    public bool RaisesProblem => EventsOrEmpty.Any(e => e.Kind == EventKind.Raised && DeviceHealthRules.IsProblem(e.Severity, e.Condition));
}
