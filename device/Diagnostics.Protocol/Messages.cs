using ProtoBuf;

namespace Diagnostics.Protocol;

/// <summary>Every uplink message: who sent it, its place in the device's stream, and one payload.</summary>
/// <remarks>
/// The sequence number is per device, strictly increasing and never reused, even across reboots and agent
/// reinstalls (the agent seeds a fresh stream from the clock). The cloud stores each (device, sequence) once and
/// acknowledges the highest contiguous sequence it has stored.
/// </remarks>
[ProtoContract]
public sealed class Envelope
{
    public const int CurrentSchemaVersion = 1;

    [ProtoMember(1)] public string DeviceId { get; set; } = "";
    [ProtoMember(2)] public ulong Sequence { get; set; }
    /// <summary>Device clock when the message was created, Unix milliseconds.</summary>
    [ProtoMember(3)] public long DeviceTimeUnixMs { get; set; }
    [ProtoMember(4)] public string AgentVersion { get; set; } = "";
    /// <summary>Set by the sender to <see cref="CurrentSchemaVersion"/>; zero means it did not say, which is malformed.</summary>
    [ProtoMember(5)] public int SchemaVersion { get; set; }
    /// <summary>
    /// The lowest sequence the agent still holds when it sends this message. Anything below it that the cloud
    /// has not stored was discarded on the device (outbox overflow policy) and will never come: the cloud moves
    /// its contiguous mark past the gap instead of waiting forever.
    /// </summary>
    [ProtoMember(6)] public ulong LowestRetainedSequence { get; set; }

    [ProtoMember(10)] public DeviceStatus? Status { get; set; }
    [ProtoMember(11)] public DeviceEvent? Event { get; set; }
    [ProtoMember(12)] public Heartbeat? Heartbeat { get; set; }
    [ProtoMember(13)] public CommandResult? CommandResult { get; set; }
    [ProtoMember(14)] public Updates.UpdateReport? UpdateReport { get; set; }
    [ProtoMember(15)] public Hosts.HostReport? HostReport { get; set; }

    /// <summary>The kind of payload carried, or null when there is none or more than one (both malformed).</summary>
    public UplinkKind? Kind => (Status, Event, Heartbeat, CommandResult, UpdateReport, HostReport) switch
    {
        ({ }, null, null, null, null, null) => UplinkKind.Status,
        (null, { }, null, null, null, null) => UplinkKind.Event,
        (null, null, { }, null, null, null) => UplinkKind.Heartbeat,
        (null, null, null, { }, null, null) => UplinkKind.CommandResult,
        (null, null, null, null, { }, null) => UplinkKind.UpdateReport,
        (null, null, null, null, null, { }) => UplinkKind.HostReport,
        _ => null,
    };
}

/// <summary>The kinds of uplink message, each published on its own topic (<see cref="Topics"/>).</summary>
public enum UplinkKind
{
    Status = 1,
    Event = 2,
    Heartbeat = 3,
    /// <summary>What the device did with a command: sent through the outbox like any event, so it is never lost.</summary>
    CommandResult = 4,
    /// <summary>One step of an update (<see cref="Updates.UpdateReport"/>), through the outbox so no step is lost.</summary>
    UpdateReport = 5,
    /// <summary>A host's print queues and their drivers (<see cref="Hosts.HostReport"/>), from an agent in the host role.</summary>
    HostReport = 6,
}

/// <summary>A full snapshot of the device, sent when anything in it changes and with heartbeats.</summary>
[ProtoContract]
public sealed class DeviceStatus
{
    [ProtoMember(1)] public string Model { get; set; } = "";
    [ProtoMember(2)] public string Serial { get; set; } = "";
    [ProtoMember(3)] public string FirmwareVersion { get; set; } = "";
    [ProtoMember(4)] public DeviceState State { get; set; }
    /// <summary>Free text from the device (IPP printer-state-message): show it, never match on it.</summary>
    [ProtoMember(5)] public string StateMessage { get; set; } = "";
    [ProtoMember(6)] public List<ActiveCondition> Conditions { get; set; } = [];
    [ProtoMember(7)] public List<SupplyLevel> Supplies { get; set; } = [];
    [ProtoMember(8)] public List<Counter> Counters { get; set; } = [];
}

/// <summary>Overall device state, after IPP printer-state (idle 3, processing 4, stopped 5) plus what IPP lacks.</summary>
public enum DeviceState
{
    Unknown = 0,
    Idle = 3,
    Processing = 4,
    Stopped = 5,
    /// <summary>The agent runs but cannot reach the device it watches.</summary>
    Unreachable = 6,
}

/// <summary>How bad a condition is, after the IPP suffixes -report, -warning and -error.</summary>
public enum Severity
{
    Unspecified = 0,
    Report = 1,
    Warning = 2,
    Error = 3,
}

