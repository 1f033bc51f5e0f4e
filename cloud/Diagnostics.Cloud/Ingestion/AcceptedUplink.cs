using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>An uplink that passed every check, with its original bytes (stored as they came).</summary>
public sealed record AcceptedUplink(Envelope Envelope, UplinkKind Kind, byte[] Payload, DateTimeOffset ReceivedAt);
