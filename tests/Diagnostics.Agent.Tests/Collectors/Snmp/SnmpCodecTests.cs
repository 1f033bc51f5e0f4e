using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors.Snmp.Ber;

namespace Diagnostics.Agent.Tests.Collectors.Snmp;

public sealed class SnmpCodecTests
{
    private static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");

    public static TheoryData<string, SnmpValue> EveryValueType() => new()
    {
        { "integer zero", SnmpValue.FromInteger(0) },
        { "integer 127", SnmpValue.FromInteger(127) },
        { "integer 128", SnmpValue.FromInteger(128) },
        { "integer -1", SnmpValue.FromInteger(-1) },
        { "integer -129", SnmpValue.FromInteger(-129) },
        { "integer max", SnmpValue.FromInteger(int.MaxValue) },
        { "integer min", SnmpValue.FromInteger(int.MinValue) },
        { "octet string", SnmpValue.FromString("Acme LaserPro 500") },
        { "empty octet string", SnmpValue.FromOctets([]) },
        { "binary octet string", SnmpValue.FromOctets([0x00, 0xFF, 0x80]) },
        { "long octet string", SnmpValue.FromOctets(Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray()) },
        { "null", SnmpValue.Null },
        { "object identifier", SnmpValue.FromOid(Oid.Parse("1.3.6.1.4.1.2699.1.2")) },
        { "ip address", SnmpValue.FromIpAddress(IPAddress.Parse("192.168.1.20")) },
        { "counter32 max", SnmpValue.FromCounter32(uint.MaxValue) },
        { "gauge32", SnmpValue.FromGauge32(0x80) },
        { "timeticks", SnmpValue.FromTimeTicks(123456) },
        { "opaque", SnmpValue.FromOpaque([0x9F, 0x78, 0x04, 0x42, 0xF6, 0x00, 0x00]) },
        { "counter64 max", SnmpValue.FromCounter64(ulong.MaxValue) },
        { "counter64 small", SnmpValue.FromCounter64(5) },
        { "noSuchObject", SnmpValue.NoSuchObject },
        { "noSuchInstance", SnmpValue.NoSuchInstance },
        { "endOfMibView", SnmpValue.EndOfMibView },
    };

    [Theory]
    [MemberData(nameof(EveryValueType))]
    public void Every_value_type_survives_a_round_trip(string name, SnmpValue value)
    {
        var message = Response(new VarBind(SysDescr, value));

        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(message));

