using System.Collections.Concurrent;
using System.Diagnostics;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>
/// The one extra device of the <c>fleet</c> run, in the load tool's own process: publishes an envelope and times it to
/// the cloud's ack (stored), one at a time; and raises errors and times them to the fix proposal being readable in the
/// store.
/// </summary>
internal sealed class FleetProbe : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _deviceId;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _waiting = new();
    private ulong _nextSequence = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private ulong _acked;

    private FleetProbe(IMqttClient client, string deviceId)
    {
        _client = client;
        _deviceId = deviceId;
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (!e.ApplicationMessage.Topic.EndsWith("/down/ack", StringComparison.Ordinal)
                || WireCodec.Decode<Ack>(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)).Value is not { } ack)
                return Task.CompletedTask;
            lock (_waiting)
                _acked = Math.Max(_acked, ack.HighestContiguousSequence);
            foreach (var (sequence, done) in _waiting)
            {
                if (sequence <= ack.HighestContiguousSequence && _waiting.TryRemove(sequence, out _))
                    done.TrySetResult();
            }
            return Task.CompletedTask;
        };
    }

    /// <param name="tls">A certificate device's TLS (then no token is shown); null: plain MQTT with the token.</param>
    public static async Task<FleetProbe> ConnectAsync(int port, string deviceId, string token, MqttClientTlsOptions? tls, CancellationToken ct)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new FleetProbe(client, deviceId);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(deviceId);
        builder = tls is null ? builder.WithCredentials(deviceId, token) : builder.WithCredentials(deviceId, (byte[]?)null).WithTlsOptions(tls);
        await client.ConnectAsync(builder
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(60))
            .Build(), ct);
        await client.SubscribeAsync(Topics.DownlinkFilter(deviceId), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        return probe;
    }

    /// <summary>
    /// Publishes events one after another, <paramref name="gap"/> apart, <paramref name="count"/> of them or for
    /// <paramref name="duration"/>, whichever ends first; publish → ack times in ms.
    /// </summary>
    public async Task<List<double>> AckLatenciesAsync(int count, TimeSpan gap, TimeSpan duration, CancellationToken ct)
    {
        var samples = new List<double>();
        var running = Stopwatch.StartNew();
        for (var i = 0; i < count && running.Elapsed < duration; i++)
        {
            var clock = Stopwatch.StartNew();
            await SendAsync(new DeviceEvent { Kind = EventKind.Raised, Code = "load:probe", Condition = "probe", Severity = Severity.Report, Message = "probe" }, waitForAck: true, ct);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(gap, ct);
        }
        return samples;
    }

    /// <summary>
    /// Raises <paramref name="count"/> errors, each with its own code (so each is a new problem), <paramref name="gap"/> apart;
    /// the time from publishing each to its proposal being readable in <paramref name="databasePath"/>, in ms.
    /// </summary>
    public async Task<List<double>> ProposalLatenciesAsync(int count, TimeSpan gap, string databasePath, CancellationToken ct)
    {
        var samples = new List<double>(count);
        await using var store = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await store.OpenAsync(ct);
        await using var query = store.CreateCommand();
        query.CommandText = "SELECT COUNT(*) FROM fix_proposals WHERE device_id = $device AND event_seq = $seq;";
        var device = query.Parameters.AddWithValue("$device", _deviceId);
        var seq = query.Parameters.Add("$seq", SqliteType.Integer);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            var sequence = await SendAsync(new DeviceEvent
            {
                Kind = EventKind.Raised, Code = $"load:probe-error-{Guid.NewGuid():N}", Condition = "probe-error", Severity = Severity.Error, Message = "probe error",
            }, waitForAck: false, ct);
            seq.Value = unchecked((long)sequence);
            while (Convert.ToInt64(await query.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                    throw new TimeoutException($"No proposal for the probe's error {sequence} within 60 s.");
                await Task.Delay(TimeSpan.FromMilliseconds(1), ct);
            }
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(gap, ct);
        }
        return samples;
    }

    private async Task<ulong> SendAsync(DeviceEvent @event, bool waitForAck, CancellationToken ct)
    {
        var sequence = _nextSequence++;
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[sequence] = acked;
        ulong lowestRetained;
        lock (_waiting)
            lowestRetained = _acked == 0 ? sequence : _acked + 1;
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Uplink(_deviceId, UplinkKind.Event))
            .WithPayload(WireCodec.Encode(new Envelope
            {
                DeviceId = _deviceId,
                Sequence = sequence,
                LowestRetainedSequence = lowestRetained,
                DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                AgentVersion = "fleet-probe",
                SchemaVersion = Envelope.CurrentSchemaVersion,
                Event = @event,
            }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct);
        if (waitForAck)
            await acked.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
        return sequence;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
            await _client.DisconnectAsync();
        _client.Dispose();
    }
}
