using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

public sealed class PrinterStateReasonsTests
{
    [Theory]
    [InlineData("media-jam-error", "media-jam", Severity.Error, Conditions.PaperJam)]
    [InlineData("media-jam-warning", "media-jam", Severity.Warning, Conditions.PaperJam)]
    [InlineData("media-low-report", "media-low", Severity.Report, Conditions.PaperLow)]
    [InlineData("cover-open", "cover-open", Severity.Error, Conditions.DoorOpen)]
    [InlineData("toner-empty-warning", "toner-empty", Severity.Warning, Conditions.TonerEmpty)]
    [InlineData("marker-waste-almost-full-report", "marker-waste-almost-full", Severity.Report, Conditions.WasteTonerAlmostFull)]
    [InlineData("fuser-over-temp-error", "fuser-over-temp", Severity.Error, Conditions.FuserFault)]
    [InlineData("media-needed", "media-needed", Severity.Error, Conditions.OutOfPaper)]
    [InlineData("paused", "paused", Severity.Error, Conditions.Paused)]
    [InlineData("input-tray-missing-warning", "input-tray-missing", Severity.Warning, Conditions.InputTrayMissing)]
    public void Suffix_gives_the_severity_and_the_base_gives_the_condition(string keyword, string expectedBase, Severity severity, string condition)
    {
        var reason = PrinterStateReasons.Parse(keyword)!;

        Assert.Equal((expectedBase, severity, condition, "ipp:" + expectedBase), (reason.Base, reason.Severity, reason.Condition, reason.Code));
        Assert.True(reason.IsRegistered);
    }

    [Fact]
    public void None_and_empty_values_are_no_reason()
    {
        Assert.Null(PrinterStateReasons.Parse("none"));
        Assert.Null(PrinterStateReasons.Parse(""));
        Assert.Empty(PrinterStateReasons.ParseAll(["none"]));
    }

    [Theory]
    [InlineData("input-media-tray-feed-error", "input-media-tray-feed-error", Severity.Error)]
    [InlineData("input-media-tray-feed-error-warning", "input-media-tray-feed-error", Severity.Warning)]
    [InlineData("media-path-input-feed-error-report", "media-path-input-feed-error", Severity.Report)]
    [InlineData("media-path-input-feed-error", "media-path-input-feed-error", Severity.Error)]
    public void Registered_names_ending_in_error_keep_their_whole_name(string keyword, string expectedBase, Severity severity)
    {
        var reason = PrinterStateReasons.Parse(keyword)!;

        Assert.Equal((expectedBase, severity, Conditions.MediaFeedFault), (reason.Base, reason.Severity, reason.Condition));
        Assert.True(reason.IsRegistered);
    }

    [Fact]
    public void Only_one_suffix_is_stripped()
    {
        var reason = PrinterStateReasons.Parse("toner-low-report-warning")!;

        Assert.Equal(("toner-low-report", Severity.Warning), (reason.Base, reason.Severity));
    }

    [Theory]
    [InlineData("com.acme-fuser-wobble-warning", "com.acme-fuser-wobble", Severity.Warning)]
    [InlineData("com.acme-fuser-wobble", "com.acme-fuser-wobble", Severity.Error)]
    [InlineData("something-new-report", "something-new", Severity.Report)]
    public void Unknown_and_vendor_keywords_are_kept_without_a_condition(string keyword, string expectedBase, Severity severity)
    {
        var reason = PrinterStateReasons.Parse(keyword)!;

        Assert.Equal((expectedBase, severity, "", "ipp:" + expectedBase, false), (reason.Base, reason.Severity, reason.Condition, reason.Code, reason.IsRegistered));
    }

    [Fact]
    public void Labels_come_from_the_embedded_cups_registry()
    {
        Assert.Equal(795, PrinterStateReasons.Registered.Count);
        Assert.Equal("Media Jam", PrinterStateReasons.Parse("media-jam-error")!.Label);
        Assert.Equal("Cover Open", PrinterStateReasons.Parse("cover-open-warning")!.Label);
    }

    [Fact]
    public void The_same_base_twice_is_one_reason_with_the_worst_severity()
    {
        var reasons = PrinterStateReasons.ParseAll(["media-jam-report", "media-jam-error", "none", "toner-low-warning"]);

        Assert.Equal([("media-jam", Severity.Error), ("toner-low", Severity.Warning)], reasons.Select(r => (r.Base, r.Severity)));
    }
}

public sealed class PrinterAlertsTests
{
    [Fact]
    public void A_labelled_alert_maps_to_its_printer_mib_number_and_condition()
    {
        var alert = PrinterAlerts.Parse("code=jam;index=1;severity=critical;training=trained;group=mediaPath;groupindex=1;location=13;time=42")!;

        Assert.Equal(("prtAlert:8", Severity.Error, Conditions.PaperJam, "mediaPath"), (alert.ConditionCode, alert.Severity, alert.Condition, alert.Fields["group"]));
    }

    [Theory]
    [InlineData("code=markerTonerAlmostEmpty;severity=warning", "prtAlert:1104", Severity.Warning, Conditions.TonerLow)]
    [InlineData("code=808;severity=critical", "prtAlert:808", Severity.Error, Conditions.OutOfPaper)]
    [InlineData("code=configurationChange;severity=other", "prtAlert:7", Severity.Report, "")]
    [InlineData("code=acmeFuserWobble", "prtAlert:acmeFuserWobble", Severity.Report, "")]
    public void Alert_codes_and_severities(string value, string code, Severity severity, string condition)
    {
        var alert = PrinterAlerts.Parse(value)!;

        Assert.Equal((code, severity, condition), (alert.ConditionCode, alert.Severity, alert.Condition));
    }

    [Fact]
    public void An_alert_without_a_code_is_ignored() => Assert.Null(PrinterAlerts.Parse("index=1;severity=critical"));
}

public sealed class PanelCodesTests
{
    [Theory]
    [InlineData("13.20.00 Jam in tray 2", new[] { "13.20.00" })]
    [InlineData("Error 50.1 Fuser error. Turn the printer off and on.", new[] { "50.1" })]
    [InlineData("49.4c.02 error", new[] { "49.4C.02" })]
    [InlineData("Idle.", new string[0])]
    [InlineData("Version 2.10.3 ready", new string[0])]
    public void Finds_vendor_panel_codes_in_free_text(string text, string[] expected) =>
        Assert.Equal(expected, PanelCodes.Find(text));
}
