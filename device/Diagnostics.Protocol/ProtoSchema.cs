using ProtoBuf.Meta;

namespace Diagnostics.Protocol;

/// <summary>The .proto schema of the wire contracts, generated from the C# types (committed as diagnostics.proto).</summary>
public static class ProtoSchema
{
    public const string FileName = "diagnostics.proto";
    public const string Package = "diagnostics.protocol";

    public static string Generate()
    {
        var options = new SchemaGenerationOptions
        {
            Syntax = ProtoSyntax.Proto3,
            Package = Package,
            // proto3 enum values share the package's scope, so "Unspecified" twice would not compile.
            Flags = SchemaGenerationFlags.IncludeEnumNamePrefix,
        };
        options.Types.Add(typeof(Envelope));
        options.Types.Add(typeof(Ack));
        options.Types.Add(typeof(Presence));
        options.Types.Add(typeof(Command));
        options.Types.Add(typeof(ConsentSet));
        options.Types.Add(typeof(Updates.UpdateOffer));
        return RuntimeTypeModel.Default.GetSchema(options);
    }
}
