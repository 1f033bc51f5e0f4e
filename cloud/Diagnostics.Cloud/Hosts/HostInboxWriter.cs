using Diagnostics.Cloud.Messaging;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// Leaves each host report ingestion stores in <c>host_inbox</c>, in ingestion's transaction, for the host
/// inventory (<see cref="HostInboxStore"/> drains it).
/// </summary>
public sealed class HostInboxWriter() : EnvelopeInboxHandOff(HostInboxStore.Table, envelope => envelope.HostReport is not null);
