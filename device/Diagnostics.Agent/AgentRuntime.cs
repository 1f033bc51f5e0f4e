using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent;

/// <summary>
/// One device's agent without a host of its own: collector, telemetry pump, durable outbox and MQTT uplink.
/// The single-agent host and the fleet simulator both run these.
/// </summary>
public sealed partial class AgentRuntime : IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public AgentRuntime(
        DeviceCredentials credentials,
        IDeviceCollector collector,
        AgentOptions agent,
        BrokerOptions broker,
        OutboxOptions outbox,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        Random random)
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
        Uplink = new UplinkConnection(credentials, broker, Outbox, time, random, loggerFactory.CreateLogger<UplinkConnection>());
        Telemetry = new TelemetryPump(collector, Outbox, Envelopes, agent, time, loggerFactory.CreateLogger<TelemetryPump>(), UplinkMetrics)
        {
            PairingCode = PairingCode,
        };
    }

    public string DeviceId => Credentials.DeviceId;

    public DeviceCredentials Credentials { get; }

    /// <summary>What the owner types into the companion app to pair this device (see <see cref="PairingCodes"/>).</summary>
    public string PairingCode { get; }

    public IDeviceCollector Collector { get; }

    public Outbox Outbox { get; }

    public UplinkConnection Uplink { get; }

    public TelemetryPump Telemetry { get; }

    public UplinkEnvelopes Envelopes { get; }

    /// <summary>Runs telemetry and uplink until cancelled (returns normally then) or until one of them fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.Started(_logger, DeviceId, Collector.Name, Outbox.FilePath, Outbox.Depth);
        Log.PairingCode(_logger, DeviceId, PairingCodes.Display(PairingCode));
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var telemetry = Telemetry.RunAsync(stopping.Token);
        var uplink = Uplink.RunAsync(stopping.Token);
        try
        {
            var first = await Task.WhenAny(telemetry, uplink);
            await stopping.CancelAsync();
            await first; // surfaces a failure of whichever ended first
            await Task.WhenAll(telemetry, uplink);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(telemetry.ContinueWith(_ => { }, TaskScheduler.Default), uplink.ContinueWith(_ => { }, TaskScheduler.Default));
        }
        Log.Stopped(_logger, DeviceId, Outbox.Depth, Uplink.Published);
    }

    /// <summary>Enqueues <paramref name="count"/> synthetic events as fast as possible (load mode).</summary>
    public Task<TimeSpan> FloodEventsAsync(int count, CancellationToken cancellationToken) =>
        EventFlood.RunAsync(Outbox, Envelopes, count, _time, cancellationToken);

    public void Dispose() => Outbox.Dispose();

    /// <summary>Heartbeat metrics beyond the pump's own: the uplink's, and the collector's gauges when it measures any.</summary>
    private IEnumerable<Metric> UplinkMetrics() =>
    [
        new Metric { Name = "uplink-connected", Value = Uplink.IsConnected ? 1 : 0, Unit = "bool" },
        new Metric { Name = "uplink-connects", Value = Uplink.Connects, Unit = "count" },
        new Metric { Name = "uplink-published", Value = Uplink.Published, Unit = "count" },
        new Metric { Name = "uplink-ack-timeouts", Value = Uplink.AckTimeouts, Unit = "count" },
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
