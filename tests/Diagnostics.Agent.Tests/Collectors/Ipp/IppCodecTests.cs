using Diagnostics.Agent.Collectors.Ipp;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

public sealed class IppCodecTests
{
    private static readonly string CapturedResponsePath =
        Path.Combine(RepositoryLayout.Root, "tests", "Diagnostics.Agent.Tests", "Collectors", "Ipp", "Captured", "ippeveprinter-get-printer-attributes.bin");

    private static IppMessage EveryValueType() => new(2, 0, IppOperations.GetPrinterAttributes, 42,
    [
        new IppAttributeGroup(IppGroupTag.Operation,
        [
            new IppAttribute("attributes-charset", new IppStringValue(IppValueTag.Charset, "utf-8")),
            new IppAttribute("attributes-natural-language", new IppStringValue(IppValueTag.NaturalLanguage, "en")),
            new IppAttribute("printer-uri", new IppStringValue(IppValueTag.Uri, "ipp://localhost/ipp/print")),
        ]),
        new IppAttributeGroup(IppGroupTag.Printer,
        [
            new IppAttribute("an-integer", new IppIntegerValue(IppValueTag.Integer, -5)),
            new IppAttribute("an-enum", new IppIntegerValue(IppValueTag.Enum, 3)),
            new IppAttribute("a-boolean", new IppBooleanValue(true)),
            new IppAttribute("octets", new IppOctetsValue(IppValueTag.OctetString, new byte[] { 0, 1, 255 })),
            new IppAttribute("a-date", new IppDateTimeValue(new DateTimeOffset(2026, 11, 23, 16, 29, 32, 300, TimeSpan.FromHours(-5.5)))),
            new IppAttribute("a-resolution", new IppResolutionValue(600, 1200, IppResolutionUnits.DotsPerInch)),
            new IppAttribute("a-range", new IppRangeValue(1, 9999)),
            new IppAttribute("text-lang", new IppStringWithLanguageValue(IppValueTag.TextWithLanguage, "fr", "Bourrage papier")),
            new IppAttribute("name-lang", new IppStringWithLanguageValue(IppValueTag.NameWithLanguage, "de", "Fach 1")),
            new IppAttribute("text", new IppStringValue(IppValueTag.TextWithoutLanguage, "Idle. ü")),
            new IppAttribute("name", new IppStringValue(IppValueTag.NameWithoutLanguage, "main")),
            new IppAttribute("keyword", new IppStringValue(IppValueTag.Keyword, "media-jam-error")),
            new IppAttribute("scheme", new IppStringValue(IppValueTag.UriScheme, "ipps")),
            new IppAttribute("mime", new IppStringValue(IppValueTag.MimeMediaType, "image/pwg-raster")),
            new IppAttribute("oob", new IppOutOfBandValue(IppValueTag.Unsupported), new IppOutOfBandValue(IppValueTag.Unknown), new IppOutOfBandValue(IppValueTag.NoValue)),
            new IppAttribute("reasons", new IppStringValue(IppValueTag.Keyword, "media-low-report"), new IppStringValue(IppValueTag.Keyword, "toner-low-warning")),
            new IppAttribute("vendor-tag", new IppOctetsValue((IppValueTag)0x5F, new byte[] { 9, 9 })),
            new IppAttribute("media-col", new IppCollectionValue(
            [
                new IppAttribute("media-size", new IppCollectionValue(
                [
                    new IppAttribute("x-dimension", new IppIntegerValue(IppValueTag.Integer, 21590)),
                    new IppAttribute("y-dimension", new IppIntegerValue(IppValueTag.Integer, 27940)),
                ])),
                new IppAttribute("media-type", new IppStringValue(IppValueTag.Keyword, "stationery"), new IppStringValue(IppValueTag.Keyword, "labels")),
            ]), new IppCollectionValue([new IppAttribute("media-source", new IppStringValue(IppValueTag.Keyword, "main"))])),
        ]),
        new IppAttributeGroup(IppGroupTag.Job, [new IppAttribute("job-id", new IppIntegerValue(IppValueTag.Integer, 7))]),
        new IppAttributeGroup(IppGroupTag.Unsupported, [new IppAttribute("bogus", new IppOutOfBandValue(IppValueTag.Unsupported))]),
        new IppAttributeGroup(IppGroupTag.Subscription, [new IppAttribute("notify-subscription-id", new IppIntegerValue(IppValueTag.Integer, 1))]),
        new IppAttributeGroup(IppGroupTag.EventNotification, [new IppAttribute("notify-subscribed-event", new IppStringValue(IppValueTag.Keyword, "printer-state-changed"))]),
    ])
    {
        Data = "STATE: +media-jam\n"u8.ToArray(),
    };

