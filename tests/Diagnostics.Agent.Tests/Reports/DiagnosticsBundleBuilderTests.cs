using System.Text.Json;
using Diagnostics.Agent.Reports;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Reports;

/// <summary>The report's sections, their order, what never leaves the device, and the size cap.</summary>
public sealed partial class DiagnosticsBundleBuilderTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static readonly DeviceStatus Status = new()
    {
        Model = "Acme LaserPro 400",
        Serial = "SN-1",
        State = DeviceState.Stopped,
        StateMessage = "paper jam",
        Conditions = [new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error }],
    };

    private static readonly KeyValuePair<string, string?>[] Configuration =
    [
        new("Agent:DeviceId", "printer-1"),
        new("Agent:Token", "device-token-123"),
        new("Agent:EnrollmentKey", "enrol-456"),
        new("Agent:CloudUrl", "https://cloud.example"),
        new("Broker:KeepAlive", "00:00:30"),
        new("Snmp:Community", "private-community"),
        new("Ipp:TrustedCertificateSha256", "AB:CD:EF"),
        new("Ipp:PrinterUri", "ipps://admin:hunter2@printer.local/ipp/print"),
        new("Gateway:Devices:0:Password", "pw-789"),
        new("Gpio:Inputs:0:Pin", "17"),
    ];

    private static SentEvent Event(int i) => new(At.AddSeconds(i), new DeviceEvent
    {
        Kind = EventKind.Raised,
        Code = $"code-{i}",
        Condition = Conditions.PaperJam,
        Severity = Severity.Warning,
        Message = $"event {i}",
    });

    private static DiagnosticsBundle Build(IReadOnlyList<SentEvent>? events = null, IReadOnlyList<string>? log = null, int maxBytes = DiagnosticsBundles.MaxBytes) =>
        DiagnosticsBundleBuilder.Build("printer-1", "cmd-1", At, Status, events ?? [Event(1), Event(2)], log ?? ["line 1", "line 2"], Configuration, maxBytes);

    [Fact]
    public void Has_status_events_agent_log_and_configuration_in_that_order_and_the_cloud_accepts_it()
    {
        var bundle = Build();

        Assert.Equal(
            [DiagnosticsBundles.StatusSection, DiagnosticsBundles.EventsSection, DiagnosticsBundles.AgentLogSection, DiagnosticsBundles.ConfigurationSection],
            bundle.Sections.Select(s => s.Name));
        var read = DiagnosticsBundles.Read(DiagnosticsBundleBuilder.Serialize(bundle), out var error);
        Assert.Null(error);
        Assert.Equal(("printer-1", "cmd-1", 4), (read!.DeviceId, read.CommandId, read.Sections.Count));
        using var status = JsonDocument.Parse(bundle.Sections[0].Content);
        Assert.Equal("stopped", status.RootElement.GetProperty("state").GetString());
        Assert.Contains('\n', bundle.Sections[0].Content); // indented, for a person to read
        using var events = JsonDocument.Parse(bundle.Sections[1].Content);
        Assert.Equal(["code-1", "code-2"], events.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("code").GetString()));
        Assert.Equal("line 1\nline 2\n", bundle.Sections[2].Content);
    }

    [Fact]
    public void Configuration_never_carries_the_token_enrollment_key_passwords_community_strings_or_certificate_pins()
    {
        var configuration = Build().Sections.Single(s => s.Name == DiagnosticsBundles.ConfigurationSection).Content;

        foreach (var secret in new[] { "device-token-123", "enrol-456", "private-community", "AB:CD:EF", "hunter2", "pw-789" })
            Assert.DoesNotContain(secret, configuration, StringComparison.Ordinal);
        Assert.Contains("Agent:Token = (redacted)", configuration, StringComparison.Ordinal);
        Assert.Contains("Agent:DeviceId = printer-1", configuration, StringComparison.Ordinal);
        Assert.Contains("Broker:KeepAlive = 00:00:30", configuration, StringComparison.Ordinal);
        Assert.Contains("printer.local/ipp/print", configuration, StringComparison.Ordinal);
        Assert.Contains("Gpio:Inputs:0:Pin = 17", configuration, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_report_leaves_out_the_oldest_log_lines_first_and_says_so()
    {
        var log = Enumerable.Range(1, 4000).Select(i => $"line {i} " + new string('x', 300)).ToList();

        var bundle = Build(log: log);

        Assert.InRange(DiagnosticsBundleBuilder.SizeOf(bundle), 1, DiagnosticsBundles.MaxBytes);
        var tail = bundle.Sections[2].Content;
        Assert.StartsWith("(", tail, StringComparison.Ordinal);
        Assert.Contains("older lines left out to keep the report under 1024 KiB", tail, StringComparison.Ordinal);
        Assert.Contains("line 4000 ", tail, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1 ", tail, StringComparison.Ordinal);
        Assert.Contains("code-2", bundle.Sections[1].Content, StringComparison.Ordinal); // events untouched while the log could give way
    }

    [Fact]
    public void When_the_log_is_gone_and_it_still_does_not_fit_the_oldest_events_go_next()
    {
        var events = Enumerable.Range(1, 50).Select(Event).ToList();

        var bundle = Build(events, log: ["only line"], maxBytes: 6_000);

        Assert.InRange(DiagnosticsBundleBuilder.SizeOf(bundle), 1, 6_000);
        Assert.DoesNotContain("only line", bundle.Sections[2].Content, StringComparison.Ordinal);
        using var shown = JsonDocument.Parse(bundle.Sections[1].Content);
        Assert.Contains("older events left out", shown.RootElement.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal("code-50", shown.RootElement.GetProperty("events").EnumerateArray().Last().GetProperty("code").GetString());
    }

    [Fact]
    public void The_log_ring_keeps_the_newest_lines_and_hands_each_device_its_own()
    {
        using var ring = new AgentLogRing(new FakeTimeProvider(At), capacity: 3);
        var logger = ring.CreateLogger("Diagnostics.Agent.Commands.CommandExecutor");

        Said(logger, "printer-1", "one");
        Said(logger, "printer-2", "two");
        NoDevice(logger);
        Warned(logger, "printer-1", "three");

        Assert.Equal(["2023-11-14T22:13:20.000Z warn CommandExecutor[0] printer-1 three"], ring.Tail("printer-1", includeUntagged: false));
        Assert.Equal(2, ring.Tail("printer-1", includeUntagged: true).Count);
        Assert.Equal(["2023-11-14T22:13:20.000Z info CommandExecutor[0] printer-2 two"], ring.Tail("printer-2", includeUntagged: false));
    }

    [LoggerMessage(0, LogLevel.Information, "{DeviceId} {Text}")]
    private static partial void Said(ILogger logger, string deviceId, string text);

    [LoggerMessage(0, LogLevel.Warning, "{DeviceId} {Text}")]
    private static partial void Warned(ILogger logger, string deviceId, string text);

    [LoggerMessage(0, LogLevel.Information, "no device here")]
    private static partial void NoDevice(ILogger logger);
}
