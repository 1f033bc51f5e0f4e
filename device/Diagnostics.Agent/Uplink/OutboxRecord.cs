using Diagnostics.Protocol;

namespace Diagnostics.Agent.Uplink;

/// <summary>One stored uplink message, ready to publish: <see cref="Payload"/> is the encoded envelope.</summary>
public sealed record OutboxRecord(ulong Sequence, UplinkKind Kind, byte[] Payload);
