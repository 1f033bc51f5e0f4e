using System.Net;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Collectors.Snmp.Ber;
using Diagnostics.Testing;

namespace Diagnostics.Fuzzing.Targets;

/// <summary>What the agent reads from printers on the local network: IPP responses and SNMP responses.</summary>
public static class DeviceCollectorTargets
{
    public static FuzzTarget Ipp { get; } = new()
    {
        Name = "ipp",
        Covers = "IppCodec.Decode (RFC 8010), what a printer answers the agent",
        Seeds = IppSeeds,
        Parse = input =>
        {
            var decoded = IppCodec.Decode(input);
            if (decoded.IsSuccess)
                return ParseOutcome.Value;
            if (decoded.Error == IppDecodeError.None || string.IsNullOrEmpty(decoded.Detail))
                throw new ContractViolationException("IppCodec.Decode failed without an error code and a detail");
            return ParseOutcome.TypedError;
        },
    };

    public static FuzzTarget Snmp { get; } = new()
    {
        Name = "snmp",
        Covers = "SnmpCodec.Decode (BER, RFC 3416), what a printer's SNMP agent answers",
        Seeds = SnmpSeeds,
        Parse = input =>
        {
            var decoded = SnmpCodec.Decode(input);
            if (decoded.Succeeded)
                return ParseOutcome.Value;
            if (decoded.Error == SnmpDecodeError.None)
                throw new ContractViolationException("SnmpCodec.Decode failed without an error code");
            return ParseOutcome.TypedError;
        },
    };

    private static List<byte[]> IppSeeds()
    {
        var captured = Path.Combine(RepositoryLayout.Root, "tests", "Diagnostics.Agent.Tests", "Collectors", "Ipp", "Captured");
        var seeds = Directory.GetFiles(captured, "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var request = new IppMessage(2, 0, IppOperations.GetPrinterAttributes, 1,
        [
            new IppAttributeGroup(IppGroupTag.Operation,
            [
                new IppAttribute("attributes-charset", new IppStringValue(IppValueTag.Charset, "utf-8")),
                new IppAttribute("attributes-natural-language", new IppStringValue(IppValueTag.NaturalLanguage, "en")),
                new IppAttribute("printer-uri", new IppStringValue(IppValueTag.Uri, "ipp://printer.local:631/ipp/print")),
                new IppAttribute("requested-attributes",
                    new IppStringValue(IppValueTag.Keyword, "printer-state"), new IppStringValue(IppValueTag.Keyword, "printer-state-reasons")),
            ]),
        ]);
        var everyValueType = new IppMessage(1, 1, 0, 7,
        [
            new IppAttributeGroup(IppGroupTag.Operation, [new IppAttribute("attributes-charset", new IppStringValue(IppValueTag.Charset, "utf-8"))]),
            new IppAttributeGroup(IppGroupTag.Printer,
            [
                new IppAttribute("printer-state", new IppIntegerValue(IppValueTag.Enum, 5)),
                new IppAttribute("queued-job-count", new IppIntegerValue(IppValueTag.Integer, 3)),
                new IppAttribute("printer-is-accepting-jobs", new IppBooleanValue(true)),
                new IppAttribute("printer-current-time", new IppDateTimeValue(new DateTimeOffset(2026, 11, 23, 9, 30, 15, 500, TimeSpan.FromHours(-5)))),
                new IppAttribute("printer-resolution-default", new IppResolutionValue(600, 1200, IppResolutionUnits.DotsPerInch)),
                new IppAttribute("copies-supported", new IppRangeValue(1, 999)),
                new IppAttribute("printer-info", new IppStringWithLanguageValue(IppValueTag.TextWithLanguage, "de", "Drucker im Flur")),
                new IppAttribute("printer-state-message", new IppOutOfBandValue(IppValueTag.NoValue)),
                new IppAttribute("printer-state-reasons",
                    new IppStringValue(IppValueTag.Keyword, "media-jam-error"), new IppStringValue(IppValueTag.Keyword, "toner-low-warning")),
                new IppAttribute("printer-alert", new IppOctetsValue(IppValueTag.OctetString, "code=jam;index=1;severity=critical"u8.ToArray())),
                new IppAttribute("marker-levels", new IppIntegerValue(IppValueTag.Integer, 8), new IppIntegerValue(IppValueTag.Integer, -2)),
                new IppAttribute("media-col-ready", new IppCollectionValue(
                [
                    new IppAttribute("media-size", new IppCollectionValue(
                    [
                        new IppAttribute("x-dimension", new IppIntegerValue(IppValueTag.Integer, 21000)),
                        new IppAttribute("y-dimension", new IppIntegerValue(IppValueTag.Integer, 29700)),
                    ])),
                    new IppAttribute("media-source", new IppStringValue(IppValueTag.Keyword, "tray-1")),
                ])),
            ]),
        ]) { Data = "%PDF-1.7"u8.ToArray() };
        seeds.Add(IppCodec.Encode(request));
        seeds.Add(IppCodec.Encode(everyValueType));
        return seeds;
    }

    private static List<byte[]> SnmpSeeds()
    {
        var printerMib = Oid.Parse("1.3.6.1.2.1.43");
        var response = new SnmpMessage(SnmpMessage.VersionV2c, "public"u8.ToArray(), SnmpPduType.GetResponse, 4711, 0, 0,
        [
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.1.0"), SnmpValue.FromString("Acme LaserPro 500 v2.1.0")),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.FromTimeTicks(123_456_789)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.25.3.2.1.5.1"), SnmpValue.FromInteger(3)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.25.3.5.1.2.1"), SnmpValue.FromOctets([0x04, 0x00])),
            new VarBind(printerMib.Append(11, 1, 1, 9, 1, 1), SnmpValue.FromInteger(-3)),
            new VarBind(printerMib.Append(18, 1, 1, 7, 1, 1), SnmpValue.FromInteger(8)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), SnmpValue.FromCounter32(uint.MaxValue)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.FromCounter64(ulong.MaxValue)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.4.20.1.1.10.0.0.7"), SnmpValue.FromIpAddress(IPAddress.Parse("10.0.0.7"))),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.2.0"), SnmpValue.FromOid(Oid.Parse("1.3.6.1.4.1.2435.2.3.9.1"))),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.9.1.4.1"), SnmpValue.FromGauge32(42)),
            new VarBind(Oid.Parse("1.3.6.1.4.1.9999.1"), SnmpValue.FromOpaque([0x9F, 0x78, 0x04, 0x42, 0xF6, 0x00, 0x00])),
            new VarBind(Oid.Parse("1.3.6.1.2.1.43.99.0"), SnmpValue.NoSuchObject),
            new VarBind(Oid.Parse("1.3.6.1.2.1.43.18.1.1.8.1.9"), SnmpValue.EndOfMibView),
        ]);
        return
        [
            SnmpCodec.Encode(response),
            SnmpCodec.Encode(SnmpMessage.Request(SnmpPduType.GetRequest, "public", 1, [Oid.Parse("1.3.6.1.2.1.25.3.2.1.5.1")])),
            SnmpCodec.Encode(SnmpMessage.Request(SnmpPduType.GetNextRequest, "public", 2, [printerMib.Append(18)])),
            SnmpCodec.Encode(SnmpMessage.Request(SnmpPduType.GetBulkRequest, "public", 3, [printerMib.Append(11), printerMib.Append(18)]) with { ErrorIndex = 10 }),
            SnmpCodec.Encode(response with { ErrorStatus = (int)SnmpErrorStatus.NoSuchName, ErrorIndex = 2, VarBinds = response.VarBinds.Take(2).ToList() }),
        ];
    }
}
