using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Fuzzing.Targets;

/// <summary>
/// The wire codec as both ends use it on what the broker delivers: the cloud decodes uplink envelopes and presence,
/// the agent decodes commands, consent sets, update offers and acks. The first input byte picks which (the rest is
/// the payload), so one fuzzer covers every decoder that reads MQTT payloads.
/// </summary>
public static class WireTarget
{
    private static readonly Func<byte[], bool>[] Decoders =
    [
        payload => Check(WireCodec.DecodeUplink(payload)),
        payload => Check(WireCodec.Decode<Presence>(payload, 1024)),
        payload => Check(WireCodec.Decode<Command>(payload, DownlinkPayloads.MaxCommandBytes)),
        payload => Check(WireCodec.Decode<ConsentSet>(payload, DownlinkPayloads.MaxConsentSetBytes)),
        payload => Check(WireCodec.Decode<UpdateOffer>(payload, DownlinkPayloads.MaxUpdateOfferBytes)),
        payload => Check(WireCodec.Decode<Ack>(payload)),
    ];

    public static FuzzTarget Target { get; } = new()
    {
        Name = "wire",
        Covers = "WireCodec.DecodeUplink and WireCodec.Decode<Presence|Command|ConsentSet|UpdateOffer|Ack> (protobuf-net)",
        Seeds = Seeds,
        Parse = input =>
        {
            var (mode, payload) = FuzzTarget.ModeAndRest(input);
            return Decoders[mode % Decoders.Length](payload) ? ParseOutcome.Value : ParseOutcome.TypedError;
        },
    };

    private static bool Check<T>(DecodeResult<T> decoded) where T : class
    {
        if (decoded.IsSuccess != decoded.Value is not null || (!decoded.IsSuccess && string.IsNullOrEmpty(decoded.Detail)))
            throw new ContractViolationException($"WireCodec returned {decoded.Error} with value {(decoded.Value is null ? "null" : "set")} and detail '{decoded.Detail}'");
        return decoded.IsSuccess;
    }

    private static List<byte[]> Seeds()
    {
        const long now = 1_790_000_000_000;
        Envelope Uplink(ulong sequence) => new()
        {
            DeviceId = "printer-7", Sequence = sequence, LowestRetainedSequence = sequence - 1, DeviceTimeUnixMs = now,
            AgentVersion = "1.0.0", SchemaVersion = Envelope.CurrentSchemaVersion,
        };
        var status = Uplink(2);
        status.Status = new DeviceStatus
        {
            Model = "Acme LaserPro 500", Serial = "LP5-000042", FirmwareVersion = "2.1.0", State = DeviceState.Stopped,
            StateMessage = "Paper jam in tray 1",
            Conditions = [new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, SinceUnixMs = now }],
            Supplies = [new SupplyLevel { Name = "Black toner", Type = "toner", Color = "black", LevelPercent = 8, Low = true }],
            Counters = [new Counter { Name = "pages-printed", Value = 123_456 }],
        };
        var deviceEvent = Uplink(3);
        deviceEvent.Event = new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Jam" };
        var heartbeat = Uplink(4);
        heartbeat.Heartbeat = new Heartbeat
        {
            UptimeSeconds = 3600, OutboxDepth = 2, IntervalSeconds = 60, PairingCode = "ABCD-1234",
            Metrics = [new Metric { Name = "temperature", Value = 21.5, Unit = "Cel" }],
        };
        var result = Uplink(5);
        result.CommandResult = new CommandResult { CommandId = "cmd-1", Name = DeviceCommands.ClearPaperPath, Outcome = CommandOutcome.Succeeded, StartedUnixMs = now, FinishedUnixMs = now + 900 };
        var report = Uplink(6);
        report.UpdateReport = new UpdateReport { OfferId = "offer-1", PackageId = "acme-lx500-fw-2.4.1", TargetVersion = "2.4.1", Phase = UpdatePhase.Downloading, Percent = 40, BytesDone = 400, BytesTotal = 1000 };
        var consent = new ConsentGrant { ConsentId = "consent-1", Action = ConsentAction.Maintenance, GrantedUnixMs = now, ExpiresUnixMs = now + 86_400_000, CommandId = "cmd-1", GrantedBy = "customer@example.com" };
        var command = new Command
        {
            CommandId = "cmd-1", Name = DeviceCommands.ClearPaperPath, IssuedUnixMs = now, ExpiresUnixMs = now + 60_000, Consent = consent,
            Parameters = [new CommandParameter { Name = "tray", Value = "1" }],
        };
        var offer = new UpdateOffer
        {
            OfferId = "offer-1", Package = ReleaseSamples.SignedFullManifest(), PayloadUrl = "https://cloud.example/api/updates/offer-1/payload",
            Consent = consent, NotBeforeUnixMs = now, ExpiresUnixMs = now + 86_400_000, WaitUntilIdle = true, HealthCheckSeconds = 120,
        };
        return
        [
            .. new[] { status, deviceEvent, heartbeat, result, report }.Select(envelope => Prefixed(0, WireCodec.Encode(envelope))),
            Prefixed(1, WireCodec.Encode(new Presence { Online = true, AgentVersion = "1.0.0" })),
            Prefixed(2, WireCodec.Encode(command)),
            Prefixed(3, WireCodec.Encode(new ConsentSet { IssuedUnixMs = now, Grants = [consent] })),
            Prefixed(4, WireCodec.Encode(offer)),
            Prefixed(5, WireCodec.Encode(new Ack { DeviceId = "printer-7", HighestContiguousSequence = 6, CloudTimeUnixMs = now })),
        ];
    }

    private static byte[] Prefixed(byte selector, byte[] payload) => [selector, .. payload];
}