        Assert.True(decoded.Succeeded, $"{name}: {decoded}");
        Assert.Equal(message, decoded.Message);
    }

    [Theory]
    [InlineData("1.3.6.1.4.1.4294967295.0")]
    [InlineData("2.999.3")]
    [InlineData("2.4294967215.1")]
    [InlineData("0.39")]
    [InlineData("1.3.6.1.4.1.128.16383.16384.2097151.2097152.268435455.268435456")]
    public void Object_identifiers_with_large_sub_identifiers_survive_a_round_trip(string dotted)
    {
        var oid = Oid.Parse(dotted);
        var message = Response(new VarBind(oid, SnmpValue.FromOid(oid)));

        var decoded = SnmpCodec.Decode(SnmpCodec.Encode(message));

        Assert.True(decoded.Succeeded, decoded.ToString());
        Assert.Equal(dotted, decoded.Message!.VarBinds[0].Oid.ToString());
        Assert.Equal(oid, decoded.Message.VarBinds[0].Value.ObjectId);
    }

    [Fact]
    public void Known_object_identifier_encodes_as_in_X690()
    {
        // 1.3.6.1.4.1.311.21.20: 2B 06 01 04 01 82 37 15 14 (311 = 0x82 0x37).
        var bytes = SnmpCodec.Encode(Response(new VarBind(Oid.Parse("1.3.6.1.4.1.311.21.20"), SnmpValue.Null)));

        Assert.Contains(Convert.ToHexString([0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x14]), Convert.ToHexString(bytes));
    }

    [Fact]
    public void Messages_over_127_and_255_bytes_use_long_form_lengths()
    {
        var message = Response(new VarBind(SysDescr, SnmpValue.FromOctets(new byte[300])));

        var bytes = SnmpCodec.Encode(message);

        Assert.Equal(0x30, bytes[0]);
        Assert.Equal(0x82, bytes[1]);
        Assert.Equal(bytes.Length - 4, (bytes[2] << 8) | bytes[3]);
        Assert.Equal(message, SnmpCodec.Decode(bytes).Message);
    }

    [Fact]
    public void Long_form_length_with_redundant_octets_is_accepted()
    {
        // Some agents always send 0x82 lengths, even for short content.
        byte[] valid =
        [
            0x30, 0x82, 0x00, 0x20, 0x02, 0x01, 0x01, 0x04, 0x06, (byte)'p', (byte)'u', (byte)'b', (byte)'l', (byte)'i', (byte)'c',
            0xA2, 0x81, 0x12, 0x02, 0x01, 0x07, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x07, 0x30, 0x05, 0x06, 0x01, 0x2B, 0x05, 0x00,
        ];
        var ok = SnmpCodec.Decode(valid);
        Assert.True(ok.Succeeded, ok.ToString());
        Assert.Equal(7, ok.Message!.RequestId);
        Assert.Equal("1.3", ok.Message.VarBinds[0].Oid.ToString());
    }

    [Theory]
    [InlineData("", SnmpDecodeError.Truncated)]
    [InlineData("30", SnmpDecodeError.Truncated)]
    [InlineData("3080", SnmpDecodeError.BadLength)]
    [InlineData("3085FFFFFFFFFF", SnmpDecodeError.BadLength)]
    [InlineData("3084FFFFFFFF", SnmpDecodeError.BadLength)]
    [InlineData("3007020101", SnmpDecodeError.BadLength)]
    [InlineData("0400", SnmpDecodeError.UnexpectedTag)]
    [InlineData("3003020101", SnmpDecodeError.Truncated)]
    [InlineData("300B02010104007F020101300000", SnmpDecodeError.UnexpectedTag)]
    [InlineData("3006020101040000", SnmpDecodeError.UnexpectedTag)]
    public void Malformed_input_gives_a_typed_error(string hex, SnmpDecodeError expected)
    {
        var decoded = SnmpCodec.Decode(Convert.FromHexString(hex));

        Assert.False(decoded.Succeeded);
        Assert.Equal(expected, decoded.Error);
    }

    [Fact]
    public void Bytes_after_the_message_give_a_typed_error()
    {
        var bytes = SnmpCodec.Encode(Response(new VarBind(SysDescr, SnmpValue.Null))).Append((byte)0).ToArray();

        Assert.Equal(SnmpDecodeError.TrailingBytes, SnmpCodec.Decode(bytes).Error);
    }

    [Fact]
    public void Oversized_input_is_refused_before_decoding()
    {
        var bytes = SnmpCodec.Encode(Response(new VarBind(SysDescr, SnmpValue.FromOctets(new byte[2000]))));

        var decoded = SnmpCodec.Decode(bytes, maxMessageBytes: 1500);

        Assert.Equal(SnmpDecodeError.TooLarge, decoded.Error);
    }

    [Fact]
    public void Deeply_nested_sequences_give_a_typed_error()
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 10_000; i++)
            bytes.AddRange([0x30, 0x84, 0x00, 0x00, 0x00, 0x00]);

        var decoded = SnmpCodec.Decode(bytes.ToArray());

        Assert.False(decoded.Succeeded);
    }

    [Fact]
    public void Object_identifier_sub_identifier_over_32_bits_is_refused()
    {
        // 2B then 0x90 0x80 0x80 0x80 0x00 = 2^32.
        var varBind = Convert.FromHexString("300A" + "0606" + "2B9080808000" + "0500");
        var decoded = SnmpCodec.Decode(Wrap(varBind));

        Assert.Equal(SnmpDecodeError.BadObjectIdentifier, decoded.Error);
    }

    [Fact]
    public void A_first_sub_identifier_over_32_bits_is_refused_not_thrown()
    {
        // Found while fuzzing: the first sub-identifier packs two arcs (X.690 8.19.4: 40 * X + Y), and one between 2^32
        // and 2^32 + 79 (here 2^32 + 10, as 0x90 0x80 0x80 0x80 0x0A) passed the decoder's check, then made the OID
        // constructor throw ArgumentException out of Decode. RFC 2578 7.1.3 bounds every sub-identifier by 2^32 - 1.
        var varBind = Convert.FromHexString("300B" + "0607" + "908080800A" + "0101" + "0500");

        var decoded = SnmpCodec.Decode(Wrap(varBind));

        Assert.Equal(SnmpDecodeError.BadObjectIdentifier, decoded.Error);
    }

    [Fact]
    public void Hundreds_of_mutated_and_truncated_messages_never_throw()
    {
        var random = new Random(20261123);
        var seeds = new[]
        {
            SnmpCodec.Encode(Response(
                new VarBind(SysDescr, SnmpValue.FromString("Acme")),
                new VarBind(Oid.Parse("1.3.6.1.2.1.43.10.2.1.4.1.1"), SnmpValue.FromCounter32(12345)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.25.3.5.1.2.1"), SnmpValue.FromOctets([0x02, 0x80])),
                new VarBind(Oid.Parse("1.3.6.1.6.3.1.1.4.1.0"), SnmpValue.FromOid(Oid.Parse("1.3.6.1.4.1.99999.1"))),
                new VarBind(Oid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.FromTimeTicks(99)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.FromCounter64(1UL << 40)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.4.20.1.1.1"), SnmpValue.FromIpAddress(IPAddress.Loopback)),
                new VarBind(Oid.Parse("1.3.6.1.2.1.1.9.0"), SnmpValue.EndOfMibView))),
            SnmpCodec.Encode(SnmpMessage.Request(SnmpPduType.GetNextRequest, "public", 42, [SysDescr])),
            SnmpCodec.Encode(Response(new VarBind(SysDescr, SnmpValue.FromOctets(new byte[400])))),
        };
        var decodedCount = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            switch (random.Next(4))
            {
                case 0:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 1:
                    for (var flips = random.Next(1, 5); flips > 0; flips--)
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                default:
                    bytes = new byte[random.Next(0, 200)];
                    random.NextBytes(bytes);
                    if (bytes.Length > 0 && random.Next(2) == 0)
                        bytes[0] = 0x30;
                    break;
            }

            var decoded = SnmpCodec.Decode(bytes);

            if (decoded.Succeeded)
            {
                decodedCount++;
                // What decodes must encode again without throwing.
                _ = SnmpCodec.Encode(decoded.Message!);
            }
            else
            {
                Assert.NotEqual(SnmpDecodeError.None, decoded.Error);
            }
        }
        Assert.InRange(decodedCount, 1, 2999);
    }

    [Fact]
    public async Task A_request_sent_by_net_snmp_snmpget_decodes()
    {
        var snmpget = ExternalTools.Require("snmpget", "apt-get install snmp");
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        var ct = TestContext.Current.CancellationToken;

        var tool = ExternalTools.RunAsync(snmpget, ["-v2c", "-c", "public", "-r", "0", "-t", "1", $"127.0.0.1:{port}", "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.43.10.2.1.4.1.1"], [], ct);
        var received = await listener.ReceiveAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct);
        await tool;

        var decoded = SnmpCodec.Decode(received.Buffer);

        Assert.True(decoded.Succeeded, decoded.ToString());
        var message = decoded.Message!;
        Assert.Equal(SnmpMessage.VersionV2c, message.Version);
        Assert.Equal("public"u8.ToArray(), message.Community);
        Assert.Equal(SnmpPduType.GetRequest, message.PduType);
        Assert.Equal(["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.43.10.2.1.4.1.1"], message.VarBinds.Select(v => v.Oid.ToString()));
        Assert.All(message.VarBinds, v => Assert.Equal(SnmpValue.Null, v.Value));
        // Our encoder produces the same bytes for the same request.
        Assert.Equal(received.Buffer, SnmpCodec.Encode(message));
    }

    private static SnmpMessage Response(params VarBind[] varBinds) =>
        new(SnmpMessage.VersionV2c, "public"u8.ToArray(), SnmpPduType.GetResponse, 1234567, 0, 0, varBinds);

    private static byte[] Wrap(byte[] varBind)
    {
        var list = new byte[] { 0x30, (byte)varBind.Length }.Concat(varBind).ToArray();
        var pdu = new byte[] { 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00 }.Concat(list).ToArray();
        var body = new byte[] { 0x02, 0x01, 0x01, 0x04, 0x00, 0xA2, (byte)pdu.Length }.Concat(pdu).ToArray();
        return new byte[] { 0x30, (byte)body.Length }.Concat(body).ToArray();
    }
}
