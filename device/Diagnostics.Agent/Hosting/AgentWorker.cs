using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Hosting;

/// <summary>The single-device agent as a hosted service: obtains credentials, then runs one <see cref="AgentRuntime"/>.</summary>
internal sealed partial class AgentWorker(
    IOptions<AgentOptions> agent,
    IOptions<BrokerOptions> broker,
    IOptions<OutboxOptions> outbox,
    IOptions<SimulatorOptions> simulator,
    Random random,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = agent.Value;
        var logger = loggerFactory.CreateLogger<AgentWorker>();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var credentials = options.Token.Length > 0
                ? new DeviceCredentials(options.DeviceId, options.Token)
                : await ProvisionAsync(options, new HttpDeviceProvisioner(http, new Uri(options.CloudUrl)), logger, stoppingToken);
            Log.Credentials(logger, options.DeviceId, options.Token.Length > 0 ? "configuration" : Path.Combine(options.DataDirectory, CredentialStore.FileName));
            // The real collectors (IPP, GPIO) plug in here; until then the agent watches a simulated printer.
            var printer = new SimulatedPrinter(simulator.Value, "SN-" + options.DeviceId, time, new Random(StableSeed(options.DeviceId)));
            using var runtime = new AgentRuntime(credentials, printer, options, broker.Value, outbox.Value, loggerFactory, time, random);
            await runtime.RunAsync(stoppingToken);
        }
        catch (DeviceProvisioningException ex)
        {
            Log.ProvisioningFailed(logger, options.DeviceId, ex.Message);
            Environment.ExitCode = 2;
            lifetime.StopApplication();
        }
    }

    /// <summary>Provisions, retrying while the cloud is unreachable (a device often boots before its network is up).</summary>
    private async Task<DeviceCredentials> ProvisionAsync(AgentOptions options, IDeviceProvisioner provisioner, ILogger logger, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await CredentialStore.LoadOrProvisionAsync(options.DataDirectory, options.DeviceId, options.Model, provisioner, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                Log.CloudUnreachable(logger, options.DeviceId, options.CloudUrl, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
        }
    }

    /// <summary>FNV-1a of the device id: the same device simulates the same printer on every run (string.GetHashCode is randomized).</summary>
    private static int StableSeed(string deviceId)
    {
        var hash = 2166136261u;
        foreach (var c in deviceId)
            hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CredentialsLoaded, LogLevel.Information, "Agent {DeviceId} uses credentials from {Source}")]
        public static partial void Credentials(ILogger logger, string deviceId, string source);

        [LoggerMessage(AgentLogEvents.Provisioned, LogLevel.Critical, "Agent {DeviceId} cannot get credentials: {Reason}")]
        public static partial void ProvisioningFailed(ILogger logger, string deviceId, string reason);

        [LoggerMessage(AgentLogEvents.CloudUnreachable, LogLevel.Warning, "Agent {DeviceId} cannot reach the cloud at {CloudUrl} to provision: {Reason}; retrying in {DelaySeconds} s")]
        public static partial void CloudUnreachable(ILogger logger, string deviceId, string cloudUrl, string reason, double delaySeconds);
    }
}
