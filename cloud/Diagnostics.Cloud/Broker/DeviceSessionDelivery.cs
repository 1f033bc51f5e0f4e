using System.Collections;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Puts a message from the cloud straight into its one device's MQTT session. MQTTnet's publish path
/// (<see cref="MqttServer.InjectApplicationMessage"/>) copies the list of every subscribed session and tests each one's
/// subscriptions for every message (MQTTnet issue #2174): at 10,000 devices about 7.5 ms per ack. A downlink has one
/// possible receiver, named in its topic, so it is found by client id in the server's own session table
/// (<see cref="MqttServer.GetSessionAsync"/>, one dictionary lookup) and enqueued there
/// (<see cref="MqttSessionStatus.TryEnqueueApplicationMessage"/>, the session's own packet identifiers and in-flight list).
/// </summary>
/// <remarks>
/// The publish path's guarantees are kept: only a session subscribed to a filter that matches the topic gets the message
/// (a message sent between connect and subscribe is not delivered, as before), at the lower of QoS 1 and the
/// subscription's QoS; a retained message is also stored by the broker, so the device's next subscription receives it.
/// The session's downlink filters are kept in its <see cref="MqttSessionStatus.Items"/>, so they live and die with it.
/// </remarks>
internal static class DeviceSessionDelivery
{
    private const string FiltersKey = "dx.downlink-filters";

    /// <summary>Delivers <paramref name="payload"/> on <paramref name="topic"/> (a device's downlink); false when no subscribed session takes it.</summary>
    public static async Task<bool> DeliverAsync(MqttServer server, string topic, byte[] payload, bool retain)
    {
        var parsed = Topics.Parse(topic);
        if (!parsed.IsValid || parsed.Direction != TopicDirection.Down)
            throw new ArgumentException($"'{topic}' is not a device's downlink topic.", nameof(topic));
        if (retain)
        {
            // Kept for the next subscription exactly as a retained publish would be (an empty payload clears it).
            await server.UpdateRetainedMessageAsync(Message(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        }
        MqttSessionStatus session;
        try
        {
            session = await server.GetSessionAsync(parsed.DeviceId);
        }
        catch (InvalidOperationException)
        {
            // No session under that id: the device is not connected (MQTTnet answers "not found" only by throwing).
            return false;
        }
        if (Filters(session.Items, create: false)?.QualityFor(topic) is not { } qos)
            return false;
        // As on the publish path, the live copy of a retained message is not flagged retained (no Retain As Published).
        return session.TryEnqueueApplicationMessage(Message(topic, payload, qos, retain: false), out _);
    }

    /// <summary>Records a subscription the ACL allowed; only downlink filters are kept.</summary>
    public static void Subscribed(IDictionary sessionItems, MqttTopicFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Filters(sessionItems, create: true)!.Add(filter.Topic, filter.QualityOfServiceLevel);
    }

    public static void Unsubscribed(IDictionary sessionItems, string filter) => Filters(sessionItems, create: false)?.Remove(filter);

    private static MqttApplicationMessage Message(string topic, byte[] payload, MqttQualityOfServiceLevel qos, bool retain) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    private static DownlinkFilters? Filters(IDictionary items, bool create)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items[FiltersKey] is DownlinkFilters filters)
            return filters;
        if (!create)
            return null;
        // MQTTnet's session items are a ConcurrentDictionary; one client's subscribes are handled one at a time.
        filters = new DownlinkFilters();
        items[FiltersKey] = filters;
        return filters;
    }

    /// <summary>One session's filters with their QoS (a device has one or two: a few entries, searched in order).</summary>
    private sealed class DownlinkFilters
    {
        private readonly Lock _lock = new();
        private readonly List<(string Filter, MqttQualityOfServiceLevel Qos)> _filters = [];

        public void Add(string filter, MqttQualityOfServiceLevel qos)
        {
            lock (_lock)
            {
                _filters.RemoveAll(f => f.Filter == filter);
                _filters.Add((filter, qos));
            }
        }

        public void Remove(string filter)
        {
            lock (_lock)
                _filters.RemoveAll(f => f.Filter == filter);
        }

        /// <summary>The QoS the message goes out at (the highest matching subscription's, at most 1), or null when none matches.</summary>
        public MqttQualityOfServiceLevel? QualityFor(string topic)
        {
            MqttQualityOfServiceLevel? best = null;
            lock (_lock)
            {
                foreach (var (filter, qos) in _filters)
                {
                    if (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch && (best is null || qos > best))
                        best = qos;
                }
            }
            return best is { } granted && granted > MqttQualityOfServiceLevel.AtLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : best;
        }
    }
}
