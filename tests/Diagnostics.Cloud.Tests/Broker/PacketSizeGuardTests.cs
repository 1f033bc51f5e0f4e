using Diagnostics.Cloud.Broker;
using System.Net;
using System.Net.Sockets;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Packets;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// Packets over the limit are refused from their fixed header, before the broker reads or buffers their body.
/// Reason codes are MQTT 5's (section 2.4, table 2-6): 0x95 Packet too large.
/// </summary>
public sealed class PacketSizeGuardTests
{
    private const byte PacketTooLarge = 0x95;
    private const byte ConnAckType = 0x20;

    [Fact]
    public async Task Connect_announcing_the_largest_packet_is_answered_packet_too_large_without_its_body()
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:Limits:DiscardTimeout"] = "00:00:00.200" });
        _ = host.Services;

        using var hostile = await HostileClient.ConnectAsync(host.BrokerPort);
        await hostile.SendAsync(ConnectHeaderAnnouncing(MaxRemainingLength));
        var answer = await hostile.ReadPacketAsync("a CONNACK although the CONNECT's body was never sent");

        Assert.Equal(ConnAckType, answer[0]);
        Assert.Equal(PacketTooLarge, answer[ConnAckReasonIndex(answer)]);
        await hostile.ReadToEndAsync("the broker to close the connection");
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.PacketTooLarge));
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
    }

    [Fact]
    public async Task Connect_with_megabytes_of_user_properties_is_refused_for_its_size_before_its_password_is_checked()
    {
        await using var host = new CloudHost();
        await host.RegisterAsync("big-connect");
        var options = DeviceClient.Options(host.BrokerPort, "big-connect", "big-connect", "not-the-token");
        // An MQTT string holds at most 65,535 bytes, so 8 MiB of user properties is 128 of 64,000 bytes each.
        var value = new ReadOnlyMemory<byte>(Enumerable.Repeat((byte)'x', 64_000).ToArray());
        options.UserProperties = [.. Enumerable.Range(0, 128).Select(i => new MqttUserProperty($"padding-{i}", value))];
        using var client = new MqttClientFactory().CreateMqttClient();

        // The broker answers 0x95 and closes; the client sees that, or a reset while it is still writing.
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(options, TestContext.Current.CancellationToken));

        await Eventually.TrueAsync(() => host.Metrics.RejectedTotal(RejectReason.PacketTooLarge) == 1, "the CONNECT refused for its size");
        // The password was never looked at: the packet was never read, so never decoded.
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
        Assert.True(host.Logged(BrokerEventIds.PacketTooLarge, "before authentication"));
    }

    [Fact]
    public async Task Publish_over_the_limit_after_authentication_is_answered_with_disconnect_packet_too_large()
    {
        await using var host = new CloudHost();
        var device = await host.ConnectDeviceAsync("big-publish");

        var tooLarge = new byte[256 * 1024];
        await Assert.ThrowsAnyAsync<Exception>(() => device.PublishAsync(Topics.Uplink("big-publish", UplinkKind.Status), tooLarge));

        var disconnected = await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(PacketTooLarge, (byte)disconnected.Reason);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.PacketTooLarge));
        Assert.True(host.Logged(BrokerEventIds.PacketTooLarge, "device big-publish"));
        await device.DisposeAsync();

        // The limit is the connection's, not the device's: it connects again and its normal uplinks go through.
        await using var again = await DeviceClient.ConnectAsync(host.BrokerPort, "big-publish", device.Token);
        var status = again.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle });
        Assert.True((await again.SendAsync(status)).IsSuccess);
        await again.WaitForAckAsync(status.Sequence);
    }

    [Fact]
    public async Task Publish_over_the_limit_over_tls_is_answered_with_disconnect_packet_too_large()
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("big-tls");
        await using var device = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "big-tls", token, tls: DeviceTls.Options(host.DevelopmentCaPath));

        await Assert.ThrowsAnyAsync<Exception>(() => device.PublishAsync(Topics.Uplink("big-tls", UplinkKind.Status), new byte[256 * 1024]));

        var disconnected = await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(PacketTooLarge, (byte)disconnected.Reason);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.PacketTooLarge));
    }

    [Fact]
    public async Task Post_authentication_limit_is_configured_by_broker_limits_max_packet_bytes()
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:Limits:MaxPacketBytes"] = "2048" });
        await using var device = await host.ConnectDeviceAsync("small-limit");
        var small = device.NewEnvelope(heartbeat: new Heartbeat());
        Assert.True((await device.SendAsync(small)).IsSuccess);
        await device.WaitForAckAsync(small.Sequence);
        // 4 KiB: a twentieth of the default limit, twice the configured one.
        var envelope = device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "mid", Message = new string('m', 4096) });

        await Assert.ThrowsAnyAsync<Exception>(() => device.SendAsync(envelope));

        var disconnected = await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(PacketTooLarge, (byte)disconnected.Reason);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.PacketTooLarge));
        Assert.DoesNotContain(envelope.Sequence, await host.StoredSequencesAsync("small-limit"));
    }

    [Fact]
    public async Task Largest_uplink_the_cloud_accepts_fits_under_the_default_packet_limit()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("largest-uplink");
        var envelope = device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "big", Message = "" });
        // Grow the message until the envelope is exactly the largest payload ingestion takes.
        envelope.Event!.Message = new string('m', WireCodec.MaxUplinkBytes - WireCodec.Encode(envelope).Length - 4);
        while (WireCodec.Encode(envelope).Length < WireCodec.MaxUplinkBytes)
            envelope.Event.Message += "m";
        while (WireCodec.Encode(envelope).Length > WireCodec.MaxUplinkBytes)
            envelope.Event.Message = envelope.Event.Message[..^1];

        var result = await device.SendAsync(envelope);

        Assert.True(result.IsSuccess, $"{result.ReasonCode} {result.ReasonString}");
        await device.WaitForAckAsync(envelope.Sequence);
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.PacketTooLarge));
    }

    internal const int MaxRemainingLength = 268_435_455;

    /// <summary>A CONNECT's fixed header announcing <paramref name="remainingLength"/>, then only the start of an MQTT 5 variable header.</summary>
    internal static byte[] ConnectHeaderAnnouncing(int remainingLength)
    {
        var header = new List<byte> { 0x10 };
        do
        {
            var digit = (byte)(remainingLength % 128);
            remainingLength /= 128;
            header.Add(remainingLength > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remainingLength > 0);
        header.AddRange([0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05]);
        return [.. header];
    }

    /// <summary>CONNACK: fixed header, remaining length (a variable byte integer), acknowledge flags, then the reason code.</summary>
    internal static int ConnAckReasonIndex(byte[] connAck)
    {
        var index = 1;
        while ((connAck[index] & 0x80) != 0)
            index++;
        return index + 2;
    }
}

