using System.Net;
using System.Text;
using Diagnostics.Agent.Reports;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Reports;

/// <summary>
/// How the upload's answer becomes the command's result. The cloud's side is a recorded answer here; the real cloud
/// accepting a real agent's report is <c>Diagnostics.EndToEnd.Tests/Fixes/DiagnosticsReportTests</c>.
/// </summary>
public sealed class DiagnosticsReporterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DiagnosticsReporter Reporter(HttpClient? http, string cloudUrl = "http://cloud.test/") => new(
        new DiagnosticsSources("printer-1", _ => ValueTask.FromResult(new DeviceStatus { State = DeviceState.Idle }), () => [], () => ["started"],
            [new("Agent:Token", "secret-token")], http, cloudUrl.Length > 0 ? new Uri(cloudUrl) : null, "secret-token"),
        new FakeTimeProvider(), NullLogger<DiagnosticsReporter>.Instance);

    private static StringContent Problem(string title, string detail) =>
        new StringContent($$"""{"title":"{{title}}","detail":"{{detail}}"}""", Encoding.UTF8, "application/problem+json");

    [Fact]
    public async Task Uploads_the_bundle_with_the_device_token_and_succeeds_on_201()
    {
        var cloud = new AnsweringHandler(_ => new HttpResponseMessage(HttpStatusCode.Created));
        using var http = new HttpClient(cloud);

        var outcome = await Reporter(http).RunAsync("cmd-1", Ct);

        Assert.Equal(CommandOutcome.Succeeded, outcome.Outcome);
        Assert.Matches(@"^diagnostics report uploaded \(\d+ bytes, 4 sections\)$", outcome.Detail);
        var (request, body) = Assert.Single(cloud.Requests);
        Assert.Equal((HttpMethod.Post, "http://cloud.test/api/devices/printer-1/bundles"), (request.Method, request.RequestUri!.ToString()));
        Assert.Equal("Bearer secret-token", request.Headers.Authorization!.ToString());
        var bundle = DiagnosticsBundles.Read(body, out _);
        Assert.Equal("cmd-1", bundle!.CommandId);
        Assert.DoesNotContain("secret-token", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_the_cloud_already_has_for_this_command_counts_as_uploaded()
    {
        using var http = new HttpClient(new AnsweringHandler(_ => new HttpResponseMessage(HttpStatusCode.Conflict)
        {
            Content = Problem("Already uploaded", "the report for command cmd-1 is already stored"),
        }));

        var outcome = await Reporter(http).RunAsync("cmd-1", Ct);

        Assert.Equal(CommandOutcome.Succeeded, outcome.Outcome);
        Assert.StartsWith("diagnostics report already uploaded for this command", outcome.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, "Not requested", "no approved diagnostics request of printer-1 waits for command cmd-1",
        "the cloud refused the report: 409 Not requested: no approved diagnostics request of printer-1 waits for command cmd-1")]
    [InlineData(HttpStatusCode.Unauthorized, "Not this device", "Send the device's own token as a Bearer token.",
        "the cloud refused the report: 401 Not this device: Send the device's own token as a Bearer token.")]
    public async Task Fails_with_the_clouds_reason_when_it_refuses(HttpStatusCode status, string title, string detail, string expected)
    {
        using var http = new HttpClient(new AnsweringHandler(_ => new HttpResponseMessage(status) { Content = Problem(title, detail) }));

        var outcome = await Reporter(http).RunAsync("cmd-1", Ct);

        Assert.Equal((CommandOutcome.Failed, expected), (outcome.Outcome, outcome.Detail));
    }

    [Fact]
    public async Task Fails_when_the_cloud_cannot_be_reached()
    {
        using var http = new HttpClient();

        var outcome = await Reporter(http, $"http://127.0.0.1:{FreePort.Next()}/").RunAsync("cmd-1", Ct);

        Assert.Equal(CommandOutcome.Failed, outcome.Outcome);
        Assert.StartsWith("the cloud could not be reached: ", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_without_a_cloud_address_naming_the_setting()
    {
        using var http = new HttpClient();

        var outcome = await Reporter(http, cloudUrl: "").RunAsync("cmd-1", Ct);

        Assert.Equal((CommandOutcome.Failed, "no cloud address to upload to (Agent:CloudUrl)"), (outcome.Outcome, outcome.Detail));
    }

    /// <summary>Answers every request as told and keeps what it was sent.</summary>
    private sealed class AnsweringHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request, request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken)));
            return answer(request);
        }
    }
}
