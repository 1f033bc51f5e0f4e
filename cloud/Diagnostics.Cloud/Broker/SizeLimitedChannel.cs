using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// An MQTT connection's byte stream, followed packet by packet as MQTTnet reads it: as soon as a fixed header
/// announces a packet over the limit, the read returns "closed" instead of the header's last byte, so MQTTnet never
/// allocates the packet's buffer. Before closing, the client is told why (MQTT 5: CONNACK or DISCONNECT with reason
/// 0x95, Packet too large) and up to <see cref="ClientLimitsOptions.MaxDiscardBytes"/> of the refused packet are read
/// and thrown away, so that reason is not lost to a TCP reset.
/// </summary>
internal sealed class SizeLimitedChannel(IMqttChannel inner, PacketSizeGuard guard) : IMqttChannel
{
    private const int ConnectPacketType = 1;
    private const byte Mqtt5ProtocolLevel = 5;

    private static readonly byte[] ConnAckPacketTooLarge =
        new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(64, 64))
            .Encode(new MqttConnAckPacket { ReasonCode = MqttConnectReasonCode.PacketTooLarge })
            .ToArray();

    // Where the next byte read belongs: MQTTnet reads a packet's fixed header, then its body, never past its end.
    private FramePart _part;
    private int _packetType;
    private int _lengthBytes;
    private long _remainingLength;
    private long _bodyLeft;
    private long _packetsRead;
    private long _bytesRead;
    private bool _closed;
    private string? _deviceId;

    private enum FramePart
    {
        TypeAndFlags,
        RemainingLength,
        Body,
    }

    /// <summary>The adapter reading this channel; sends the DISCONNECT so it never interleaves with another packet.</summary>
    public IMqttChannelAdapter? Adapter { get; set; }

    /// <summary>Set once the connection is authenticated, for the log.</summary>
    public string? DeviceId
    {
        get => Volatile.Read(ref _deviceId);
        set => Volatile.Write(ref _deviceId, value);
    }

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_closed)
            return 0;
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken);
        if (read <= 0)
            return read;
        _bytesRead += read;
        var verdict = Follow(buffer.AsSpan(offset, read));
        if (verdict == Verdict.Fits)
            return read;
        _closed = true;
        if (verdict == Verdict.Oversized)
            await RefuseAsync(cancellationToken);
        return 0;
    }

    private enum Verdict
    {
        Fits,
        Oversized,
        Malformed,
    }

    private Verdict Follow(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            switch (_part)
            {
                case FramePart.TypeAndFlags:
                    _packetType = bytes[i] >> 4;
                    _lengthBytes = 0;
                    _remainingLength = 0;
                    _part = FramePart.RemainingLength;
                    break;
                case FramePart.RemainingLength:
                    // Variable byte integer (MQTT 5 section 1.5.5): seven bits a byte, least significant first, at most four bytes.
                    _remainingLength |= (long)(bytes[i] & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    if ((bytes[i] & 0x80) != 0)
                    {
                        if (_lengthBytes == 4)
                            return Verdict.Malformed;
                        break;
                    }
                    if (1 + _lengthBytes + _remainingLength > Limit)
                    {
                        // Body bytes already in this read (MQTTnet never asks for them with the header) count as read.
                        _bodyLeft = _remainingLength - (bytes.Length - i - 1);
                        return Verdict.Oversized;
                    }
                    _bodyLeft = _remainingLength;
                    if (_bodyLeft == 0)
                        EndPacket();
                    else
                        _part = FramePart.Body;
                    break;
                case FramePart.Body:
                    var taken = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    _bodyLeft -= taken;
                    i += taken - 1;
                    if (_bodyLeft == 0)
                        EndPacket();
                    break;
            }
        }
        return Verdict.Fits;
    }

    // The first packet of a connection is its CONNECT: MQTTnet reads nothing more until the connection is accepted.
    private bool BeforeAuthentication => _packetsRead == 0;

    private int Limit => BeforeAuthentication ? guard.Options.MaxPacketBytesBeforeAuthentication : guard.Options.MaxPacketBytes;

    private void EndPacket()
    {
        _packetsRead++;
        _part = FramePart.TypeAndFlags;
    }

    private async Task RefuseAsync(CancellationToken cancellationToken)
    {
        guard.Refused(this, 1 + _lengthBytes + _remainingLength, Limit, BeforeAuthentication, _bytesRead);
        using var discardTime = new CancellationTokenSource(guard.Options.DiscardTimeout, guard.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, discardTime.Token);
        var token = linked.Token;
        try
        {
            var unread = _bodyLeft;
            if (BeforeAuthentication)
            {
                // Only an MQTT 5 client can be told why; its protocol level is the CONNECT's first bytes after the header.
                var (level, consumed) = _packetType == ConnectPacketType ? await ReadProtocolLevelAsync(unread, token) : (0, 0);
                unread -= consumed;
                if (level == Mqtt5ProtocolLevel)
                    await inner.WriteAsync(new ReadOnlySequence<byte>(ConnAckPacketTooLarge), true, token);
            }
            else if (Adapter is { PacketFormatterAdapter.ProtocolVersion: MqttProtocolVersion.V500 } adapter)
            {
                await adapter.SendPacketAsync(new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.PacketTooLarge }, token);
            }
            await DiscardAsync(Math.Min(unread, guard.Options.MaxDiscardBytes), token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or MqttCommunicationException or ObjectDisposedException)
        {
            // The client went away or took too long: it is closed either way.
        }
    }

    /// <summary>Reads the CONNECT's protocol name (MQTT 5 section 3.1.2.1) and level; at most 9 bytes.</summary>
    private async Task<(int Level, long Consumed)> ReadProtocolLevelAsync(long available, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        if (available < 2 || !await ReadExactlyAsync(header, 0, 2, cancellationToken))
            return (0, Math.Min(available, 2));
        var nameLength = (header[0] << 8) | header[1];
        // "MQTT" (3.1.1 and 5) or "MQIsdp" (3.1); anything else is not a CONNECT we would answer.
        if (nameLength is not (4 or 6) || available < 2 + nameLength + 1)
            return (0, 2);
        if (!await ReadExactlyAsync(header, 2, nameLength + 1, cancellationToken))
            return (0, 2 + nameLength + 1);
        return (header[2 + nameLength], 2 + nameLength + 1);
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count;)
        {
            var read = await inner.ReadAsync(buffer, offset + done, count - done, cancellationToken);
            if (read <= 0)
                return false;
            done += read;
        }
        return true;
    }

    private async Task DiscardAsync(long bytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (bytes > 0)
            {
                var read = await inner.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, bytes), cancellationToken);
                if (read <= 0)
                    return;
                bytes -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A channel with nothing behind it, to check at start that the guard can reach MQTTnet's channel.</summary>
    internal sealed class Closed : IMqttChannel
    {
        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => null!;

        public EndPoint LocalEndPoint => null!;

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
