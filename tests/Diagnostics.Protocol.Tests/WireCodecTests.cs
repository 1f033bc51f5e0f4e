namespace Diagnostics.Protocol.Tests;

public sealed class WireCodecTests
{
    private static Envelope StatusEnvelope() => new()
    {
        DeviceId = "printer-7",
        Sequence = 1_790_000_000_000_001,
        LowestRetainedSequence = 1_790_000_000_000_000,
        DeviceTimeUnixMs = 1_790_000_000_123,
        AgentVersion = "1.0.0",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        Status = new DeviceStatus
        {
            Model = "Acme LaserPro 500",
            Serial = "LP5-000042",
            FirmwareVersion = "2.1.0",
            State = DeviceState.Stopped,
            StateMessage = "Paper jam in tray 1",
            Conditions =
            [
                new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, SinceUnixMs = 1_790_000_000_000 },
                new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning },
            ],
            Supplies =
            [
                new SupplyLevel { Name = "Black toner", Type = "toner", Color = "black", LevelPercent = 8, Low = true },
                new SupplyLevel { Name = "Tray 1", Type = "media", LevelPercent = 0, Empty = true },
                new SupplyLevel { Name = "Waste toner", Type = "wasteToner", LevelPercent = -2 },
            ],
            Counters = [new Counter { Name = "pages-printed", Value = 123_456 }],
        },
    };

    [Fact]
    public void Status_round_trips_with_every_field()
    {
        var original = StatusEnvelope();

        var decoded = WireCodec.DecodeUplink(WireCodec.Encode(original));

        Assert.True(decoded.IsSuccess, decoded.Detail);
        var envelope = decoded.Value!;
        Assert.Equal(UplinkKind.Status, envelope.Kind);
        Assert.Equal(original.Sequence, envelope.Sequence);
        Assert.Equal(original.LowestRetainedSequence, envelope.LowestRetainedSequence);
        Assert.Equal(original.DeviceTimeUnixMs, envelope.DeviceTimeUnixMs);
        var status = envelope.Status!;
        Assert.Equal(DeviceState.Stopped, status.State);
        Assert.Equal(["ipp:media-jam", "ipp:toner-low"], status.Conditions.Select(c => c.Code));
        Assert.Equal([Severity.Error, Severity.Warning], status.Conditions.Select(c => c.Severity));
        Assert.Equal([8, 0, -2], status.Supplies.Select(s => s.LevelPercent));
        Assert.True(status.Supplies[1].Empty);
        Assert.Equal(123_456, status.Counters.Single().Value);
    }

    [Fact]
    public void Event_round_trips()
    {
        var original = new Envelope
        {
            DeviceId = "p1", Sequence = 9, SchemaVersion = 1,
            Event = new DeviceEvent { Kind = EventKind.Cleared, Code = "ipp:door-open", Condition = Conditions.DoorOpen, Severity = Severity.Error, Message = "Front door closed" },
        };

        var decoded = WireCodec.DecodeUplink(WireCodec.Encode(original));

        Assert.True(decoded.IsSuccess, decoded.Detail);
        Assert.Equal(UplinkKind.Event, decoded.Value!.Kind);
        Assert.Equal(EventKind.Cleared, decoded.Value.Event!.Kind);
        Assert.Equal("ipp:door-open", decoded.Value.Event.Code);
    }

    [Fact]
    public void Ack_round_trips()
    {
        var bytes = WireCodec.Encode(new Ack { DeviceId = "p1", HighestContiguousSequence = ulong.MaxValue - 1, CloudTimeUnixMs = 5 });

        var decoded = WireCodec.Decode<Ack>(bytes);

        Assert.True(decoded.IsSuccess);
        Assert.Equal(ulong.MaxValue - 1, decoded.Value!.HighestContiguousSequence);
    }

    [Fact]
    public void Oversized_payload_is_refused_before_decoding()
    {
        var decoded = WireCodec.DecodeUplink(new byte[WireCodec.MaxUplinkBytes + 1]);

        Assert.Equal(DecodeError.TooLarge, decoded.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x0A, 0x10, 0x41 })] // length-delimited field claiming 16 bytes, carrying one
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // varint too long
    [InlineData(new byte[] { 0x07 })] // wire type 7 does not exist
    public void Malformed_bytes_give_a_typed_error_not_an_exception(byte[] payload)
    {
        var decoded = WireCodec.DecodeUplink(payload);

        Assert.False(decoded.IsSuccess);
        Assert.Contains(decoded.Error, new[] { DecodeError.Malformed, DecodeError.Invalid });
        Assert.False(string.IsNullOrEmpty(decoded.Detail));
    }

    [Fact]
    public void A_length_whose_varint_runs_past_its_message_does_not_reserve_what_it_claims()
    {
        // Found by fuzzing: a command whose parameter (a 9-byte message) ends inside the varint of its value's length,
        // which reads on past it as 300 MB. Protobuf (the encoding guide's "Length-delimited records") bounds a
        // length by its enclosing record, so the decoder must refuse this without reserving more than the payload.
        byte[] parameter = [0x0A, 0x04, .. "tray"u8, 0x12, 0x80, 0x80];
        byte[] payload = [0x1A, (byte)parameter.Length, .. parameter, 0x80, 0x8F, 0x01, .. "customer@example.com"u8];

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = WireCodec.Decode<Command>(payload);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DecodeError.Malformed, decoded.Error);
        Assert.InRange(allocated, 0, 1 << 20);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 5_000; i++)
        {
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);

            var decoded = WireCodec.DecodeUplink(payload);

            Assert.True(decoded.IsSuccess || decoded.Detail is not null);
        }
    }

    [Fact]
    public void Truncations_of_a_valid_message_never_throw()
    {
        var bytes = WireCodec.Encode(StatusEnvelope());
        for (var length = 0; length < bytes.Length; length++)
        {
            var decoded = WireCodec.DecodeUplink(bytes.AsMemory(0, length));

            Assert.True(decoded.IsSuccess || decoded.Detail is not null);
        }
    }

    [Fact]
    public void Envelope_without_payload_is_invalid()
    {
        var decoded = WireCodec.DecodeUplink(WireCodec.Encode(new Envelope { DeviceId = "p1", Sequence = 1, SchemaVersion = 1 }));

        Assert.Equal(DecodeError.Invalid, decoded.Error);
    }

    [Fact]
    public void Envelope_with_two_payloads_is_invalid()
    {
        var envelope = new Envelope { DeviceId = "p1", Sequence = 1, SchemaVersion = 1, Status = new(), Heartbeat = new() };

        Assert.Equal(DecodeError.Invalid, WireCodec.DecodeUplink(WireCodec.Encode(envelope)).Error);
    }

    [Theory]
    [InlineData("", 1ul, 1)]
    [InlineData("bad/id", 1ul, 1)]
    [InlineData("p1", 0ul, 1)]
    public void Envelope_without_identity_or_sequence_is_invalid(string deviceId, ulong sequence, int schema)
    {
        var envelope = new Envelope { DeviceId = deviceId, Sequence = sequence, SchemaVersion = schema, Heartbeat = new() };

        Assert.Equal(DecodeError.Invalid, WireCodec.DecodeUplink(WireCodec.Encode(envelope)).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Unsupported_schema_version_is_refused(int schema)
    {
        var envelope = new Envelope { DeviceId = "p1", Sequence = 1, SchemaVersion = schema, Heartbeat = new() };

        Assert.Equal(DecodeError.UnsupportedSchema, WireCodec.DecodeUplink(WireCodec.Encode(envelope)).Error);
    }

    [Fact]
    public void Lowest_retained_above_own_sequence_is_invalid()
    {
        var envelope = new Envelope { DeviceId = "p1", Sequence = 5, LowestRetainedSequence = 6, SchemaVersion = 1, Heartbeat = new() };

        Assert.Equal(DecodeError.Invalid, WireCodec.DecodeUplink(WireCodec.Encode(envelope)).Error);
    }
}
