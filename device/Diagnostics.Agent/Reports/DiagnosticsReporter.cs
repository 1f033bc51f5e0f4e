using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Diagnostics.Agent.Collectors;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Reports;

/// <summary>Where a device's diagnostics report comes from, and how it reaches the cloud.</summary>
/// <param name="Status">The latest status the pump read, or a fresh read when it has none yet.</param>
/// <param name="Events">The events the agent sent most recently, oldest first.</param>
/// <param name="LogTail">This device's newest agent log lines, oldest first.</param>
/// <param name="Configuration">The effective settings as flat <c>Section:Key</c> pairs, secrets included (the builder redacts them).</param>
/// <param name="Http">The agent's shared client (the one that provisions); not owned.</param>
/// <param name="CloudUrl">The cloud's base address (<c>Agent:CloudUrl</c>); null when none is configured.</param>
/// <param name="Token">The device's MQTT token, which the cloud also accepts as a Bearer token for uploads; null when the device proves itself by its client certificate.</param>
public sealed record DiagnosticsSources(
    string DeviceId,
    Func<CancellationToken, ValueTask<DeviceStatus>> Status,
    Func<IReadOnlyList<SentEvent>> Events,
    Func<IReadOnlyList<string>> LogTail,
    IReadOnlyList<KeyValuePair<string, string?>> Configuration,
    HttpClient? Http,
    Uri? CloudUrl,
    string? Token);

/// <summary>
/// Carries out <c>collect-diagnostics</c>, the agent's own command whatever the collector: builds the bundle
/// (<see cref="DiagnosticsBundleBuilder"/>) and uploads it to <c>POST {CloudUrl}/api/devices/{id}/bundles</c> with
/// the device's token. 201 and a 409 "Already uploaded" (a repeat of this command) are success; anything else fails
/// with the cloud's reason.
/// </summary>
public sealed partial class DiagnosticsReporter(DiagnosticsSources sources, TimeProvider time, ILogger<DiagnosticsReporter> logger)
{
    public const string NoCloudDetail = "no cloud address to upload to (Agent:CloudUrl)";

    /// <summary>The problem title the cloud gives a second upload for the same command.</summary>
    private const string AlreadyUploadedTitle = "Already uploaded";

    /// <summary>An upload that takes longer is abandoned, so a stalled network cannot hold the command queue.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<ActionOutcome> RunAsync(string commandId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.CloudUrl is null || sources.Http is null)
            return ActionOutcome.Failed(NoCloudDetail);
        var status = await sources.Status(cancellationToken);
        var bundle = DiagnosticsBundleBuilder.Build(sources.DeviceId, commandId, time.GetUtcNow(), status, sources.Events(), sources.LogTail(), sources.Configuration);
        var body = DiagnosticsBundleBuilder.Serialize(bundle);
        var target = new Uri(sources.CloudUrl, DiagnosticsBundles.UploadPath(sources.DeviceId));

        using var timeout = new CancellationTokenSource(UploadTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (sources.Token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sources.Token);
            using var response = await sources.Http.SendAsync(request, linked.Token);
            var uploaded = $"({body.Length.ToString(CultureInfo.InvariantCulture)} bytes, {bundle.Sections.Count} sections)";
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Log.Uploaded(logger, sources.DeviceId, commandId, body.Length, bundle.Sections.Count, target);
                return ActionOutcome.Succeeded($"diagnostics report uploaded {uploaded}");
            }
            var (title, detail) = await ProblemAsync(response, linked.Token);
            if (response.StatusCode == HttpStatusCode.Conflict && title == AlreadyUploadedTitle)
            {
                // The cloud has this command's report already (an earlier attempt whose answer was lost): done.
                Log.Uploaded(logger, sources.DeviceId, commandId, body.Length, bundle.Sections.Count, target);
                return ActionOutcome.Succeeded($"diagnostics report already uploaded for this command {uploaded}");
            }
            var reason = $"{(int)response.StatusCode} {title}{(detail.Length > 0 ? ": " + detail : "")}";
            Log.UploadFailed(logger, sources.DeviceId, commandId, target, reason);
            return ActionOutcome.Failed("the cloud refused the report: " + reason);
        }
        catch (HttpRequestException ex)
        {
            Log.UploadFailed(logger, sources.DeviceId, commandId, target, ex.Message);
            return ActionOutcome.Failed("the cloud could not be reached: " + ex.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var reason = $"no answer within {UploadTimeout.TotalSeconds:0.#} s";
            Log.UploadFailed(logger, sources.DeviceId, commandId, target, reason);
            return ActionOutcome.Failed("the cloud could not be reached: " + reason);
        }
    }

    /// <summary>The problem details' title and detail, or the status's reason phrase when the body is not one.</summary>
    private static async Task<(string Title, string Detail)> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = response.ReasonPhrase ?? "";
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var problem = JsonDocument.Parse(text);
            var title = problem.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : fallback;
            var detail = problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
            return (title, detail);
        }
        catch (JsonException)
        {
            return (fallback, "");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.DiagnosticsUploaded, LogLevel.Information, "{DeviceId} uploaded the diagnostics report for command {CommandId} ({Bytes} bytes, {Sections} sections) to {Target}")]
        public static partial void Uploaded(ILogger logger, string deviceId, string commandId, int bytes, int sections, Uri target);

        [LoggerMessage(AgentLogEvents.DiagnosticsUploadFailed, LogLevel.Warning, "{DeviceId} could not upload the diagnostics report for command {CommandId} to {Target}: {Reason}")]
        public static partial void UploadFailed(ILogger logger, string deviceId, string commandId, Uri target, string reason);
    }
}
