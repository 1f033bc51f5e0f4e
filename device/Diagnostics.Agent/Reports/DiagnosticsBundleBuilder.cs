using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Reports;

/// <summary>An event the agent sent, with the device clock when it was enqueued (for the report's <c>events</c> section).</summary>
public sealed record SentEvent(DateTimeOffset At, DeviceEvent Event);

/// <summary>
/// Builds the <see cref="DiagnosticsBundle"/> a device uploads for <c>collect-diagnostics</c>: four sections in a fixed
/// order — <c>status</c>, <c>events</c>, <c>agent-log</c>, <c>configuration</c> (secrets redacted by key name) — kept
/// under <see cref="DiagnosticsBundles.MaxBytes"/> by leaving out the oldest log lines, then the oldest events.
/// Pure: the caller gathers the inputs, so the rules can be tested without a device.
/// </summary>
public static partial class DiagnosticsBundleBuilder
{
    /// <summary>Shown instead of a secret's value.</summary>
    public const string Redacted = "(redacted)";

    /// <summary>
    /// Words of a setting's name that mark it secret: the device token, enrollment key, passwords, SNMP community
    /// strings, certificate pins and the like. Matched per camel-case word, so <c>KeepAlive</c> is not a key.
    /// </summary>
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "token", "key", "password", "passphrase", "secret", "community", "credential", "credentials", "certificate",
        "thumbprint", "fingerprint", "sha256", "pin", "pins", "pinned", "apikey",
    };

    public static DiagnosticsBundle Build(
        string deviceId, string commandId, DateTimeOffset createdAt, DeviceStatus status, IReadOnlyList<SentEvent> events,
        IReadOnlyList<string> logLines, IEnumerable<KeyValuePair<string, string?>> configuration, int maxBytes = DiagnosticsBundles.MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(logLines);
        ArgumentNullException.ThrowIfNull(configuration);
        var statusSection = new BundleSection(DiagnosticsBundles.StatusSection, "Device status", "application/json", JsonSerializer.Serialize(status, SectionJson.Default.DeviceStatus));
        var configurationSection = new BundleSection(DiagnosticsBundles.ConfigurationSection, "Agent configuration (secrets redacted)", "text/plain",
            ConfigurationText(configuration));

        // The newest lines and events matter most: the oldest go first, halving what is kept until the bundle fits.
        var keptLines = logLines.Count;
        var keptEvents = events.Count;
        while (true)
        {
            var bundle = new DiagnosticsBundle(deviceId, commandId, createdAt, Telemetry.UplinkEnvelopes.AgentVersion,
            [
                statusSection,
                EventsSection(events, keptEvents, maxBytes),
                LogSection(logLines, keptLines, maxBytes),
                configurationSection,
            ]);
            if (SizeOf(bundle) <= maxBytes)
                return bundle;
            if (keptLines > 0)
                keptLines /= 2;
            else if (keptEvents > 0)
                keptEvents /= 2;
            else
                throw new InvalidOperationException($"The status and configuration alone exceed {maxBytes} bytes.");
        }
    }

    /// <summary>The bundle as the cloud receives it.</summary>
    public static byte[] Serialize(DiagnosticsBundle bundle) => JsonSerializer.SerializeToUtf8Bytes(bundle, DiagnosticsBundles.JsonContract);

    public static int SizeOf(DiagnosticsBundle bundle) => Serialize(bundle).Length;

    /// <summary>True when a setting of this name must not leave the device.</summary>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var isGpio = key.Contains("gpio", StringComparison.OrdinalIgnoreCase);
        foreach (var segment in key.Split(':', '.', '_'))
        {
            foreach (var word in Words(segment))
            {
                // A GPIO pin is a header number, not a certificate pin.
                if (isGpio && word.StartsWith("pin", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (SecretWords.Contains(word))
                    return true;
            }
        }
        return false;
    }

    private static BundleSection EventsSection(IReadOnlyList<SentEvent> events, int kept, int maxBytes)
    {
        var shown = events.Skip(events.Count - kept)
            .Select(e => new EventLine(e.At, e.Event.Kind, e.Event.Code, e.Event.Condition, e.Event.Severity, e.Event.Message))
            .ToList();
        var left = events.Count - kept;
        var content = JsonSerializer.Serialize(
            new EventsReport(left > 0 ? $"{left} older events left out to keep the report under {maxBytes / 1024} KiB" : null, shown),
            SectionJson.Default.EventsReport);
        return new BundleSection(DiagnosticsBundles.EventsSection, $"Recent events ({kept})", "application/json", content);
    }

    private static BundleSection LogSection(IReadOnlyList<string> lines, int kept, int maxBytes)
    {
        var text = new StringBuilder();
        var left = lines.Count - kept;
        if (left > 0)
            text.Append(CultureInfo.InvariantCulture, $"({left} older lines left out to keep the report under {maxBytes / 1024} KiB)").Append('\n');
        foreach (var line in lines.Skip(left))
            text.Append(line).Append('\n');
        return new BundleSection(DiagnosticsBundles.AgentLogSection, $"Agent log (last {kept} lines)", "text/plain", text.ToString());
    }

    private static string ConfigurationText(IEnumerable<KeyValuePair<string, string?>> configuration)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in configuration.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append(key).Append(" = ").Append(IsSecret(key) ? Redacted : WithoutUserInfo(value!)).Append('\n');
        return text.ToString();
    }

    /// <summary>A printer address may carry a user and password (<c>ipp://user:pass@host</c>): the address stays, they go.</summary>
    private static string WithoutUserInfo(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = Redacted, Password = "" }.Uri.ToString()
            : value;

    private static IEnumerable<string> Words(string name)
    {
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || (char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) || !char.IsLetterOrDigit(name[i]))
            {
                if (i > start)
                    yield return name[start..i].Trim('-');
                start = i;
            }
        }
    }

    private sealed record EventLine(DateTimeOffset At, EventKind Kind, string Code, string Condition, Severity Severity, string Message);

    private sealed record EventsReport(string? Note, List<EventLine> Events);

    /// <summary>Enums as kebab-case names (<c>media-jam</c> reads better than a number); a converter the generator can name.</summary>
    private sealed class KebabCaseEnum<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.KebabCaseLower)
        where TEnum : struct, Enum;

    // The sections a person reads: indented, web names. Generated at compile time: the agent is published with Native AOT.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
        Converters = [typeof(KebabCaseEnum<DeviceState>), typeof(KebabCaseEnum<Severity>), typeof(KebabCaseEnum<EventKind>)])]
    [JsonSerializable(typeof(DeviceStatus))]
    [JsonSerializable(typeof(EventsReport))]
    private sealed partial class SectionJson : JsonSerializerContext;
}