    [Fact]
    public void Every_value_tag_collection_and_group_survives_a_round_trip()
    {
        var message = EveryValueType();

        var bytes = IppCodec.Encode(message);
        var decoded = IppCodec.Decode(bytes);

        Assert.True(decoded.IsSuccess, decoded.Detail);
        Assert.Equal(message, decoded.Message);
        Assert.Equal(bytes, IppCodec.Encode(decoded.Message!));
    }

    [Fact]
    public void Additional_values_with_an_empty_name_form_a_1setOf()
    {
        byte[] bytes =
        [
            2, 0, 0, 0, 0, 0, 0, 1, 0x04,
            0x44, 0, 7, .. "reasons"u8, 0, 9, .. "media-low"u8,
            0x44, 0, 0, 0, 9, .. "toner-low"u8,
            0x03,
        ];

        var decoded = IppCodec.Decode(bytes);

        var reasons = decoded.Message!.Find("reasons", IppGroupTag.Printer);
        Assert.Equal(["media-low", "toner-low"], reasons!.Strings);
    }

    [Fact]
    public void A_captured_ippeveprinter_response_decodes()
    {
        var bytes = File.ReadAllBytes(CapturedResponsePath);

        var decoded = IppCodec.Decode(bytes);

        Assert.True(decoded.IsSuccess, decoded.Detail);
        var message = decoded.Message!;
        Assert.True(message.IsSuccessStatus);
        Assert.Equal([3], message.Find("printer-state")!.Integers);
        Assert.Equal(["none"], message.Find("printer-state-reasons")!.Strings);
        Assert.Equal("Acme LaserPro 500", message.Find("printer-make-and-model")!.Strings.Single());
        Assert.Contains(message.Find("printer-supply")!.Strings, s => s.Contains("type=toner", StringComparison.Ordinal));
        Assert.Contains(message.Find("finishings-col-default")!.Values, v => v is IppCollectionValue);
        Assert.Equal(bytes, IppCodec.Encode(message));
    }

