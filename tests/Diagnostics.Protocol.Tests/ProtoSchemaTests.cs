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

    [Fact]
    public async Task Protoc_decodes_a_host_report_with_its_queues_and_drivers()
    {
        var protoc = ExternalTools.Require("protoc", "apt-get install protobuf-compiler");
        var envelope = new Envelope
        {
            DeviceId = "laptop-7",
            Sequence = 9,
            DeviceTimeUnixMs = 1_790_000_000_000,
            SchemaVersion = Envelope.CurrentSchemaVersion,
            HostReport = new Hosts.HostReport
            {
                System = new Hosts.HostSystem { HostName = "LAPTOP-7", Os = "linux", Architecture = "x64", PrintSystem = "CUPS 2.4.2", DriverFormats = [Protocol.Updates.DriverFormat.CupsPpd] },
                PrintSystemReachable = true,
                Queues = [new Hosts.PrintQueue { Name = "office", Driver = Hosts.QueueDriver.Ppd, DriverVersion = "1.0", PrinterUuid = "urn:uuid:28fba994-9694-3f2f-6ad0-75f711cf7977" }],
            },
        };
        var schemaDir = Path.GetDirectoryName(CommittedSchemaPath)!;

        var result = await ExternalTools.RunAsync(
            protoc, ["--proto_path=" + schemaDir, "--decode=diagnostics.protocol.Envelope", ProtoSchema.FileName],
            stdin: WireCodec.Encode(envelope), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, $"protoc failed: {result.StdErr}");
        Assert.Contains("HostName: \"LAPTOP-7\"", result.StdOut);
        Assert.Contains("DriverFormats: DriverFormat_CupsPpd", result.StdOut);
        Assert.Contains("Name: \"office\"", result.StdOut);
        Assert.Contains("Driver: QueueDriver_Ppd", result.StdOut);
        Assert.Contains("DriverVersion: \"1.0\"", result.StdOut);
        Assert.Equal(UplinkKind.HostReport, WireCodec.DecodeUplink(WireCodec.Encode(envelope)).Value!.Kind);
    }
}
