namespace Diagnostics.LoadTest;

/// <summary>What one cloud of an A/B run measured.</summary>
internal sealed record CloudRun(double Rate, double ToolCpuMicroseconds, double CloudCpuMicroseconds, double AcksPerMessage, long AcksAtMostOnce);

/// <summary>
/// One side of an A/B run: a name, the cloud's extra settings and environment. Written <c>NAME=ARGS</c>, ARGS separated
/// by spaces: <c>--Section:Key=value</c> goes on the cloud's command line, <c>ENV:NAME=VALUE</c> into its environment
/// only (the load tool and its reference broker keep theirs). An empty ARGS is the cloud as configured.
/// </summary>
internal sealed record CloudVariant(string Name, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string Description)
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
        foreach (var token in spec[(equals + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (token.StartsWith("ENV:", StringComparison.Ordinal) && token.IndexOf('=', StringComparison.Ordinal) is var at and > 4)
                environment[token[4..at]] = token[(at + 1)..];
            else if (token.StartsWith("--", StringComparison.Ordinal))
                arguments.Add(token);
            else
                throw new ArgumentException($"'{token}' in variant '{spec}' is neither --Section:Key=value nor ENV:NAME=VALUE.", nameof(spec));
        }
        var description = spec[(equals + 1)..].Trim();
        return new CloudVariant(spec[..equals], arguments, environment, description.Length == 0 ? "as configured" : description);
    }
}