/// <summary>Measures the process's allocations, so it runs alone (no other test allocates meanwhile).</summary>
[CollectionDefinition(nameof(MeasuresProcessMemory), DisableParallelization = true)]
public sealed class MeasuresProcessMemory;

[Collection(nameof(MeasuresProcessMemory))]
public sealed class PacketSizeGuardMemoryTests
{
    [Fact]
    public async Task Connects_announcing_the_largest_packet_cost_no_buffer_of_that_size()
    {
        const int probes = 2;
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:Limits:DiscardTimeout"] = "00:00:00.200" });
        // The accept and connect paths run once before measuring, so the figure is the probes' own cost.
        await (await host.ConnectDeviceAsync("memory-warm-up")).DisposeAsync();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clients = new List<HostileClient>();
        for (var i = 0; i < probes; i++)
        {
            var client = await HostileClient.ConnectAsync(host.BrokerPort);
            clients.Add(client);
            await client.SendAsync(PacketSizeGuardTests.ConnectHeaderAnnouncing(PacketSizeGuardTests.MaxRemainingLength));
        }
        var answers = new List<byte[]?>();
        foreach (var client in clients)
            answers.Add(await client.TryReadPacketAsync());
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        foreach (var client in clients)
            client.Dispose();

        // Without a limit the broker allocates each announced packet (256 MiB) as soon as it has read the header.
        Assert.True(allocated < 16 * 1024 * 1024, $"{probes} announced 256 MiB CONNECTs cost {allocated / (1024 * 1024.0):N1} MiB of allocations.");
        Assert.All(answers, answer => Assert.Equal(0x95, answer![PacketSizeGuardTests.ConnAckReasonIndex(answer)]));
    }
}

/// <summary>A plain TCP client that writes whatever bytes a test gives it: what a hostile client sends.</summary>
internal sealed class HostileClient : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _received = [];

    private HostileClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<HostileClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        return new HostileClient(tcp);
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes, TestContext.Current.CancellationToken);

    /// <summary>Reads one whole MQTT packet from the broker, or fails after a deadline naming <paramref name="what"/>.</summary>
    public async Task<byte[]> ReadPacketAsync(string what) =>
        await TryReadPacketAsync() ?? throw new Xunit.Sdk.XunitException(
            $"No answer from the broker within {Patience.TotalSeconds} s (or the connection closed) waiting for {what}; got {_received.Count} bytes.");

    /// <summary>One whole MQTT packet from the broker, or null when none came within the deadline or the connection closed.</summary>
    public async Task<byte[]?> TryReadPacketAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        var buffer = new byte[4096];
        while (PacketLength() is not { } length || _received.Count < length)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, deadline.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                read = -1;
            }
            catch (IOException)
            {
                read = 0;
            }
            if (read <= 0)
                return null;
            _received.AddRange(buffer.AsSpan(0, read));
        }
        var packet = _received.Take(PacketLength()!.Value).ToArray();
        _received.RemoveRange(0, packet.Length);
        return packet;
    }

    /// <summary>Waits for the broker to close the connection (bytes after the last packet are dropped).</summary>
    public async Task ReadToEndAsync(string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Timed out after {Patience.TotalSeconds} s waiting for {what}.");
        }
    }

    private int? PacketLength()
    {
        if (_received.Count < 2)
            return null;
        int length = 0, shift = 0, index = 1;
        while (true)
        {
            if (index >= _received.Count)
                return null;
            var b = _received[index++];
            length |= (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
                return index + length;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
