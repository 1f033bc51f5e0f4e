using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using MQTTnet;

namespace Diagnostics.LoadTest;

/// <summary>
/// One device floods while the others publish at a normal pace: the others' publish-to-PUBACK latency with the flood
/// against the same devices alone, in the same cloud process (the reference), as a ratio of p99s. The two alternate
/// in short slices, so a spike of load from elsewhere on the machine falls on both alike. Done twice: with the
/// broker's default per-device limits, and with them lifted (what the limits buy).
/// </summary>
internal static class FloodRun
{
    private const ulong FirstSequence = 1_000_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(2);

    /// <summary>Per-device limits so high that no device meets them.</summary>
    public static readonly string[] LimitsLifted =
        ["--Broker:Limits:PublishBurst=100000000", "--Broker:Limits:PublishesPerSecond=100000000", "--Broker:Limits:MaxInFlightPerDevice=100000000"];

    public static async Task RunAsync(int deviceCount, int periodMs, int seconds, int window, CancellationToken ct)
    {
        var period = TimeSpan.FromMilliseconds(periodMs);
        var phase = TimeSpan.FromSeconds(seconds);
        var withLimits = await MeasureAsync("default limits", [], deviceCount, period, phase, window, ct);
        var lifted = await MeasureAsync("limits lifted", LimitsLifted, deviceCount, period, phase, window, ct);

        Console.WriteLine();
        Console.WriteLine($"flood: {deviceCount} devices publish one event every {periodMs} ms (QoS 1), {seconds} s alone and {seconds} s beside one device");
        Console.WriteLine($"       publishing as fast as the broker answers ({window} publishes outstanding), alternating in {Slice.TotalSeconds:N0} s slices;");
        Console.WriteLine($"       publish -> PUBACK of the {deviceCount}:");
        foreach (var run in new[] { withLimits, lifted })
        {
            Console.WriteLine($"  {run.Name,-15}: alone      p50 {run.Alone.P50,7:N2} ms p90 {run.Alone.P90,7:N2} ms p99 {run.Alone.P99,8:N2} ms ({run.Alone.Count} publishes, {run.Alone.Failed} refused)");
            Console.WriteLine($"  {"",-15}  with flood p50 {run.Flooded.P50,7:N2} ms p90 {run.Flooded.P90,7:N2} ms p99 {run.Flooded.P99,8:N2} ms ({run.Flooded.Count} publishes, {run.Flooded.Failed} refused)" +
                $"  p99 ratio {run.Flooded.P99 / run.Alone.P99:N2}x (p90 {run.Flooded.P90 / run.Alone.P90:N2}x)");
            Console.WriteLine($"  {"",-15}  flooder: {run.FloodAccepted:N0} accepted, {run.FloodRefused:N0} refused ({run.FloodRefusedReasons}), " +
                $"{(run.FloodAccepted + run.FloodRefused) / phase.TotalSeconds:N0} answered/s; cloud peak RSS {run.PeakMiB:N0} MiB");
        }
    }

    private static async Task<FloodResult> MeasureAsync(string name, string[] settings, int deviceCount, TimeSpan period, TimeSpan phase, int window, CancellationToken ct)
    {
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: settings);
        var normal = new List<Device>();
        for (var i = 0; i < deviceCount; i++)
            normal.Add(await Device.ConnectAsync(cloud, $"pace-{i:D4}", ct));
        await using var flooder = await Device.ConnectAsync(cloud, "flooder", ct, listenForAcks: true);
        try
        {
            await PaceAsync(normal, period, WarmUp, new Samples(), ct);
            var alone = new Samples();
            var flooded = new Samples();
            long accepted = 0, refused = 0;
            var reasons = new Dictionary<string, long>();
            for (var done = TimeSpan.Zero; done < phase; done += Slice)
            {
                await PaceAsync(normal, period, Slice, alone, ct);
                using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var flood = flooder.FloodAsync(window, stopFlood.Token);
                await PaceAsync(normal, period, Slice, flooded, ct);
                await stopFlood.CancelAsync();
                // The next slice alone starts once every publish of the flood is answered and everything accepted is
                // stored (its ack): otherwise it would still wait behind the flood's backlog in ingestion.
                var answered = await flood;
                await flooder.WaitUntilStoredAsync(answered.HighestAccepted, ct);
                accepted += answered.Accepted;
                refused += answered.Refused;
                foreach (var (reason, count) in answered.Reasons)
                    reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
            var reasonText = reasons.Count == 0 ? "none" : string.Join(", ", reasons.Select(r => $"{r.Value:N0} {r.Key}"));
            return new FloodResult(name, alone.Latencies(), flooded.Latencies(), accepted, refused, reasonText, cloud.Process.PeakResidentBytes() / (1024.0 * 1024));
        }
        finally
        {
            foreach (var device in normal)
                await device.DisposeAsync();
        }
    }

