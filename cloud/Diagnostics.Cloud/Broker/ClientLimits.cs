using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;
using MQTTnet.Adapter;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// What one client may cost the broker: the size of its packets (<see cref="PacketSizeGuard"/>), how often a device
/// connects and publishes (token buckets), and how many of its uplinks wait in ingestion. A device over a limit is
/// refused with its own reason code and counted; nothing it does takes another device's share. Refusals are counted
/// every time and logged at most once per device per <see cref="ClientLimitsOptions.RefusalLogInterval"/>.
/// </summary>
public sealed partial class ClientLimits(
    IOptions<ClientLimitsOptions> options,
    UplinkChannel uplinks,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<ClientLimits> logger)
{
    private readonly ConcurrentDictionary<string, DeviceBudget> _budgets = new(StringComparer.Ordinal);
    // Connections accepted through the packet size guard, by the adapter the validation hook sees.
    private readonly ConditionalWeakTable<IMqttChannelAdapter, SizeLimitedChannel> _guarded = [];

    /// <summary>The server adapter to give MQTTnet instead of <paramref name="tcp"/>: the same, with packet sizes bounded.</summary>
    public IMqttServerAdapter GuardPacketSizes(IMqttServerAdapter tcp) =>
        new PacketSizeGuard(tcp, _guarded, options.Value, time, metrics, logger);

    /// <summary>After the device's credentials are verified: false when it connects more often than allowed.</summary>
    public bool AdmitConnection(ValidatingConnectionEventArgs connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var budget = BudgetOf(connection.ClientId);
        if (budget.TryTakeConnect())
        {
            // Its refusals from now on name the device.
            if (_guarded.TryGetValue(connection.ChannelAdapter, out var channel))
                channel.DeviceId = connection.ClientId;
            return true;
        }
        Refused(connection.ClientId, budget, RejectReason.ConnectRate,
            $"more than {options.Value.ConnectBurst} connects at once or {options.Value.ConnectsPerMinute} a minute");
        return false;
    }

    /// <summary>
    /// Every publish of an authenticated device: false when it publishes faster than allowed. Once refused, the
    /// device's next publish is not read before its allowance has come back, so a flood waits in its own TCP
    /// connection instead of costing the broker work.
    /// </summary>
    public async ValueTask<bool> AdmitPublishAsync(string deviceId, CancellationToken cancellationToken)
    {
        var budget = BudgetOf(deviceId);
        // Again after waking: a timer may fire a little before the token is due, and an early take would be refused.
        while (budget.PublishesPausedFor() is var pause && pause > TimeSpan.Zero)
            await Task.Delay(pause, time, cancellationToken);
        if (budget.TryTakePublish())
            return true;
        Refused(deviceId, budget, RejectReason.PublishRate,
            $"more than {options.Value.PublishBurst} publishes at once or {options.Value.PublishesPerSecond} a second");
        return false;
    }

    /// <summary>Before an uplink goes to ingestion: false when the device already has as many waiting there as allowed.</summary>
    public bool AdmitUplink(string deviceId)
    {
        var max = options.Value.MaxInFlightPerDevice;
        if (uplinks.InFlight(deviceId) < max)
            return true;
        Refused(deviceId, BudgetOf(deviceId), RejectReason.InFlight, $"{max} uplinks already waiting to be stored");
        return false;
    }

    private DeviceBudget BudgetOf(string deviceId) =>
        _budgets.GetOrAdd(deviceId, static (_, state) => new DeviceBudget(state.options.Value, state.time), (options, time));

    private void Refused(string deviceId, DeviceBudget budget, string reason, string detail)
    {
        metrics.Rejected(reason);
        if (budget.ShouldLogRefusal(options.Value.RefusalLogInterval, out var unlogged))
            LogLimited(deviceId, reason, detail, unlogged);
    }

    [LoggerMessage(EventId = BrokerEventIds.ClientLimited, Level = LogLevel.Warning,
        Message = "Device {DeviceId} refused ({Reason}): {Detail}; {Unlogged} earlier refusal(s) not logged")]
    private partial void LogLimited(string deviceId, string reason, string detail, long unlogged);

    /// <summary>
    /// One device's allowances, created at its first authenticated connect (so at most one per registered device); its
    /// buckets are structs under its one lock.
    /// </summary>
    private sealed class DeviceBudget(ClientLimitsOptions options, TimeProvider time)
    {
        private readonly Lock _lock = new();
        private TokenBucket _connects = new(options.ConnectBurst, options.ConnectsPerMinute / 60, time);
        private TokenBucket _publishes = new(options.PublishBurst, options.PublishesPerSecond, time);
        private long _refusedSinceLog;
        private long _loggedAt = long.MinValue;

        public bool TryTakeConnect()
        {
            lock (_lock)
                return _connects.TryTake();
        }

        public bool TryTakePublish()
        {
            lock (_lock)
                return _publishes.TryTake();
        }

        public TimeSpan PublishesPausedFor()
        {
            lock (_lock)
                return _publishes.PausedFor();
        }

        public bool ShouldLogRefusal(TimeSpan interval, out long unlogged)
        {
            lock (_lock)
            {
                var now = time.GetTimestamp();
                if (_loggedAt != long.MinValue && time.GetElapsedTime(_loggedAt, now) < interval)
                {
                    _refusedSinceLog++;
                    unlogged = 0;
                    return false;
                }
                unlogged = _refusedSinceLog;
                _refusedSinceLog = 0;
                _loggedAt = now;
                return true;
            }
        }
    }
}
