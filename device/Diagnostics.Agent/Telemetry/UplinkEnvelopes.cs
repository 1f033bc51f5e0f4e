using System.Reflection;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Telemetry;

/// <summary>Wraps payloads into envelopes stamped with this device's id, the device clock and the agent version.</summary>
public sealed class UplinkEnvelopes(string deviceId, TimeProvider time)
{
    public static string AgentVersion { get; } =
        typeof(UplinkEnvelopes).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public string DeviceId { get; } = deviceId;

    public Envelope Status(DeviceStatus status) => Create(e => e.Status = status);

    public Envelope Event(DeviceEvent deviceEvent) => Create(e => e.Event = deviceEvent);

    public Envelope Heartbeat(Heartbeat heartbeat) => Create(e => e.Heartbeat = heartbeat);

    public Envelope CommandResult(CommandResult result) => Create(e => e.CommandResult = result);

    public Envelope UpdateReport(Protocol.Updates.UpdateReport report) => Create(e => e.UpdateReport = report);

    public Envelope HostReport(Protocol.Hosts.HostReport report) => Create(e => e.HostReport = report);

    private Envelope Create(Action<Envelope> setPayload)
    {
        var envelope = new Envelope
        {
            DeviceId = DeviceId,
            DeviceTimeUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            AgentVersion = AgentVersion,
            SchemaVersion = Envelope.CurrentSchemaVersion,
        };
        setPayload(envelope);
        return envelope;
    }
}
