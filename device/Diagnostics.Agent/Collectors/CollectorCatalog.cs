using Diagnostics.Agent.Collectors.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Builds a device's collector from configuration: a comma-separated list of collector names (the first leads, see
/// <see cref="CompositeCollector"/>), each reading its settings from its own section of the device's configuration.
/// </summary>
public static class CollectorCatalog
{
    private static readonly Dictionary<string, Func<CollectorContext, IDeviceCollector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["simulated"] = context => new SimulatedPrinter(
            context.Bind<SimulatorOptions>(SimulatorOptions.Section, o => o.Validate()),
            "SN-" + context.DeviceId, context.Time, new Random(StableSeed(context.DeviceId))),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static IEnumerable<string> ValidateNames(string collectors, string at)
    {
        var names = Split(collectors);
        if (names.Count == 0)
            yield return $"{at} must name at least one collector ({string.Join(", ", Names)}).";
        foreach (var name in names.Where(n => !Factories.ContainsKey(n)))
            yield return $"{at}: unknown collector '{name}' (known: {string.Join(", ", Names)}).";
        foreach (var twice in names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return $"{at}: collector '{twice.Key}' is listed twice.";
    }

    /// <summary>The collector for one device; <paramref name="settings"/> holds its sections (Simulator, Ipp, Snmp ...).</summary>
    public static IDeviceCollector Create(string collectors, string deviceId, IConfiguration settings, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var errors = ValidateNames(collectors, "Collectors").ToList();
        if (errors.Count > 0)
            throw new CollectorConfigurationException(string.Join(" ", errors));
        var context = new CollectorContext(deviceId, settings, time, loggerFactory);
        var parts = Split(collectors).Select(name => Factories[name](context)).ToList();
        return parts.Count == 1 ? parts[0] : new CompositeCollector(parts, time);
    }

    private static List<string> Split(string collectors) =>
        collectors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>FNV-1a of the device id: the same device simulates the same printer on every run (string.GetHashCode is randomized).</summary>
    internal static int StableSeed(string deviceId)
    {
        var hash = 2166136261u;
        foreach (var c in deviceId)
            hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private sealed record CollectorContext(string DeviceId, IConfiguration Settings, TimeProvider Time, ILoggerFactory LoggerFactory)
    {
        /// <summary>Binds and validates a collector's options from its section, failing with every problem named.</summary>
        public TOptions Bind<TOptions>(string section, Func<TOptions, IEnumerable<string>> validate) where TOptions : new()
        {
            var options = new TOptions();
            Settings.GetSection(section).Bind(options);
            var errors = validate(options).ToList();
            return errors.Count == 0
                ? options
                : throw new CollectorConfigurationException($"Device '{DeviceId}': {string.Join(" ", errors)}");
        }
    }
}

/// <summary>A device's collectors are misconfigured: the message names every problem and the keys to fix.</summary>
public sealed class CollectorConfigurationException(string message) : Exception(message);