/// <summary>A condition the device reports as active now.</summary>
[ProtoContract]
public sealed class ActiveCondition
{
    /// <summary>Source and code as the device reports it: <c>ipp:media-jam</c>, <c>prtAlert:8</c>, <c>hp:13.20.00</c>.</summary>
    [ProtoMember(1)] public string Code { get; set; } = "";
    /// <summary>The normalized condition this code means (see <see cref="Conditions"/>), empty when none is known.</summary>
    [ProtoMember(2)] public string Condition { get; set; } = "";
    [ProtoMember(3)] public Severity Severity { get; set; }
    [ProtoMember(4)] public string Message { get; set; } = "";
    [ProtoMember(5)] public long SinceUnixMs { get; set; }
}

[ProtoContract]
public sealed class SupplyLevel
{
    [ProtoMember(1)] public string Name { get; set; } = "";
    /// <summary>PWG 5100.13 supply type: toner, ink, wasteToner, media ...</summary>
    [ProtoMember(2)] public string Type { get; set; } = "";
    [ProtoMember(3)] public string Color { get; set; } = "";
    /// <summary>
    /// 0..100; negative as IPP marker-levels: -1 unavailable, -2 unknown, -3 unknown but not empty. For a receptacle
    /// (wasteToner, wasteInk ...) how full it is, as IPP printers report it: <see cref="Low"/> then means almost full
    /// and <see cref="Empty"/> full (no room left).
    /// </summary>
    [ProtoMember(4, DataFormat = DataFormat.ZigZag)] public int LevelPercent { get; set; }
    [ProtoMember(5)] public bool Low { get; set; }
    [ProtoMember(6)] public bool Empty { get; set; }
    /// <summary>
    /// The level as the device counts it, in <see cref="Unit"/> (Printer-MIB prtMarkerSuppliesLevel, PWG 5100.13
    /// printer-supply level); negative as <see cref="LevelPercent"/>. Zero with an empty unit when not reported.
    /// </summary>
    [ProtoMember(7, DataFormat = DataFormat.ZigZag)] public int Level { get; set; }
    /// <summary>The most the supply holds, in <see cref="Unit"/>: -1 no limit, -2 unknown (RFC 3805), 0 not reported.</summary>
    [ProtoMember(8, DataFormat = DataFormat.ZigZag)] public int MaxCapacity { get; set; }
    /// <summary>What <see cref="Level"/> counts: <c>percent</c>, <c>impressions</c>, <c>tenthsOfGrams</c> ... (RFC 3805 PrtMarkerSuppliesSupplyUnitTC); empty when not reported.</summary>
    [ProtoMember(9)] public string Unit { get; set; } = "";

    /// <summary>The device reports a level in its own units but not how much the supply holds, so no percentage can be given.</summary>
    public bool CapacityUnknown => MaxCapacity == -2 && Level >= 0 && Unit.Length > 0 && Unit != "percent";
}

[ProtoContract]
public sealed class Counter
{
    [ProtoMember(1)] public string Name { get; set; } = "";
    [ProtoMember(2)] public long Value { get; set; }
}

/// <summary>A condition raised or cleared.</summary>
[ProtoContract]
public sealed class DeviceEvent
{
    [ProtoMember(1)] public EventKind Kind { get; set; }
    [ProtoMember(2)] public string Code { get; set; } = "";
    [ProtoMember(3)] public string Condition { get; set; } = "";
    [ProtoMember(4)] public Severity Severity { get; set; }
    [ProtoMember(5)] public string Message { get; set; } = "";
}

public enum EventKind
{
    Unspecified = 0,
    Raised = 1,
    Cleared = 2,
}

/// <summary>Periodic liveness and agent health; carries metrics that are cheap to send often.</summary>
[ProtoContract]
public sealed class Heartbeat
{
    [ProtoMember(1)] public long UptimeSeconds { get; set; }
    /// <summary>Messages waiting in the agent's outbox when this heartbeat was created.</summary>
    [ProtoMember(2)] public long OutboxDepth { get; set; }
    /// <summary>Messages the outbox's overflow policy has discarded since the outbox was created.</summary>
    [ProtoMember(3)] public long OutboxDiscarded { get; set; }
    [ProtoMember(4)] public List<Metric> Metrics { get; set; } = [];
    /// <summary>Seconds between heartbeats; the cloud marks the device offline after missing a few.</summary>
    [ProtoMember(5)] public int IntervalSeconds { get; set; }
    /// <summary>The short code the device shows its owner; a customer enters it in the companion app to pair.</summary>
    [ProtoMember(6)] public string PairingCode { get; set; } = "";
}

[ProtoContract]
public sealed class Metric
{
    [ProtoMember(1)] public string Name { get; set; } = "";
    [ProtoMember(2)] public double Value { get; set; }
    [ProtoMember(3)] public string Unit { get; set; } = "";
}

