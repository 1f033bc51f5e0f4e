using System.Diagnostics;

using Diagnostics.Testing;

namespace Diagnostics.Protocol.Tests;

public sealed class ProtoSchemaTests
{
    private static string CommittedSchemaPath =>
        Path.Combine(RepositoryLayout.Root, "device", "Diagnostics.Protocol", ProtoSchema.FileName);

    [Fact]
    public void Committed_schema_matches_the_contracts()
    {
        var generated = ProtoSchema.Generate();
        if (Environment.GetEnvironmentVariable("DX_UPDATE_PROTO") == "1")
            File.WriteAllText(CommittedSchemaPath, generated);

        Assert.True(File.Exists(CommittedSchemaPath), $"{CommittedSchemaPath} is missing; run the tests once with DX_UPDATE_PROTO=1.");
        Assert.Equal(generated, File.ReadAllText(CommittedSchemaPath));
    }

    [Fact]
    public async Task Protoc_accepts_the_schema_and_decodes_an_agent_message()
    {
        var protoc = ExternalTools.Require("protoc", "apt-get install protobuf-compiler");

        var envelope = new Envelope
        {
            DeviceId = "printer-42",
            Sequence = 7,
            LowestRetainedSequence = 5,
            DeviceTimeUnixMs = 1_790_000_000_000,
            AgentVersion = "1.0.0",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent
            {
                Kind = EventKind.Raised,
                Code = "ipp:media-jam",
                Condition = Conditions.PaperJam,
                Severity = Severity.Error,
                Message = "Paper jam in tray 1",
            },
        };
        var bytes = WireCodec.Encode(envelope);
        var schemaDir = Path.GetDirectoryName(CommittedSchemaPath)!;

        var result = await ExternalTools.RunAsync(
            protoc, ["--proto_path=" + schemaDir, "--decode=diagnostics.protocol.Envelope", ProtoSchema.FileName],
            stdin: bytes, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, $"protoc failed: {result.StdErr}");
        Assert.Contains("DeviceId: \"printer-42\"", result.StdOut);
        Assert.Contains("Sequence: 7", result.StdOut);
        Assert.Contains("Code: \"ipp:media-jam\"", result.StdOut);
        Assert.Contains("Condition: \"PAPER_JAM\"", result.StdOut);
        Assert.Contains("Severity: Severity_Error", result.StdOut);
        Assert.Contains("Kind: EventKind_Raised", result.StdOut);
    }
}
