using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>
/// One client process of the <c>fleet</c> run: holds many lightweight device connections speaking the agent's protocol
/// (MQTT 5, clean start, keep-alive, last will "offline" retained on the presence topic, presence "online" on connect,
/// a subscription to its downlink, a heartbeat envelope at once and then every interval, QoS 1, sequences acked by the
/// cloud), bound to its own loopback source address. No outbox, collector or database: only what the cloud sees.
/// With <c>--certificates</c>, each device presents its own client certificate over TLS instead of its token.
/// Prints one status line a second for the parent: <c>status connected=C sent=S stored=A failed=F acked=D</c> (D: devices with at least one ack).
/// </summary>
internal static class FleetClient
{
    public const string Name = "fleet-client";

    public static async Task<int> RunAsync(string[] args)
    {
        string Option(string name) => args[Array.IndexOf(args, name) + 1];
        var credentials = File.ReadAllLines(Option("--credentials"))
            .Skip(int.Parse(Option("--from"), CultureInfo.InvariantCulture))
            .Take(int.Parse(Option("--count"), CultureInfo.InvariantCulture))
            .Select(line => line.Split(' '))
            .Select(parts => (DeviceId: parts[0], Token: parts[1]))
            .ToList();
        var server = new IPEndPoint(IPAddress.Parse(Option("--host")), int.Parse(Option("--port"), CultureInfo.InvariantCulture));
        var local = IPAddress.Parse(Option("--local-address"));
        var interval = TimeSpan.FromSeconds(int.Parse(Option("--heartbeat"), CultureInfo.InvariantCulture));
        var concurrency = int.Parse(Option("--connect-concurrency"), CultureInfo.InvariantCulture);
        // Certificate devices (--certificates DIR --server-ca FILE): TLS with each device's client certificate, no token.
        Func<string, MqttClientTlsOptions>? tls = args.Contains("--certificates")
            ? deviceId => FleetCertificates.DeviceTls(Option("--server-ca"), Option("--certificates"), deviceId)
            : null;

        using var stop = new CancellationTokenSource();
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        var counters = new Counters();
        var devices = credentials.Select((c, i) => new Device(c.DeviceId, c.Token, tls, server, local, interval, counters, new Random(i))).ToList();
        var reporting = ReportAsync(counters, stop.Token);

        // Connect at most `concurrency` at a time, as a fleet coming back after an outage would (with jitter).
        using var gate = new SemaphoreSlim(concurrency);
        var running = devices.Select(async device =>
        {
            await gate.WaitAsync(stop.Token);
            try
            {
                await device.ConnectAsync(stop.Token);
            }
            finally
            {
                gate.Release();
            }
            await device.HeartbeatLoopAsync(stop.Token);
        }).ToList();
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM: disconnect cleanly below.
        }
        await Task.WhenAll(devices.Select(d => d.DisconnectAsync()));
        await reporting;
        return 0;
    }

    private static async Task ReportAsync(Counters counters, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
                Console.WriteLine(counters.Line());
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine(counters.Line());
        }
    }

    private sealed class Counters
    {
        public long Connected;
        public long Sent;
        public long Stored;
        public long Failed;

        /// <summary>Devices that have had at least one of their sequences acked.</summary>
        public long Acked;

        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"status connected={Interlocked.Read(ref Connected)} sent={Interlocked.Read(ref Sent)} stored={Interlocked.Read(ref Stored)} failed={Interlocked.Read(ref Failed)} acked={Interlocked.Read(ref Acked)}");
    }

    /// <param name="tls">A certificate device's TLS, read when it connects (so reading the fleet's files overlaps its connects); null: its token.</param>
    private sealed class Device(string deviceId, string token, Func<string, MqttClientTlsOptions>? tls, IPEndPoint server, IPAddress local, TimeSpan interval, Counters counters, Random random)
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
        private ulong _nextSequence = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        private ulong _acked;
        private ulong _firstSequence;

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            _firstSequence = _nextSequence;
            _acked = _firstSequence - 1;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.Topic.EndsWith("/down/ack", StringComparison.Ordinal)
                    && WireCodec.Decode<Ack>(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)).Value is { } ack)
                {
                    var mark = ack.HighestContiguousSequence;
                    var before = Interlocked.Exchange(ref _acked, Math.Max(mark, Interlocked.Read(ref _acked)));
                    if (mark > before)
                        Interlocked.Add(ref counters.Stored, (long)(mark - before));
                    if (mark > before && before == _firstSequence - 1)
                        Interlocked.Increment(ref counters.Acked);
                }
                return Task.CompletedTask;
            };
            var builder = new MqttClientOptionsBuilder()
                .WithEndPoint(server)
                .WithClientId(deviceId);
            // A certificate device shows no token: the broker takes its id from the certificate.
            builder = tls is null ? builder.WithCredentials(deviceId, token) : builder.WithCredentials(deviceId, (byte[]?)null).WithTlsOptions(tls(deviceId));
            var options = builder
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                .WithTimeout(TimeSpan.FromSeconds(60))
                .WithWillTopic(Topics.Presence(deviceId))
                .WithWillPayload(WireCodec.Encode(new Presence { Online = false }))
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            // Each client process on its own source address: 28,000 ephemeral ports per address, not per machine.
            ((MqttClientTcpOptions)options.ChannelOptions).LocalEndpoint = new IPEndPoint(local, 0);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _client.ConnectAsync(options, cancellationToken);
                    break;
                }
                catch (Exception) when (attempt < 10 && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref counters.Failed);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt + random.Next(500)), cancellationToken);
                }
            }
            await _client.SubscribeAsync(Topics.DownlinkFilter(deviceId), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            await _client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Presence(deviceId))
                .WithPayload(WireCodec.Encode(new Presence { Online = true }))
                .WithRetainFlag(true)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), cancellationToken);
            Interlocked.Increment(ref counters.Connected);
        }

        public async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
        {
            var uptime = System.Diagnostics.Stopwatch.StartNew();
            await SendHeartbeatAsync(uptime, cancellationToken);
            // Spread over the interval, as devices that came up at different times are.
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * interval.TotalMilliseconds), cancellationToken);
            using var timer = new PeriodicTimer(interval);
            do
            {
                await SendHeartbeatAsync(uptime, cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }

        private async Task SendHeartbeatAsync(System.Diagnostics.Stopwatch uptime, CancellationToken cancellationToken)
        {
            var envelope = new Envelope
            {
                DeviceId = deviceId,
                Sequence = _nextSequence++,
                LowestRetainedSequence = Interlocked.Read(ref _acked) + 1,
                DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                AgentVersion = "fleet-load",
                SchemaVersion = Envelope.CurrentSchemaVersion,
                Heartbeat = new Heartbeat { UptimeSeconds = (long)uptime.Elapsed.TotalSeconds, IntervalSeconds = (int)interval.TotalSeconds },
            };
            try
            {
                await _client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.Uplink(deviceId, UplinkKind.Heartbeat))
                    .WithPayload(WireCodec.Encode(envelope))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(), cancellationToken);
                Interlocked.Increment(ref counters.Sent);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref counters.Failed);
            }
        }

        public async Task DisconnectAsync()
        {
            try
            {
                if (_client.IsConnected)
                    await _client.DisconnectAsync();
            }
            catch (Exception)
            {
                // Going away anyway.
            }
            _client.Dispose();
        }
    }
}
