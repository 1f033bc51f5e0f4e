using System.Collections;
using System.Collections.Concurrent;
using Diagnostics.Cloud.Messaging;
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
/// subscription's QoS, or at QoS 0 when the sender asks for at-most-once delivery (acks). A retained downlink (consents, update offers) is kept here, per device, and sent again to each new
/// subscription that matches it, flagged retained, as a broker sends its retained messages; an empty one clears it. Only
/// the kinds the protocol retains are kept, each up to the size the agent reads (<see cref="RetainedDownlinks"/>). It is
/// not left in MQTTnet's retained store, because that store is copied whole and tested against every new subscription:
/// with one retained message per device, a fleet reconnecting costs devices × devices topic matches.
/// The session's downlink filters are kept in its <see cref="MqttSessionStatus.Items"/>, so they live and die with it;
/// MQTTnet keeps no subscription of a device's (see <see cref="Subscribed"/>), so its publish path never reaches one.
/// </remarks>
internal sealed class DeviceSessionDelivery
{
    private const string FiltersKey = "dx.downlink-filters";
    // One entry per retained topic (dx/{id}/down/{kind}), and the few kinds ever retained, so a subscription looks up
    // its device's retained messages by topic instead of scanning anything.
    private readonly ConcurrentDictionary<string, byte[]> _retained = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _retainedKinds = new(StringComparer.Ordinal);

    /// <summary>Delivers <paramref name="payload"/> on <paramref name="topic"/> (a device's downlink); false when no subscribed session takes it.</summary>
    public async Task<bool> DeliverAsync(MqttServer server, string topic, byte[] payload, bool retain, DownlinkDelivery delivery = DownlinkDelivery.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(payload);
        var parsed = Topics.Parse(topic);
        if (!parsed.IsValid || parsed.Direction != TopicDirection.Down)
            throw new ArgumentException($"'{topic}' is not a device's downlink topic.", nameof(topic));
        if (retain)
            Retain(parsed.Kind, topic, payload);
        if (await SessionAsync(server, parsed.DeviceId) is not { } session)
            return false;
        if (Filters(session.Items, create: false)?.QualityFor(topic) is not { } granted)
            return false;
        var qos = delivery == DownlinkDelivery.AtMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : granted;
        // As on the publish path, the live copy of a retained message is not flagged retained (no Retain As Published).
        return session.TryEnqueueApplicationMessage(Message(topic, payload, qos, retain: false), out _);
    }

    /// <summary>
    /// Records a subscription the ACL allowed (only downlink filters get there) in the session's own filters and sends the
    /// device what is retained for it under that filter. Called from the subscription hook, which then tells MQTTnet not
    /// to keep the subscription itself: these filters are the only ones a downlink is tested against, and MQTTnet's
    /// per-session subscription tables (three dictionaries, a topic-hash set and the subscription, about 1 KB per
    /// connected device) would only duplicate them (issue 22). The retained messages may go out before the SUBACK, which
    /// MQTT allows (3.1.1 §3.8.4, 5.0 §3.8.4).
    /// </summary>
    /// <returns>The QoS the subscription is granted: the one asked for, at most 1 (the most a downlink goes out at).</returns>
    public MqttQualityOfServiceLevel Subscribed(MqttSessionStatus session, string deviceId, MqttTopicFilter filter)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(filter);
        var qos = filter.QualityOfServiceLevel > MqttQualityOfServiceLevel.AtLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : filter.QualityOfServiceLevel;
        Filters(session.Items, create: true)!.Add(filter.Topic, qos);
        if (_retained.IsEmpty)
            return qos;
        foreach (var kind in _retainedKinds.Keys)
        {
            var topic = Topics.Downlink(deviceId, kind);
            if (_retained.TryGetValue(topic, out var payload) && MqttTopicFilterComparer.Compare(topic, filter.Topic) == MqttTopicFilterCompareResult.IsMatch)
                session.TryEnqueueApplicationMessage(Message(topic, payload, qos, retain: true), out _);
        }
        return qos;
    }

    /// <summary>Forgets a downlink filter; false when the session had none by that name.</summary>
    public static bool Unsubscribed(IDictionary sessionItems, string filter) => Filters(sessionItems, create: false)?.Remove(filter) ?? false;

    private void Retain(string kind, string topic, byte[] payload)
    {
        // Only what the protocol retains, and no larger than the agent reads: checked before anything is replaced.
        if (RetainedDownlinks.MaxBytes(kind) is not { } max)
            throw new ArgumentException($"'{kind}' downlinks are never retained (only {Topics.ConsentKind} and {Topics.UpdateKind}).", nameof(kind));
        if (payload.Length > max)
            throw new ArgumentException($"A retained '{kind}' downlink of {payload.Length} bytes exceeds its limit of {max} bytes (the largest the agent reads).", nameof(payload));
        if (payload.Length == 0)
        {
            _retained.TryRemove(topic, out _);
            return;
        }
        _retainedKinds.TryAdd(kind, true);
        _retained[topic] = payload;
    }

    private static async Task<MqttSessionStatus?> SessionAsync(MqttServer server, string deviceId)
    {
        try
        {
            return await server.GetSessionAsync(deviceId);
        }
        catch (InvalidOperationException)
        {
            // No session under that id: the device is not connected (MQTTnet answers "not found" only by throwing).
            return null;
        }
    }

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

    /// <summary>
    /// One session's filters with their QoS (a device has one or two: a few entries, searched in order). Replaced whole
    /// on a change, so a delivery reads it without a lock and a connected device holds one small array (issue 22).
    /// </summary>
    private sealed class DownlinkFilters
    {
        private (string Filter, MqttQualityOfServiceLevel Qos)[] _filters = [];

        public void Add(string filter, MqttQualityOfServiceLevel qos) =>
            Change(current => [.. current.Where(f => f.Filter != filter), (filter, qos)]);

        public bool Remove(string filter)
        {
            var removed = false;
            Change(current =>
            {
                removed = current.Any(f => f.Filter == filter);
                return [.. current.Where(f => f.Filter != filter)];
            });
            return removed;
        }

        /// <summary>The QoS the message goes out at (the highest matching subscription's, each granted at most 1), or null when none matches.</summary>
        public MqttQualityOfServiceLevel? QualityFor(string topic)
        {
            MqttQualityOfServiceLevel? best = null;
            foreach (var (filter, qos) in Volatile.Read(ref _filters))
            {
                if (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch && (best is null || qos > best))
                    best = qos;
            }
            return best;
        }

        private void Change(Func<(string Filter, MqttQualityOfServiceLevel Qos)[], (string Filter, MqttQualityOfServiceLevel Qos)[]> change)
        {
            var current = Volatile.Read(ref _filters);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _filters, change(current), current);
                if (ReferenceEquals(seen, current))
                    return;
                current = seen;
            }
        }
    }
}
