using System.Text.Json.Nodes;
using Diagnostics.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>What one cloud of an A/B run measured.</summary>
internal sealed record CloudRun(double Rate, double ToolCpuMicroseconds, double CloudCpuMicroseconds, double AcksPerMessage, long AcksAtMostOnce,
    double BrokerCpuMicroseconds);

/// <summary>
/// One side of an A/B run: a name, the cloud's extra settings and environment. Written <c>NAME=ARGS</c>, ARGS separated
/// by spaces: <c>--Section:Key=value</c> goes on the cloud's command line, <c>ENV:NAME=VALUE</c> into its environment
/// only (the load tool and its reference broker keep theirs), <c>SEVERITY:Report</c> makes this variant's publishers
/// send events of that severity instead of the run's, and <c>BUILD:PATH</c> runs another build of the cloud (its
/// Diagnostics.Cloud.dll, or the folder holding it: a copy of an earlier build, for an A/B of code). In the ingest run,
/// <c>BROKER:Mosquitto</c> puts the devices on a Mosquitto (dynamic security) and the cloud on it in External mode, and
/// <c>MOSQUITTO:key=value</c> adds the line <c>key value</c> to that Mosquitto's configuration. An empty ARGS is the
/// cloud as configured.
/// </summary>
internal sealed record CloudVariant(string Name, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string Description,
    Severity? Severity = null, string? CloudDll = null, IngestBroker Broker = IngestBroker.Embedded, IReadOnlyList<string>? MosquittoConfiguration = null)
{
    public static IReadOnlyList<CloudVariant> ParseAll(IEnumerable<string> specs) => [.. specs.Select(Parse)];

    public static CloudVariant Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
            throw new ArgumentException($"A variant is NAME=ARGS (ARGS may be empty), not '{spec}'.", nameof(spec));
        var arguments = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        Severity? severity = null;
        string? cloudDll = null;
        var broker = IngestBroker.Embedded;
        var mosquittoConfiguration = new List<string>();
        foreach (var token in spec[(equals + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (token.StartsWith("ENV:", StringComparison.Ordinal) && token.IndexOf('=', StringComparison.Ordinal) is var at and > 4)
                environment[token[4..at]] = token[(at + 1)..];
            else if (token.StartsWith("SEVERITY:", StringComparison.Ordinal))
                severity = Enum.Parse<Severity>(token["SEVERITY:".Length..], ignoreCase: true);
            else if (token.StartsWith("BUILD:", StringComparison.Ordinal))
                cloudDll = ResolveBuild(token["BUILD:".Length..], spec);
            else if (token.StartsWith("BROKER:", StringComparison.Ordinal))
                broker = Enum.Parse<IngestBroker>(token["BROKER:".Length..], ignoreCase: true);
            else if (token.StartsWith("MOSQUITTO:", StringComparison.Ordinal) && token.IndexOf('=', StringComparison.Ordinal) is var equalsAt and > 10)
                mosquittoConfiguration.Add($"{token[10..equalsAt]} {token[(equalsAt + 1)..]}");
            else if (token.StartsWith("--", StringComparison.Ordinal))
                arguments.Add(token);
            else
                throw new ArgumentException($"'{token}' in variant '{spec}' is none of --Section:Key=value, ENV:NAME=VALUE, SEVERITY:LEVEL, BUILD:PATH, BROKER:Embedded|Mosquitto, MOSQUITTO:key=value.", nameof(spec));
        }
        var description = spec[(equals + 1)..].Trim();
        if (mosquittoConfiguration.Count > 0 && broker != IngestBroker.Mosquitto)
            throw new ArgumentException($"Variant '{spec}' sets MOSQUITTO: lines but not BROKER:Mosquitto.", nameof(spec));
        return new CloudVariant(spec[..equals], arguments, environment, description.Length == 0 ? "as configured" : description, severity, cloudDll,
            broker, mosquittoConfiguration);
    }

    private static string ResolveBuild(string path, string spec)
    {
        var dll = Directory.Exists(path) ? Path.Combine(path, "Diagnostics.Cloud.dll") : path;
        if (!File.Exists(dll))
            throw new ArgumentException($"No cloud build at '{path}' (variant '{spec}').", nameof(spec));
        // The load tool's own bin holds the cloud and the agent, and their appsettings.json overwrite each other there
        // (whichever was copied last): a cloud run on the agent's settings logs no "Now listening on" (the agent's file quiets
        // the host's lifetime messages), so a copy of that folder is refused before a run waits ten minutes on it.
        var settings = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dll))!, "appsettings.json");
        if (File.Exists(settings) && JsonNode.Parse(File.ReadAllText(settings)) is JsonObject root && root.ContainsKey("Agent"))
            throw new ArgumentException($"'{settings}' is the agent's settings, not the cloud's (variant '{spec}'): copy the cloud's own build, cloud/Diagnostics.Cloud/bin/Release/net10.0, not the load tool's bin.", nameof(spec));
        return Path.GetFullPath(dll);
    }
}