    [Theory]
    [InlineData(new byte[] { }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0 }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1 }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04 }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x21, 0, 1, (byte)'a', 0, 3, 0, 0, 1, 0x03 }, IppDecodeError.BadValueLength)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x21, 0, 1, (byte)'a', 0xFF, 0xFF, 0x03 }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x21, 0, 1, (byte)'a', 0, 4, 0, 0, 0, 1, 0x03 }, IppDecodeError.Malformed)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x21, 0, 0, 0, 4, 0, 0, 0, 1, 0x03 }, IppDecodeError.Malformed)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x37, 0, 0, 0, 0, 0x03 }, IppDecodeError.Malformed)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x34, 0, 1, (byte)'c', 0, 0, 0x03 }, IppDecodeError.Malformed)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x34, 0, 1, (byte)'c', 0, 0 }, IppDecodeError.Truncated)]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x31, 0, 1, (byte)'d', 0, 11, 0, 0, 13, 40, 0, 0, 0, 0, (byte)'+', 0, 0, 0x03 }, IppDecodeError.Malformed)]
    public void Malformed_input_returns_a_typed_error(byte[] input, IppDecodeError expected)
    {
        var decoded = IppCodec.Decode(input);

        Assert.False(decoded.IsSuccess);
        Assert.Equal(expected, decoded.Error);
    }

    [Fact]
    public void Input_over_the_limit_is_refused_before_parsing()
    {
        var decoded = IppCodec.Decode(new byte[2048], maxBytes: 1024);

        Assert.Equal(IppDecodeError.TooLarge, decoded.Error);
    }

    [Fact]
    public void Collections_nested_past_the_limit_are_refused()
    {
        var bytes = new List<byte> { 2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x34, 0, 1, (byte)'c', 0, 0 };
        for (var i = 0; i < IppCodec.MaxCollectionDepth + 2; i++)
            bytes.AddRange([0x4A, 0, 0, 0, 1, (byte)'m', 0x34, 0, 0, 0, 0]);

        var decoded = IppCodec.Decode(bytes.ToArray());

        Assert.Equal(IppDecodeError.TooDeep, decoded.Error);
    }

    [Fact]
    public void Unknown_value_tags_are_kept_raw()
    {
        byte[] bytes = [2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x66, 0, 1, (byte)'x', 0, 2, 7, 8, 0x03];

        var decoded = IppCodec.Decode(bytes);

        var value = Assert.IsType<IppOctetsValue>(decoded.Message!.Find("x")!.Values.Single());
        Assert.Equal((IppValueTag)0x66, value.Tag);
        Assert.Equal([7, 8], value.Value.ToArray());
        Assert.Equal(bytes, IppCodec.Encode(decoded.Message));
    }

    [Fact]
    public void Every_truncation_of_valid_messages_returns_an_error_without_throwing()
    {
        foreach (var bytes in new[] { IppCodec.Encode(EveryValueType() with { Data = default }), File.ReadAllBytes(CapturedResponsePath) })
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                var decoded = IppCodec.Decode(bytes.AsSpan(0, length));
                Assert.False(decoded.IsSuccess, $"prefix of {length} bytes decoded");
                Assert.NotEqual(IppDecodeError.None, decoded.Error);
            }
        }
    }

    [Theory]
    [InlineData(2026, 6, 1, 12, 0, '+', 14, 30)] // found by fuzzing: beyond any UTC offset (RFC 2579 gives hours 0..13)
    [InlineData(1, 1, 1, 0, 0, '+', 1, 0)] // 0001-01-01 00:00 +01:00 is before the year 1 in UTC
    [InlineData(9999, 12, 31, 23, 59, '-', 1, 0)] // 9999-12-31 23:59 -01:00 is after the year 9999 in UTC
    public void A_dateTime_no_clock_can_hold_is_malformed_not_thrown(int year, byte month, byte day, byte hour, byte minute, char sign, byte offsetHours, byte offsetMinutes)
    {
        byte[] dateTime = [(byte)(year >> 8), (byte)year, month, day, hour, minute, 0, 0, (byte)sign, offsetHours, offsetMinutes];
        byte[] message = [2, 0, 0, 0, 0, 0, 0, 1, (byte)IppGroupTag.Printer, (byte)IppValueTag.DateTime, 0, 1, (byte)'d', 0, 11, .. dateTime, (byte)IppGroupTag.EndOfAttributes];

        var decoded = IppCodec.Decode(message);

        Assert.Equal(IppDecodeError.Malformed, decoded.Error);
    }

    [Fact]
    public void A_long_1setOf_costs_memory_in_proportion_to_its_length()
    {
        // RFC 8010 3.1.5: each additional value of an attribute is a value with an empty name. Found while fuzzing:
        // appending each one by copying the values before it made this 100 KB response allocate 1.6 GB.
        const int additionalValues = 20_000;
        var message = new List<byte> { 2, 0, 0, 0, 0, 0, 0, 1, (byte)IppGroupTag.Printer, (byte)IppValueTag.Keyword, 0, 1, (byte)'a', 0, 1, (byte)'x' };
        for (var i = 0; i < additionalValues; i++)
            message.AddRange([(byte)IppValueTag.NoValue, 0, 0, 0, 0]);
        message.Add((byte)IppGroupTag.EndOfAttributes);
        var bytes = message.ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = IppCodec.Decode(bytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(decoded.IsSuccess, decoded.Detail);
        Assert.Equal(1 + additionalValues, decoded.Message!.Find("a")!.Values.Count);
        Assert.InRange(allocated, 0, 64L * bytes.Length);
    }

    [Fact]
    public void Random_mutations_never_throw()
    {
        var random = new Random(8010);
        var seeds = new[] { IppCodec.Encode(EveryValueType()), File.ReadAllBytes(CapturedResponsePath) };
        var failures = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            for (var flips = random.Next(1, 8); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var decoded = IppCodec.Decode(bytes);
            if (!decoded.IsSuccess)
            {
                failures++;
                Assert.NotEqual(IppDecodeError.None, decoded.Error);
                Assert.False(string.IsNullOrEmpty(decoded.Detail));
            }
        }
        for (var i = 0; i < 500; i++)
        {
            var noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            _ = IppCodec.Decode(noise);
        }
        Assert.InRange(failures, 1, 3000);
    }
}