/// <summary>Cloud to device: every sequence up to and including this one is stored and may leave the outbox.</summary>
[ProtoContract]
public sealed class Ack
{
    [ProtoMember(1)] public string DeviceId { get; set; } = "";
    [ProtoMember(2)] public ulong HighestContiguousSequence { get; set; }
    [ProtoMember(3)] public long CloudTimeUnixMs { get; set; }
}

/// <summary>Retained on the presence topic: online on connect, offline as the connection's last will.</summary>
[ProtoContract]
public sealed class Presence
{
    [ProtoMember(1)] public bool Online { get; set; }
    [ProtoMember(2)] public string AgentVersion { get; set; } = "";
}

/// <summary>
/// Cloud to device (<c>dx/{id}/down/command</c>, QoS 1): run a command. Sent again on every reconnect until the
/// device reports a result or it expires, so the device runs each <see cref="CommandId"/> at most once and answers a
/// repeat with the result it already has.
/// </summary>
[ProtoContract]
public sealed class Command
{
    /// <summary>Unique per command; the device's idempotency key.</summary>
    [ProtoMember(1)] public string CommandId { get; set; } = "";
    /// <summary>One of <see cref="DeviceCommands"/>; anything else is refused with a failed result.</summary>
    [ProtoMember(2)] public string Name { get; set; } = "";
    [ProtoMember(3)] public List<CommandParameter> Parameters { get; set; } = [];
    [ProtoMember(4)] public long IssuedUnixMs { get; set; }
    /// <summary>After this the device refuses to start it (an approval is for now, not for whenever the device wakes).</summary>
    [ProtoMember(5)] public long ExpiresUnixMs { get; set; }
    /// <summary>The customer's consent the command acts on; the device checks it again before acting.</summary>
    [ProtoMember(6)] public ConsentGrant? Consent { get; set; }
}

[ProtoContract]
public sealed class CommandParameter
{
    [ProtoMember(1)] public string Name { get; set; } = "";
    [ProtoMember(2)] public string Value { get; set; } = "";
}

/// <summary>
/// A customer's consent: one approval (bound to one command) or a standing policy for an action on this device until
/// it expires or is revoked. The device refuses a command whose consent is for another action than the command needs
/// (by the device's own table), has expired by the device's clock, or was revoked (absent from a newer
/// <see cref="ConsentSet"/>).
/// </summary>
[ProtoContract]
public sealed class ConsentGrant
{
    [ProtoMember(1)] public string ConsentId { get; set; } = "";
    [ProtoMember(2)] public ConsentAction Action { get; set; }
    [ProtoMember(3)] public long GrantedUnixMs { get; set; }
    [ProtoMember(4)] public long ExpiresUnixMs { get; set; }
    /// <summary>Set for a one-time approval: the only command this consent covers.</summary>
    [ProtoMember(5)] public string CommandId { get; set; } = "";
    /// <summary>Who gave it, for the device's own log.</summary>
    [ProtoMember(6)] public string GrantedBy { get; set; } = "";
}

/// <summary>
/// Cloud to device, retained on <c>dx/{id}/down/consent</c>: every standing consent in force for the device. A newer
/// set replaces the older; a standing grant issued before it and missing from it was revoked. One-time approvals are
/// never listed: each is bound to its one command and ends with that command's expiry (it cannot be withdrawn earlier).
/// </summary>
[ProtoContract]
public sealed class ConsentSet
{
    [ProtoMember(1)] public long IssuedUnixMs { get; set; }
    [ProtoMember(2)] public List<ConsentGrant> Grants { get; set; } = [];
}

/// <summary>How a command ended on the device.</summary>
public enum CommandOutcome
{
    Unspecified = 0,
    Succeeded = 1,
    /// <summary>It ran and did not work, or the device does not support it.</summary>
    Failed = 2,
    /// <summary>It did not run: unknown command, malformed parameters, missing or wrong consent.</summary>
    Refused = 3,
    /// <summary>It did not run: it arrived after its expiry.</summary>
    Expired = 4,
}

/// <summary>Device to cloud: the end of one command.</summary>
[ProtoContract]
public sealed class CommandResult
{
    [ProtoMember(1)] public string CommandId { get; set; } = "";
    [ProtoMember(2)] public string Name { get; set; } = "";
    [ProtoMember(3)] public CommandOutcome Outcome { get; set; }
    /// <summary>What happened, in words an agent can read ("resumed", "no such printer operation", "consent expired").</summary>
    [ProtoMember(4)] public string Detail { get; set; } = "";
    [ProtoMember(5)] public long StartedUnixMs { get; set; }
    [ProtoMember(6)] public long FinishedUnixMs { get; set; }
}
