using System.Device.Gpio;
using System.Device.I2c;
using Diagnostics.Agent.Collectors.Board;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Agent.Hosts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Sht3xDevice = Diagnostics.Agent.Collectors.Board.Sht3x.Sht3x;

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
            context.Validated(context.Settings.GetSection(SimulatorOptions.Section).Get<SimulatorOptions>() ?? new SimulatorOptions(), o => o.Validate()),
            "SN-" + context.DeviceId, context.Time, new Random(StableSeed(context.DeviceId))),
        ["ipp"] = context =>
        {
            var options = context.Validated(context.Settings.GetSection(IppCollectorOptions.Section).Get<IppCollectorOptions>() ?? new IppCollectorOptions(), o => o.Validate());
            var logger = context.LoggerFactory.CreateLogger<IppPrinterCollector>();
            // A pinned certificate needs a client of its own; otherwise printers share the process's client.
            return CertificatePin.TryParse(options.TrustedCertificateSha256) is { } pin
                ? new IppPrinterCollector(pin.CreateHttpClient(), options, context.Time, logger, ownsHttp: true)
                : new IppPrinterCollector(context.Http, options, context.Time, logger);
        },
        ["snmp"] = context => SnmpPrinterCollector.Create(
            context.Validated(context.Settings.GetSection(SnmpCollectorOptions.Section).Get<SnmpCollectorOptions>() ?? new SnmpCollectorOptions(), o => o.Validate()), context.Time, context.LoggerFactory),
        ["gpio"] = context =>
        {
            var options = context.Validated(context.Settings.GetSection(GpioInputsOptions.Section).Get<GpioInputsOptions>() ?? new GpioInputsOptions(), o => o.Validate());
            var controller = context.OpenHardware("GPIO", () => new GpioController());
            return new GpioInputsCollector(controller, options, context.Time, context.LoggerFactory.CreateLogger<GpioInputsCollector>(), shouldDispose: true);
        },
        // The host role: this computer's print queues, not a printer (Hosts/README.md).
        ["host"] = context => new PrintHostCollector(
            context.Validated(context.Settings.GetSection(HostOptions.Section).Get<HostOptions>() ?? new HostOptions(), o => o.Validate()), context.Http, context.Time, context.LoggerFactory),
        ["sht3x"] = context =>
        {
            var options = context.Validated(context.Settings.GetSection(Sht3xOptions.Section).Get<Sht3xOptions>() ?? new Sht3xOptions(), o => o.Validate());
            var bus = context.OpenHardware($"I2C bus {options.BusId} address 0x{options.Address:X2}",
                () => I2cDevice.Create(new I2cConnectionSettings(options.BusId, options.Address)));
            return new EnvironmentSensorCollector(new Sht3xDevice(bus, shouldDispose: true), options, context.Time,
                context.LoggerFactory.CreateLogger<EnvironmentSensorCollector>(), shouldDispose: true);
        },
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

    /// <summary>The settings sections each collector reads, for a diagnostics report's configuration section.</summary>
    private static readonly Dictionary<string, string> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["simulated"] = SimulatorOptions.Section,
        ["ipp"] = IppCollectorOptions.Section,
        ["snmp"] = SnmpCollectorOptions.Section,
        ["gpio"] = GpioInputsOptions.Section,
        ["sht3x"] = Sht3xOptions.Section,
        ["host"] = HostOptions.Section,
    };

    /// <summary>The configured settings of the named collectors as flat key/value pairs (secrets included: redact before showing).</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> SettingsOf(string collectors, IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            .. collectors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(Sections.ContainsKey)
                .SelectMany(name => settings.GetSection(Sections[name]).AsEnumerable())
                .Where(pair => pair.Value is not null),
        ];
    }

    /// <summary>The collector for one device; <paramref name="settings"/> holds its sections (Simulator, Ipp, Snmp ...).</summary>
    /// <param name="http">Shared by the IPP collectors of the process; not owned by them.</param>
    public static IDeviceCollector Create(string collectors, string deviceId, IConfiguration settings, HttpClient http, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var errors = ValidateNames(collectors, "Collectors").ToList();
        if (errors.Count > 0)
            throw new CollectorConfigurationException(string.Join(" ", errors));
        var context = new CollectorContext(deviceId, settings, http, time, loggerFactory);
        var parts = Split(collectors).Select(name => Factories[name](context)).ToList();
        return parts.Count == 1 ? parts[0] : new CompositeCollector(parts, time, loggerFactory.CreateLogger<CompositeCollector>());
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

    private sealed record CollectorContext(string DeviceId, IConfiguration Settings, HttpClient Http, TimeProvider Time, ILoggerFactory LoggerFactory)
    {
        /// <summary>
        /// A collector's options, bound from its section by the caller (with the type named there, so the configuration
        /// binder's source generator writes the binding: no reflection in the trimmed agent), validated with every problem named.
        /// </summary>
        public TOptions Validated<TOptions>(TOptions options, Func<TOptions, IEnumerable<string>> validate)
        {
            var errors = validate(options).ToList();
            return errors.Count == 0
                ? options
                : throw new CollectorConfigurationException($"Device '{DeviceId}': {string.Join(" ", errors)}");
        }

        /// <summary>Opens a bus the platform may not have (no GPIO chip, no I2C adapter), saying which one failed.</summary>
        public T OpenHardware<T>(string what, Func<T> open)
        {
            try
            {
                return open();
            }
            catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new CollectorConfigurationException($"Device '{DeviceId}': cannot open {what}: {ex.Message}");
            }
        }
    }
}

/// <summary>A device's collectors are misconfigured: the message names every problem and the keys to fix.</summary>
public sealed class CollectorConfigurationException(string message) : Exception(message);
