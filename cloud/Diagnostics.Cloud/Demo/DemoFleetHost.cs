using Diagnostics.Agent.Fleet;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Reports;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Observability;
using DeviceCredentials = Diagnostics.Agent.Provisioning.DeviceCredentials;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Demo;

/// <summary>
/// Runs the demo fleet: real agents (outbox on disk, own MQTT connection and credentials each) talking to the
/// embedded broker over loopback TCP, exactly as devices in the field would.
/// </summary>
public sealed partial class DemoFleetHost(
    IOptions<DemoFleetOptions> options,
    IServiceProvider services,
    IOptions<BrokerOptions> brokerOptions,
    Certificates.ServerCertificate serverCertificate,
    DeviceRegistry registry,
    IEnumerable<ILoggerProvider> loggerProviders,
    IOptionsMonitor<LoggerFilterOptions> loggerFilters,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<Storage.StorageOptions> storage,
    TimeProvider time,
    IOptions<Updates.UpdateOptions> updates,
    Updates.PackageCatalog catalog,
    ILogger<DemoFleetHost> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Devices == 0)
        {
            // After a demo run the old printers stay registered and count in the fleet's health: say how to retire them.
            var leftOver = DemoCli.PrintersIn(settings.ResolveDataDirectory(storage.Value.Path));
            if (leftOver.Count > 0)
                LogLeftOver(logger, leftOver.Count);
            return;
        }
        var fleetOptions = new SimulatedFleetOptions
        {
            Count = settings.Devices,
            Prefix = settings.Prefix,
            // Beside the cloud's own store unless set, so the two are found (and reset) together.
            DataDirectory = settings.ResolveDataDirectory(storage.Value.Path),
            Seed = settings.Seed,
            HeartbeatInterval = settings.HeartbeatInterval,
            Broker = DemoBroker(),
            Simulator = { TimeScale = settings.TimeScale },
            // Demo printers trust what the cloud trusts, the demo's own release key included.
            Updates = { TrustedKeys = [.. updates.Value.TrustedKeys], HealthCheckStableFor = settings.UpdateHealthCheckStableFor },
        };
        // Demo devices answer collect-diagnostics like real ones: they upload to this cloud's own HTTP address (known
        // once the server listens), and their reports carry their own log lines, kept in a ring beside the cloud's logs.
        var logRing = new AgentLogRing(time, capacity: 2000);
        using var loggerFactory = new LoggerFactory([.. loggerProviders, logRing], QuietAgents(loggerFilters.CurrentValue));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            fleetOptions.CloudUrl = await OwnAddressAsync(stoppingToken) ?? "";
            await ForgetCredentialsTheRegistryRejectsAsync(fleetOptions, stoppingToken);
            await PublishDemoReleasesAsync(fleetOptions, stoppingToken);
            await using var fleet = await SimulatedFleet.StartAsync(fleetOptions, new RegistryProvisioner(registry), loggerFactory, time,
                stoppingToken, new DiagnosticsSetup(http, logRing, SoleDevice: false));
            await AllConnectedAsync(fleet, stoppingToken);
            AnnounceReady();
            await fleet.Completion;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
        catch (Exception ex) when (ex is DeviceProvisioningException or IOException)
        {
            // The demo is a convenience: the cloud keeps serving real devices without it.
            LogFailed(logger, ex);
            AnnounceReady();
        }
    }

    /// <summary>
    /// Until every printer's first connection (each one is logged by presence), or at most <see cref="ConnectingAtMost"/>:
    /// a printer that cannot connect must not hold back the line a person waits for.
    /// </summary>
    private async Task AllConnectedAsync(SimulatedFleet fleet, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(fleet.Devices.Select(device => device.Uplink.FirstConnected)).WaitAsync(ConnectingAtMost, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Those still connecting keep trying; the ready line goes out now.
        }
    }

    private static readonly TimeSpan ConnectingAtMost = TimeSpan.FromSeconds(30);

    /// <summary>The ready line, once the printers run: their registrations and connections are logged before it, not after.</summary>
    private void AnnounceReady()
    {
        if (server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } first)
            StartupReadyLine.Log(logger, first, options.Value.SignIns());
    }

    /// <summary>
    /// The simulated printers' own routine lines (connected, subscribed, ready for updates: four per printer) would bury
    /// the cloud's start-up under a thousand lines, so they reach the cloud's log at warnings and worse unless Logging
    /// configures <c>Diagnostics.Agent</c> itself (a configured rule of the same category comes later and wins).
    /// </summary>
    private static LoggerFilterOptions QuietAgents(LoggerFilterOptions configured)
    {
        var quiet = new LoggerFilterOptions { MinLevel = configured.MinLevel, CaptureScopes = configured.CaptureScopes };
        quiet.Rules.Add(new LoggerFilterRule(null, "Diagnostics.Agent", LogLevel.Warning, null));
        // Except each printer's start and pairing code: a person trying the demo pairs a printer with it.
        quiet.Rules.Add(new LoggerFilterRule(null, "Diagnostics.Agent.AgentRuntime", LogLevel.Information, null));
        // Each printer's own log ring keeps its routine lines: its diagnostics reports carry them.
        quiet.Rules.Add(new LoggerFilterRule(typeof(AgentLogRing).FullName, "Diagnostics.Agent", LogLevel.Information, null));
        foreach (var rule in configured.Rules)
            quiet.Rules.Add(rule);
        return quiet;
    }

    /// <summary>
    /// Over TLS when the broker listens for it, as devices in the field should: the development CA pinned, or (with the
    /// operator's own certificate, whose names need not include 127.0.0.1) that certificate's fingerprint.
    /// With an external broker, that broker, checked as configured for the cloud's own connection.
    /// </summary>
    private Agent.Uplink.BrokerOptions DemoBroker()
    {
        if (brokerOptions.Value.Mode == BrokerMode.External)
        {
            var external = brokerOptions.Value.External;
            return new()
            {
                Host = external.Host,
                Port = external.Port,
                UseTls = external.UseTls,
                CaCertificatePath = external.CaCertificatePath,
                CertificateFingerprint = external.CertificateFingerprint,
                TlsServerName = external.TlsServerName,
            };
        }
        var broker = services.GetRequiredService<EmbeddedBroker>();
        return broker.TlsPort == 0
            ? new() { Host = "127.0.0.1", Port = broker.Port }
            : new()
            {
                Host = "127.0.0.1",
                Port = broker.TlsPort,
                UseTls = true,
                CaCertificatePath = serverCertificate.DevelopmentCaPath ?? "",
                CertificateFingerprint = serverCertificate.DevelopmentCaPath is null ? serverCertificate.Fingerprint : "",
            };
    }

    /// <summary>The demo releases are a convenience too: a damaged demo key must not keep the fleet from starting.</summary>
    private async Task PublishDemoReleasesAsync(SimulatedFleetOptions fleetOptions, CancellationToken cancellationToken)
    {
        try
        {
            await DemoReleases.PublishAsync(catalog, fleetOptions.DataDirectory, fleetOptions.Simulator, time, logger, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or ArgumentException or UnauthorizedAccessException)
        {
            LogReleasesFailed(logger, ex);
        }
    }

    /// <summary>The server's first address once it listens, with a wildcard host made loopback; null when it has none (in-memory test server).</summary>
    private async Task<string?> OwnAddressAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(cancellationToken);
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
            return null;
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost" ? "127.0.0.1" : uri.Host;
        return new UriBuilder(uri) { Host = host }.Uri.ToString().TrimEnd('/');
    }

    /// <summary>
    /// A demo data folder can outlive the cloud's database (deleted by hand): a device whose saved token the registry
    /// no longer knows would be refused forever, so it starts over as a new device.
    /// </summary>
    private async Task ForgetCredentialsTheRegistryRejectsAsync(SimulatedFleetOptions fleetOptions, CancellationToken cancellationToken)
    {
        for (var index = 1; index <= fleetOptions.Count; index++)
        {
            var deviceId = SimulatedFleet.DeviceIdOf(fleetOptions, index);
            var deviceDirectory = Path.Combine(fleetOptions.DataDirectory, deviceId);
            var saved = await CredentialStore.TryLoadAsync(deviceDirectory, cancellationToken);
            if (saved is not null && !await registry.VerifyAsync(deviceId, saved.Token, cancellationToken))
            {
                LogStale(logger, deviceId);
                Directory.Delete(deviceDirectory, recursive: true);
            }
        }
        LogStarting(logger, fleetOptions.Count, fleetOptions.Broker.Port, fleetOptions.Broker.UseTls ? "over TLS" : "PLAIN", fleetOptions.Simulator.TimeScale);
    }

    /// <summary>Registers simulated devices straight in the registry: the same store and hashing as the API.</summary>
    private sealed class RegistryProvisioner(DeviceRegistry registry) : IDeviceProvisioner
    {
        public async Task<DeviceCredentials> ProvisionAsync(string deviceId, string model, CancellationToken cancellationToken)
        {
            var result = await registry.RegisterAsync(deviceId, model, cancellationToken);
            return result.IsSuccess
                ? new DeviceCredentials(result.Device!.DeviceId, result.Device.Token)
                : throw new DeviceProvisioningException($"Could not register demo device '{deviceId}': {result.Error}.");
        }
    }

    [LoggerMessage(EventId = DemoEventIds.DemoFleetStarted, Level = LogLevel.Information,
        Message = "Demo fleet: {Count} simulated printers connecting to the broker on port {Port}, {Transport} (time scale {TimeScale})")]
    private static partial void LogStarting(ILogger logger, int count, int port, string transport, double timeScale);

    [LoggerMessage(EventId = DemoEventIds.DemoFleetStale, Level = LogLevel.Warning,
        Message = "Demo device {DeviceId} has credentials the registry does not know (database reset?); it starts over as a new device")]
    private static partial void LogStale(ILogger logger, string deviceId);

    [LoggerMessage(EventId = DemoEventIds.DemoFleetFailed, Level = LogLevel.Error, Message = "Demo releases could not be published; the demo fleet runs without them")]
    private static partial void LogReleasesFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = DemoEventIds.DemoFleetLeftOver, Level = LogLevel.Warning,
        Message = "{Count} simulated printers from an earlier demo run are still registered and count in the fleet's health (offline): stop the cloud and run `dotnet run --project cloud/Diagnostics.Cloud -- demo reset` to retire them")]
    private static partial void LogLeftOver(ILogger logger, int count);

    [LoggerMessage(EventId = DemoEventIds.DemoFleetFailed, Level = LogLevel.Error, Message = "Demo fleet stopped")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