    /// <summary>Every device publishes once a period, spread evenly over it, for <paramref name="duration"/>; each publish timed to its PUBACK.</summary>
    private static async Task PaceAsync(List<Device> devices, TimeSpan period, TimeSpan duration, Samples samples, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(devices.Select((device, index) => Task.Run(async () =>
        {
            // Offsets spread the devices over the period instead of all publishing on the same tick.
            await Task.Delay(period * index / devices.Count, ct);
            using var timer = new PeriodicTimer(period);
            do
            {
                var sent = Stopwatch.GetTimestamp();
                var result = await device.PublishAsync(ct);
                samples.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds, result.IsSuccess);
            }
            while (clock.Elapsed < duration && await timer.WaitForNextTickAsync(ct));
        }, ct)));
    }

    private sealed record FloodResult(string Name, Latencies Alone, Latencies Flooded, long FloodAccepted, long FloodRefused, string FloodRefusedReasons, double PeakMiB);

    private sealed class Samples
    {
        private readonly ConcurrentBag<double> _milliseconds = [];
        private int _failed;

        public void Add(double milliseconds, bool succeeded)
        {
            _milliseconds.Add(milliseconds);
            if (!succeeded)
                Interlocked.Increment(ref _failed);
        }

        public Latencies Latencies()
        {
            var sorted = _milliseconds.ToArray();
            Array.Sort(sorted);
            return new Latencies(sorted.Length, _failed, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99));
        }

        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private sealed record Latencies(int Count, int Failed, double P50, double P90, double P99);

    /// <summary>A registered device on its own MQTT connection, publishing event envelopes with its own sequences.</summary>
    private sealed class Device(IMqttClient client, string deviceId) : IAsyncDisposable
    {
        private long _sequence = (long)FirstSequence;
        private long _highestAck;

        public static async Task<Device> ConnectAsync(CloudProcess cloud, string deviceId, CancellationToken ct, bool listenForAcks = false)
        {
            var (id, token) = await cloud.RegisterAsync(deviceId, ct);
            var client = new MqttClientFactory().CreateMqttClient();
            var device = new Device(client, id);
            if (listenForAcks)
            {
                client.ApplicationMessageReceivedAsync += e =>
                {
                    if (WireCodec.Decode<Ack>(e.ApplicationMessage.Payload.ToArray()) is { IsSuccess: true } ack)
                    {
                        RaiseTo(ref device._highestAck, (long)ack.Value!.HighestContiguousSequence);
                    }
                    return Task.CompletedTask;
                };
            }
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", cloud.MqttPort)
                .WithClientId(id)
                .WithCredentials(id, token)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .Build();
            var connected = await client.ConnectAsync(options, ct);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
                throw new InvalidOperationException($"{id} could not connect: {connected.ResultCode} {connected.ReasonString}");
            if (listenForAcks)
                await client.SubscribeAsync(Topics.Downlink(id, Topics.AckKind), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, ct);
            return device;
        }

        public Task<MqttClientPublishResult> PublishAsync(CancellationToken ct) =>
            client.PublishAsync(Publishers.PaperJamEvent(deviceId, (ulong)Interlocked.Increment(ref _sequence), FirstSequence + 1, EventKind.Raised), ct);

        /// <summary>
        /// Each envelope says everything below it is gone (<c>LowestRetainedSequence</c> = its own sequence), so the
        /// cloud's ack mark passes refused sequences and reaches the highest one stored.
        /// </summary>
        private async Task<(long Sequence, MqttClientPublishResult Result)> PublishForgettingRefusedAsync()
        {
            var sequence = Interlocked.Increment(ref _sequence);
            return (sequence, await client.PublishAsync(Publishers.PaperJamEvent(deviceId, (ulong)sequence, (ulong)sequence, EventKind.Raised)));
        }

        public async Task WaitUntilStoredAsync(long sequence, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref _highestAck) < sequence)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                    throw new TimeoutException($"{deviceId}: sequence {sequence} not acknowledged as stored after 2 minutes (ack at {Interlocked.Read(ref _highestAck)}).");
                await Task.Delay(20, ct);
            }
        }

        /// <summary>
        /// Keeps <paramref name="window"/> publishes outstanding until <paramref name="stop"/>, then returns when every
        /// one sent has been answered; counts the broker's answers.
        /// </summary>
        public async Task<(long Accepted, long Refused, long HighestAccepted, IReadOnlyDictionary<string, long> Reasons)> FloodAsync(int window, CancellationToken stop)
        {
            long accepted = 0, refused = 0, highestAccepted = 0;
            var reasons = new ConcurrentDictionary<string, long>();
            await Task.WhenAll(Enumerable.Range(0, window).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var (sequence, result) = await PublishForgettingRefusedAsync();
                    if (result.IsSuccess)
                    {
                        Interlocked.Increment(ref accepted);
                        RaiseTo(ref highestAccepted, sequence);
                    }
                    else
                    {
                        Interlocked.Increment(ref refused);
                        reasons.AddOrUpdate($"{result.ReasonCode} \"{result.ReasonString}\"", 1, (_, n) => n + 1);
                    }
                }
            }, CancellationToken.None)));
            return (accepted, refused, highestAccepted, reasons);
        }

        private static void RaiseTo(ref long highest, long value)
        {
            for (var seen = Interlocked.Read(ref highest); value > seen; seen = Interlocked.Read(ref highest))
                Interlocked.CompareExchange(ref highest, value, seen);
        }

        public async ValueTask DisposeAsync()
        {
            if (client.IsConnected)
                await client.DisconnectAsync();
            client.Dispose();
        }
    }
}
