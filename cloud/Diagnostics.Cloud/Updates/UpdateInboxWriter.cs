using Diagnostics.Cloud.Messaging;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Leaves each update report ingestion stores in <c>update_inbox</c>, in ingestion's transaction, for the rollout
/// scheduler (<see cref="UpdateInboxStore"/> drains it).
/// </summary>
public sealed class UpdateInboxWriter() : EnvelopeInboxHandOff(UpdateInboxStore.Table, envelope => envelope.UpdateReport is not null);
