using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Reports;
using Diagnostics.Agent.Updates;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Hosting;

/// <summary>
/// The agent as a hosted service: one <see cref="AgentRuntime"/> per watched device — the agent's own device, or
/// each device of a gateway (<see cref="GatewayOptions"/>) with its own identity, data folder, connection and command
/// executor (journal and consents in that folder) and update installer (journal, downloads, slots in that folder).
/// </summary>
internal sealed partial class AgentWorker(
    IOptions<AgentOptions> agent,
    IOptions<GatewayOptions> gateway,
    IOptions<BrokerOptions> broker,
    IOptions<OutboxOptions> outbox,
    IOptions<CommandOptions> commands,
    IOptions<UpdateOptions> updates,
    IConfiguration configuration,
    Random random,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    AgentLogRing logRing,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>EX_TEMPFAIL: the agent stopped to "reboot" into an update; its service manager starts it again (systemd <c>Restart=on-failure</c>).</summary>
    public const int RestartExitCode = 75;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var logger = loggerFactory.CreateLogger<AgentWorker>();
        var devices = WatchedDevices().ToList();
        var failed = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Task.WhenAll(devices.Select(async device =>
        {
            try
            {
                await RunDeviceAsync(device, http, soleDevice: devices.Count == 1, logger, stoppingToken);
            }
            catch (Exception ex) when (ex is DeviceProvisioningException or CollectorConfigurationException)
            {
                // One misconfigured device of a gateway must not blind the others; with none left, the agent stops.
                Log.DeviceFailed(logger, device.Options.DeviceId, ex.Message);
                if (Interlocked.Increment(ref failed) == devices.Count)
                {
                    Environment.ExitCode = 2;
                    lifetime.StopApplication();
                }
            }
        }));
    }

    /// <summary>The agent's own device, or every device of the gateway with its settings and a data folder of its own.</summary>
    private IEnumerable<WatchedDevice> WatchedDevices()
    {
        var options = agent.Value;
        if (gateway.Value.Devices.Count == 0)
        {
            yield return new WatchedDevice(options, configuration);
            yield break;
        }
        for (var i = 0; i < gateway.Value.Devices.Count; i++)
        {
            var device = gateway.Value.Devices[i];
            var own = new AgentOptions
            {
                DeviceId = device.DeviceId,
                Token = device.Token,
                CloudUrl = options.CloudUrl,
                EnrollmentKey = options.EnrollmentKey,
                Authentication = options.Authentication,
                Model = device.Model.Length > 0 ? device.Model : options.Model,
                DataDirectory = Path.Combine(options.DataDirectory, device.DeviceId),
                PollInterval = options.PollInterval,
                HeartbeatInterval = options.HeartbeatInterval,
                ConditionDebounceInterval = options.ConditionDebounceInterval,
                Collectors = device.Collectors,
            };
            yield return new WatchedDevice(own, configuration.GetSection($"{GatewayOptions.Section}:{nameof(GatewayOptions.Devices)}:{i}"));
        }
    }

    private async Task RunDeviceAsync(WatchedDevice device, HttpClient http, bool soleDevice, ILogger logger, CancellationToken cancellationToken)
    {
        var options = device.Options;
        var collector = CollectorCatalog.Create(options.Collectors, options.DeviceId, device.Settings, http, time, loggerFactory);
        DeviceCredentials credentials;
        if (options.Authentication == DeviceAuthentication.Certificate)
        {
            credentials = await RetryWhileUnreachableAsync(options, () => EnrollAsync(options, http, cancellationToken), logger, cancellationToken);
            Log.Credentials(logger, options.DeviceId, Path.Combine(options.DataDirectory, DeviceCertificate.CertificateFile));
        }
        else
        {
            credentials = options.Token.Length > 0
                ? new DeviceCredentials(options.DeviceId, options.Token)
                : await RetryWhileUnreachableAsync(options, () => CredentialStore.LoadOrProvisionAsync(options.DataDirectory, options.DeviceId, options.Model,
                    new HttpDeviceProvisioner(http, new Uri(options.CloudUrl), options.EnrollmentKey), cancellationToken), logger, cancellationToken);
            Log.Credentials(logger, options.DeviceId, options.Token.Length > 0 ? "configuration" : Path.Combine(options.DataDirectory, CredentialStore.FileName));
        }
        // A device with a certificate shows it to the cloud's HTTPS on connections of its own (see CloudHttp).
        using var ownHttp = credentials.Certificate is { } certificate
            ? CloudHttp.WithClientCertificate(certificate, broker.Value, http.Timeout, why => Log.CloudCertificateRefused(logger, options.DeviceId, options.CloudUrl, why))
            : null;
        try
        {
            // Reports upload with the same client and cloud address the device provisions with.
            var diagnostics = new DiagnosticsSetup(ownHttp ?? http, logRing, soleDevice, CollectorCatalog.SettingsOf(options.Collectors, device.Settings));
            var updateSetup = new UpdateSetup(updates.Value, ownHttp ?? http, RestartForUpdateAsync);
            using var runtime = new AgentRuntime(credentials, collector, options, broker.Value, outbox.Value, loggerFactory, time, random, commands.Value, diagnostics, updateSetup);
            await runtime.RunAsync(cancellationToken);
        }
        finally
        {
            if (collector is IAsyncDisposable asynchronous)
                await asynchronous.DisposeAsync();
            else
                (collector as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The device's client certificate (saved, or enrolled now) and its token: configured, saved by an earlier
    /// registration, or issued with the certificate when the request registered the device.
    /// </summary>
    private async Task<DeviceCredentials> EnrollAsync(AgentOptions options, HttpClient http, CancellationToken cancellationToken)
    {
        var token = options.Token.Length > 0 ? options.Token : (await CredentialStore.TryLoadAsync(options.DataDirectory, cancellationToken))?.Token ?? "";
        var enrollment = new HttpCertificateEnrollment(http, new Uri(options.CloudUrl), options.EnrollmentKey, token, time, loggerFactory.CreateLogger<HttpCertificateEnrollment>());
        var (certificate, issuedToken) = await enrollment.LoadOrEnrollAsync(options.DataDirectory, options.DeviceId, options.Model, cancellationToken);
        if (issuedToken is not null)
        {
            token = issuedToken;
            await CredentialStore.SaveAsync(options.DataDirectory, new DeviceCredentials(options.DeviceId, token), cancellationToken);
        }
        return new DeviceCredentials(options.DeviceId, token) { Certificate = certificate };
    }

    /// <summary>Provisions, retrying while the cloud is unreachable (a device often boots before its network is up).</summary>
    private async Task<DeviceCredentials> RetryWhileUnreachableAsync(
        AgentOptions options, Func<Task<DeviceCredentials>> provision, ILogger logger, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await provision();
            }
            catch (HttpRequestException ex)
            {
                Log.CloudUnreachable(logger, options.DeviceId, options.CloudUrl, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
        }
    }

    /// <summary>The "reboot" of a device without a reboot command: stop the host; the next start carries on from the update journal.</summary>
    private async Task<string?> RestartForUpdateAsync(CancellationToken cancellationToken)
    {
        Environment.ExitCode = RestartExitCode;
        lifetime.StopApplication();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    private sealed record WatchedDevice(AgentOptions Options, IConfiguration Settings);

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CredentialsLoaded, LogLevel.Information, "Agent {DeviceId} uses credentials from {Source}")]
        public static partial void Credentials(ILogger logger, string deviceId, string source);

        [LoggerMessage(AgentLogEvents.Provisioned, LogLevel.Critical, "Agent cannot watch device {DeviceId}: {Reason}")]
        public static partial void DeviceFailed(ILogger logger, string deviceId, string reason);

        [LoggerMessage(AgentLogEvents.CloudCertificateRefused, LogLevel.Error, "Agent {DeviceId} does not trust the cloud at {CloudUrl}: {Reason}")]
        public static partial void CloudCertificateRefused(ILogger logger, string deviceId, string cloudUrl, string reason);

        [LoggerMessage(AgentLogEvents.CloudUnreachable, LogLevel.Warning, "Agent {DeviceId} cannot reach the cloud at {CloudUrl} to provision: {Reason}; retrying in {DelaySeconds} s")]
        public static partial void CloudUnreachable(ILogger logger, string deviceId, string cloudUrl, string reason, double delaySeconds);
    }
}
