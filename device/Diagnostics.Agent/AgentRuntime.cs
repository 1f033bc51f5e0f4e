using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Hosts;
using Diagnostics.Agent.Reports;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Updates;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent;

/// <summary>
/// One device's agent without a host of its own: collector, telemetry pump, durable outbox, MQTT uplink and the
/// executor of the cloud's commands (its journal and consents in the device's data directory, beside the outbox) and
/// the installer of its updates (journal, downloads and A/B slots there too).
/// The single-agent host, each device of a gateway and the fleet simulator all run these.
/// </summary>
public sealed partial class AgentRuntime : IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient? _ownedHttp;

    public AgentRuntime(
        DeviceCredentials credentials,
        IDeviceCollector collector,
        AgentOptions agent,
        BrokerOptions broker,
        OutboxOptions outbox,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        Random random,
        CommandOptions? commands = null,
        DiagnosticsSetup? diagnostics = null,
        UpdateSetup? updates = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Credentials = credentials;
        Collector = collector;
        _time = time;
        _logger = loggerFactory.CreateLogger<AgentRuntime>();
        Envelopes = new UplinkEnvelopes(credentials.DeviceId, time);
        PairingCode = Provisioning.PairingCode.LoadOrCreate(agent.DataDirectory);
        Outbox = Outbox.Open(agent.DataDirectory, outbox, time);
        Telemetry = new TelemetryPump(collector, Outbox, Envelopes, agent, time, loggerFactory.CreateLogger<TelemetryPump>(), UplinkMetrics)
        {
            PairingCode = PairingCode,
        };
        commands ??= new CommandOptions();
        Reporter = new DiagnosticsReporter(
            DiagnosticsSources(credentials, agent, broker, outbox, commands, diagnostics), time, loggerFactory.CreateLogger<DiagnosticsReporter>());
        Commands = new CommandExecutor(agent.DataDirectory, collector as IDeviceActions, Outbox, Envelopes, commands, time,
            loggerFactory.CreateLogger<CommandExecutor>(), afterAction: Telemetry.RequestRead, restartAgent: RestartAgent,
            collectDiagnostics: Reporter.RunAsync);
        var http = updates?.Http ?? diagnostics?.Http ?? (_ownedHttp = new HttpClient());
        Updates = new UpdateInstaller(
            new UpdateDevice(credentials.DeviceId, agent.DataDirectory, Telemetry, () => Uplink?.IsConnected == true, () => Commands.Consents,
                collector as IBootableDevice, http, Uri.TryCreate(agent.CloudUrl, UriKind.Absolute, out var cloud) ? cloud : null, credentials.BearerTokenFor(cloud),
                collector as IPrintHost),
            updates?.Options ?? new UpdateOptions(), Outbox, Envelopes, time, random, loggerFactory, agent.PollInterval, updates?.RestartProcess);
        if (collector is IPrintHost host)
            HostReports = new HostReporter(host, Outbox, Envelopes, host.ReportInterval, time, loggerFactory.CreateLogger<HostReporter>());
        Uplink = new UplinkConnection(credentials, broker, Outbox, time, random, loggerFactory.CreateLogger<UplinkConnection>(), Commands, Updates);
    }

    public string DeviceId => Credentials.DeviceId;

    public DeviceCredentials Credentials { get; }

    /// <summary>What the owner types into the companion app to pair this device (see <see cref="PairingCodes"/>).</summary>
    public string PairingCode { get; }

    public IDeviceCollector Collector { get; }

    public Outbox Outbox { get; }

    public UplinkConnection Uplink { get; }

    public TelemetryPump Telemetry { get; }

    /// <summary>Runs the cloud's commands on this device (see <see cref="CommandExecutor"/>).</summary>
    public CommandExecutor Commands { get; }

    public UplinkEnvelopes Envelopes { get; }

    /// <summary>Takes the cloud's update offers for this device (see <see cref="UpdateInstaller"/>).</summary>
    public UpdateInstaller Updates { get; }

    /// <summary>In the host role: sends the host's print queues and drivers (see <see cref="HostReporter"/>); null on a device.</summary>
    public HostReporter? HostReports { get; }

    /// <summary>Answers <c>collect-diagnostics</c>: builds this device's report and uploads it to the cloud.</summary>
    public DiagnosticsReporter Reporter { get; }

    /// <summary>Runs telemetry and uplink until cancelled (returns normally then) or until one of them fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.Started(_logger, DeviceId, Collector.Name, Outbox.FilePath, Outbox.Depth);
        Log.PairingCode(_logger, DeviceId, PairingCodes.Display(PairingCode));
        // The device boots from its slot before anything reads it: the first status already tells the version it runs.
        try
        {
            await Updates.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Stopped(_logger, DeviceId, Outbox.Depth, Uplink.Published);
            return;
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var telemetry = Telemetry.RunAsync(stopping.Token);
        var commands = Commands.RunAsync(stopping.Token);
        var updates = Updates.RunAsync(stopping.Token);
        var uplink = Uplink.RunAsync(stopping.Token);
        var hostReports = HostReports?.RunAsync(stopping.Token) ?? Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Task[] parts = [telemetry, commands, updates, uplink, hostReports];
        try
        {
            var first = await Task.WhenAny(parts);
            await stopping.CancelAsync();
            await first; // surfaces a failure of whichever ended first
            await Task.WhenAll(parts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(parts.Select(task => task.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
        Log.Stopped(_logger, DeviceId, Outbox.Depth, Uplink.Published);
    }

    /// <summary>Enqueues <paramref name="count"/> synthetic events as fast as possible (load mode).</summary>
    public Task<TimeSpan> FloodEventsAsync(int count, CancellationToken cancellationToken) =>
        EventFlood.RunAsync(Outbox, Envelopes, count, _time, cancellationToken);

    public void Dispose()
    {
        Updates.Dispose();
        Commands.Dispose();
        Outbox.Dispose();
        _ownedHttp?.Dispose();
    }

    /// <summary>
    /// <c>restart-agent</c>, kept deliberately gentle: the MQTT session is closed cleanly and reopened at once (subscribe,
    /// presence, resend from the lowest unacknowledged message) and the device is read again. Nothing is recreated or
    /// deleted: the collector, outbox, journal and consents stay as they are; the process does not restart.
    /// </summary>
    private void RestartAgent()
    {
        Uplink.RequestReconnect();
        Telemetry.RequestRead();
    }

    /// <summary>Where this device's diagnostics report comes from: the pump's status and events, its log lines, its settings.</summary>
    private DiagnosticsSources DiagnosticsSources(
        DeviceCredentials credentials, AgentOptions agent, BrokerOptions broker, OutboxOptions outbox, CommandOptions commands, DiagnosticsSetup? setup)
    {
        var deviceId = credentials.DeviceId;
        var ring = setup?.Log;
        var soleDevice = setup?.SoleDevice ?? true;
        IReadOnlyList<KeyValuePair<string, string?>> configuration =
        [
            .. DiagnosticsSetup.Flatten(AgentOptions.Section, agent),
            .. DiagnosticsSetup.Flatten(BrokerOptions.Section, broker),
            .. DiagnosticsSetup.Flatten(OutboxOptions.Section, outbox),
            .. DiagnosticsSetup.Flatten(CommandOptions.Section, commands),
            .. setup?.CollectorSettings ?? [],
        ];
        var cloudUrl = Uri.TryCreate(agent.CloudUrl, UriKind.Absolute, out var url) ? url : null;
        return new DiagnosticsSources(deviceId, Telemetry.CurrentStatusAsync, Telemetry.RecentEvents,
            () => ring?.Tail(deviceId, soleDevice) ?? [], configuration, setup?.Http, cloudUrl, credentials.BearerTokenFor(cloudUrl));
    }

    /// <summary>Heartbeat metrics beyond the pump's own: the uplink's, and the collector's gauges when it measures any.</summary>
    private IEnumerable<Metric> UplinkMetrics() =>
    [
        new Metric { Name = "uplink-connected", Value = Uplink.IsConnected ? 1 : 0, Unit = "bool" },
        new Metric { Name = "uplink-connects", Value = Uplink.Connects, Unit = "count" },
        new Metric { Name = "uplink-published", Value = Uplink.Published, Unit = "count" },
        new Metric { Name = "uplink-ack-timeouts", Value = Uplink.AckTimeouts, Unit = "count" },
        new Metric { Name = "downlink-malformed", Value = Uplink.MalformedDownlinks, Unit = "count" },
        .. Commands.CurrentMetrics(),
        .. Updates.CurrentMetrics(),
        .. (Collector as IMetricSource)?.CurrentMetrics() ?? [],
    ];

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.AgentStarted, LogLevel.Information, "Agent {DeviceId} started: collector {Collector}, outbox {OutboxPath} holding {OutboxDepth} messages")]
        public static partial void Started(ILogger logger, string deviceId, string collector, string outboxPath, long outboxDepth);

        [LoggerMessage(AgentLogEvents.PairingCodeShown, LogLevel.Information, "Device {DeviceId} pairing code: {PairingCode} (enter it in the companion app to pair the device)")]
        public static partial void PairingCode(ILogger logger, string deviceId, string pairingCode);

        [LoggerMessage(AgentLogEvents.AgentStopped, LogLevel.Information, "Agent {DeviceId} stopped: {OutboxDepth} messages left in the outbox, {Published} published")]
        public static partial void Stopped(ILogger logger, string deviceId, long outboxDepth, long published);
    }
}
