using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Diagnostics.Protocol;

/// <summary>
/// What a device collects for support when its owner allows it (<see cref="DeviceCommands.CollectDiagnostics"/>):
/// named sections of text a person can read — the status snapshot, recent events, the agent's log tail, its
/// configuration without secrets. Uploaded over HTTPS as JSON to <see cref="DiagnosticsBundles.UploadPath"/> with the
/// device's token; the owner reviews it in the app before support can open it.
/// </summary>
public sealed record DiagnosticsBundle(string DeviceId, string CommandId, DateTimeOffset CreatedAt, string AgentVersion, IReadOnlyList<BundleSection> Sections);

/// <param name="Name">A short key (<c>status</c>, <c>events</c>, <c>agent-log</c>, <c>configuration</c>).</param>
/// <param name="MediaType"><c>application/json</c> or <c>text/plain</c>.</param>
public sealed record BundleSection(string Name, string Title, string MediaType, string Content);

public static class DiagnosticsBundles
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxSections = 16;

    /// <summary>Sections an agent sends, in the order it sends them.</summary>
    public const string StatusSection = "status";
    public const string EventsSection = "events";
    public const string AgentLogSection = "agent-log";
    public const string ConfigurationSection = "configuration";

    public static readonly JsonSerializerOptions Json = DiagnosticsBundleJson.Default.Options;

    /// <summary>The bundle's JSON contract, generated at compile time (the agent is published trimmed, with Native AOT).</summary>
    public static JsonTypeInfo<DiagnosticsBundle> JsonContract => DiagnosticsBundleJson.Default.DiagnosticsBundle;

    public static string UploadPath(string deviceId) => $"/api/devices/{Uri.EscapeDataString(deviceId)}/bundles";

    /// <summary>Reads an upload; null with the reason when it is not a bundle this cloud accepts.</summary>
    public static DiagnosticsBundle? Read(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (body.Length > MaxBytes)
        {
            error = $"the bundle is larger than {MaxBytes / 1024} KiB";
            return null;
        }
        DiagnosticsBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize(body, JsonContract);
        }
        catch (JsonException ex)
        {
            error = "the bundle is not valid JSON: " + ex.Message;
            return null;
        }
        if (bundle is null || string.IsNullOrEmpty(bundle.DeviceId) || string.IsNullOrEmpty(bundle.CommandId) || bundle.Sections is null)
        {
            error = "a bundle has a deviceId, a commandId and sections";
            return null;
        }
        if (bundle.Sections.Count is 0 or > MaxSections)
        {
            error = $"a bundle has 1 to {MaxSections} sections";
            return null;
        }
        foreach (var section in bundle.Sections)
        {
            if (section is null || string.IsNullOrWhiteSpace(section.Name) || section.Content is null || section.MediaType is not ("application/json" or "text/plain"))
            {
                error = "each section has a name, a media type (application/json or text/plain) and content";
                return null;
            }
        }
        return bundle;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(DiagnosticsBundle))]
internal sealed partial class DiagnosticsBundleJson : JsonSerializerContext;
