using ProtoBuf;
using ProtoBuf.Meta;

namespace Diagnostics.Protocol;

/// <summary>
/// The wire contracts' serializers, generated at compile time by protobuf-net's build tools (3.3 and later) instead of
/// emitted at run time by <see cref="RuntimeTypeModel"/>: the agent can then be published with Native AOT (no IL
/// emitter there) and trimmed without losing members the runtime model reflects over, and no process pays for the
/// emit on its first message. Every contract is listed, because <see cref="WireCodec"/> takes any of them.
/// </summary>
/// <remarks>
/// The model is closed: a contract the generator cannot handle is left out with a build warning (an error here), and
/// using it throws instead of falling back to reflection. The bytes are the runtime model's: the protocol tests
/// compare both on every message kind.
/// </remarks>
[ProtoModel]
[ProtoSerializable(typeof(Envelope))]
[ProtoSerializable(typeof(DeviceStatus))]
[ProtoSerializable(typeof(DeviceEvent))]
[ProtoSerializable(typeof(Heartbeat))]
[ProtoSerializable(typeof(CommandResult))]
[ProtoSerializable(typeof(Ack))]
[ProtoSerializable(typeof(Presence))]
[ProtoSerializable(typeof(Command))]
[ProtoSerializable(typeof(ConsentSet))]
[ProtoSerializable(typeof(Updates.UpdateManifest))]
[ProtoSerializable(typeof(Updates.ManifestSignature))]
[ProtoSerializable(typeof(Updates.SignedManifest))]
[ProtoSerializable(typeof(Updates.UpdateOffer))]
[ProtoSerializable(typeof(Updates.UpdateReport))]
public sealed partial class ProtocolModel : TypeModel
{
}
