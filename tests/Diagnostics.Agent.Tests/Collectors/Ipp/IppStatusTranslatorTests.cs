using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

public sealed class IppStatusTranslatorTests
{
    private static IppMessage Response(params IppAttribute[] printerAttributes) =>
        new(2, 0, 0, 1, [new IppAttributeGroup(IppGroupTag.Operation, []), new IppAttributeGroup(IppGroupTag.Printer, printerAttributes)]);

    private static IppAttribute Enum(string name, int value) => new(name, new IppIntegerValue(IppValueTag.Enum, value));

    private static IppAttribute Integers(string name, params int[] values) =>
        new(name, values.Select(IppValue (v) => new IppIntegerValue(IppValueTag.Integer, v)).ToArray());

    private static IppAttribute Texts(string name, IppValueTag tag, params string[] values) =>
        new(name, values.Select(IppValue (v) => new IppStringValue(tag, v)).ToArray());

    private static IppAttribute Octets(string name, params string[] values) =>
        new(name, values.Select(IppValue (v) => new IppOctetsValue(IppValueTag.OctetString, System.Text.Encoding.UTF8.GetBytes(v))).ToArray());

    [Fact]
    public void A_stopped_printer_with_error_reasons_alerts_and_a_panel_code()
    {
        var status = IppStatusTranslator.Translate(Response(
            Enum("printer-state", 5),
            Texts("printer-state-message", IppValueTag.TextWithoutLanguage, "13.20.00 Jam in tray 2"),
            Texts("printer-state-reasons", IppValueTag.Keyword, "media-jam-error", "cover-open-error", "com.acme-fuser-wobble-warning"),
            Octets("printer-alert", "code=jam;index=1;severity=critical;group=mediaPath", "code=jam;index=2;severity=warning"),
            Texts("printer-alert-description", IppValueTag.TextWithoutLanguage, "Error 50.1 in tray 1", "Jam in tray 2"),
            Texts("printer-make-and-model", IppValueTag.TextWithoutLanguage, "Acme LaserPro 500"),
            Texts("printer-device-id", IppValueTag.TextWithoutLanguage, "MFG:Acme;MDL:LaserPro 500;SN:X123;"),
            Texts("printer-firmware-string-version", IppValueTag.TextWithoutLanguage, "2.2.0")));

        Assert.Equal((DeviceState.Stopped, "Acme LaserPro 500", "X123", "2.2.0"), (status.State, status.Model, status.Serial, status.FirmwareVersion));
        Assert.Equal(
            [
                ("ipp:media-jam", Conditions.PaperJam, Severity.Error),
                ("ipp:cover-open", Conditions.DoorOpen, Severity.Error),
                ("ipp:com.acme-fuser-wobble", "", Severity.Warning),
                ("prtAlert:8", Conditions.PaperJam, Severity.Error),
                ("panel:50.1", "", Severity.Error),
                ("panel:13.20.00", "", Severity.Error),
            ],
            status.Conditions.Select(c => (c.Code, c.Condition, c.Severity)));
        Assert.Equal("Media Jam", status.Conditions[0].Message);
        Assert.Equal("Error 50.1 in tray 1", status.Conditions[3].Message);
    }

    [Fact]
    public void Pwg_supplies_give_percentages_and_low_empty_flags()
    {
        var status = IppStatusTranslator.Translate(Response(
            Enum("printer-state", 3),
            Texts("printer-state-reasons", IppValueTag.Keyword, "toner-low-report", "marker-waste-almost-full-report"),
            Octets("printer-supply",
                "index=1;class=receptacleThatIsFilled;type=wasteToner;unit=percent;maxcapacity=100;level=95;colorantname=unknown;",
                "index=2;class=supplyThatIsConsumed;type=toner;unit=percent;maxcapacity=100;level=5;colorantname=black;",
                "index=3;class=supplyThatIsConsumed;type=opc;unit=impressions;maxcapacity=20000;level=5000;"),
            Texts("printer-supply-description", IppValueTag.TextWithoutLanguage, "Toner Waste Tank", "Black Toner", "Drum"),
            Octets("printer-input-tray",
                "type=sheetFeedAutoRemovableTray;mediafeed=0;mediaxfeed=0;maxcapacity=-2;level=-2;status=0;name=auto",
                "type=sheetFeedAutoRemovableTray;mediafeed=0;mediaxfeed=0;maxcapacity=250;level=0;status=0;name=main"),
            Integers("printer-up-time", 38),
            Integers("printer-impressions-completed", 1234),
            Texts("printer-uuid", IppValueTag.Uri, "urn:uuid:646edcf6-b527-3331-7c36-1fb1360921e9")));

        Assert.Equal(
            [
                ("Toner Waste Tank", "wasteToner", 95, true, false),
                ("Black Toner", "toner", 5, true, false),
                ("Drum", "opc", 25, false, false),
                ("main", "media", 0, true, true),
            ],
            status.Supplies.Select(s => (s.Name, s.Type, s.LevelPercent, s.Low, s.Empty)));
        Assert.Equal([("impressions-completed", 1234L), ("uptime-seconds", 38L)], status.Counters.Select(c => (c.Name, c.Value)));
        Assert.Equal("646edcf6-b527-3331-7c36-1fb1360921e9", status.Serial);
        Assert.Equal(DeviceState.Idle, status.State);
    }

    [Fact]
    public void Cups_marker_attributes_are_used_when_printer_supply_is_absent()
    {
        var status = IppStatusTranslator.Translate(Response(
            Enum("printer-state", 4),
            Texts("marker-names", IppValueTag.NameWithoutLanguage, "Black Toner", "Cyan Toner", "Waste"),
            Integers("marker-levels", 8, -3, 100),
            Texts("marker-types", IppValueTag.Keyword, "toner", "toner", "waste-toner"),
            Texts("marker-colors", IppValueTag.NameWithoutLanguage, "#000000", "#00FFFF", "none"),
            Integers("marker-low-levels", 15, 15, 0)));

        Assert.Equal(
            [("Black Toner", "toner", 8, true, false), ("Cyan Toner", "toner", -3, false, false), ("Waste", "wasteToner", 100, true, true)],
            status.Supplies.Select(s => (s.Name, s.Type, s.LevelPercent, s.Low, s.Empty)));
        Assert.Equal(DeviceState.Processing, status.State);
    }

    [Fact]
    public void A_healthy_printer_has_no_conditions()
    {
        var status = IppStatusTranslator.Translate(Response(
            Enum("printer-state", 3), Texts("printer-state-reasons", IppValueTag.Keyword, "none"), Texts("printer-state-message", IppValueTag.TextWithoutLanguage, "Idle.")));

        Assert.Empty(status.Conditions);
        Assert.Equal("Idle.", status.StateMessage);
    }
}
