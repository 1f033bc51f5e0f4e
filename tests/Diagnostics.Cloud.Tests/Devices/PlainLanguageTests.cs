using System.Globalization;
using System.Reflection;
using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Devices;

public sealed class PlainLanguageTests
{
    public static TheoryData<string> EveryCondition() =>
        new(typeof(Conditions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!));

    [Theory]
    [MemberData(nameof(EveryCondition))]
    public void Every_normalized_condition_has_a_title_and_advice_in_plain_words(string condition)
    {
        Assert.True(PlainLanguage.Knows(condition), $"{condition} is missing from the catalog");
        var words = PlainLanguage.Describe(condition, "vendor:code", "device message");

        Assert.False(string.IsNullOrWhiteSpace(words.Title));
        Assert.False(string.IsNullOrWhiteSpace(words.Advice));
        Assert.DoesNotContain("_", words.Title, StringComparison.Ordinal);
        Assert.NotEqual(condition, words.Title, StringComparer.OrdinalIgnoreCase);
        Assert.EndsWith(".", words.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jam_reads_as_a_jam_with_what_to_do()
    {
        var words = PlainLanguage.Describe(Conditions.PaperJam, "ipp:media-jam", "media-jam-error");

        Assert.Equal("Paper jam", words.Title);
        Assert.Equal("Open the cover and gently remove the jammed paper.", words.Advice);
    }

    [Theory]
    [InlineData("Fuser temperature out of range.", "vendor:59.4", "Fuser temperature out of range")]
    [InlineData("", "ipp:interpreter-resource-unavailable", "Interpreter resource unavailable")]
    [InlineData(null, "prtAlert:inputMediaSupplyLow", "Input media supply low")]
    [InlineData(null, null, "Something new")]
    public void An_unknown_condition_reads_as_a_sentence_from_the_message_or_the_code(string? message, string? code, string title)
    {
        var words = PlainLanguage.Describe("SOMETHING_NEW", code, message);

        Assert.Equal(title, words.Title);
        Assert.Contains("contact support", words.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeviceHealth.Healthy, "Working normally")]
    [InlineData(DeviceHealth.Warning, "Needs attention")]
    [InlineData(DeviceHealth.Critical, "Not working")]
    [InlineData(DeviceHealth.Unknown, "Waiting for first report")]
    public void Health_in_plain_words(DeviceHealth health, string words) => Assert.Equal(words, PlainLanguage.Health(health));

    [Theory]
    [InlineData("Black", "toner", 12, true, false, "Black toner: 12 % — order a replacement soon")]
    [InlineData("Cyan", "toner", 80, false, false, "Cyan toner: 80 %")]
    [InlineData("Black Toner Cartridge", "toner", 50, false, false, "Black Toner Cartridge: 50 %")]
    [InlineData("Magenta", "ink", 0, true, true, "Magenta ink: empty — replace it now")]
    [InlineData("Waste", "wasteToner", -2, false, false, "Waste toner box: level unknown")]
    [InlineData("", "media", 40, false, false, "Paper: 40 %")]
    // A waste box's level is how full it is: empty is the good end.
    [InlineData("Waste", "wasteToner", 0, false, false, "Waste toner box: 0 % full")]
    [InlineData("Waste", "wasteToner", 95, true, false, "Waste toner box: 95 % full — order a replacement soon")]
    [InlineData("Waste", "wasteToner", 100, true, true, "Waste toner box: full — replace it now")]
    public void Supplies_in_plain_words(string name, string type, int level, bool low, bool empty, string words) =>
        Assert.Equal(words, PlainLanguage.Supply(new SupplyView(name, type, "#000000", level, low, empty)));

    [Fact]
    public void A_level_without_a_known_capacity_is_said_with_its_unit()
    {
        // RFC 3805 prtMarkerSuppliesMaxCapacity -2 (unknown) beside a level of 160 impressions.
        var drum = SupplyView.Of(new SupplyLevel { Name = "Drum", Type = "opc", LevelPercent = -3, Level = 160, MaxCapacity = -2, Unit = "impressions" });

        Assert.Equal("Drum: 160 impressions left, capacity unknown", PlainLanguage.Supply(drum));
    }

    // Printers name their supplies in English whatever their owner reads (issue 19): a known type in a reader's own
    // words, with the colour the device gives or its name says, and a numbered tray; a name in the reader's script stays.
    [Theory]
    [InlineData("zh-Hans", "Black Toner Cartridge", "toner", "black", "黑色碳粉")]
    [InlineData("zh-Hans", "Cyan", "toner", "", "青色碳粉")]
    [InlineData("zh-Hans", "Waste Toner Box", "wasteToner", "no-color", "废粉盒")]
    [InlineData("zh-Hans", "Tray 2", "media", "white", "纸盒 2 的纸张")]
    [InlineData("ja", "手差しトレイ", "media", "white", "手差しトレイ用紙")]
    [InlineData("ja", "Black Toner Cartridge", "toner", "black", "ブラックトナー")]
    [InlineData("ja", "Waste", "wasteToner", "", "廃トナーボックス")]
    [InlineData("ja", "Tray 1", "media", "white", "トレイ 1 の用紙")]
    [InlineData("en", "Black Toner Cartridge", "toner", "black", "Black Toner Cartridge")]
    [InlineData("en", "Tray 1", "media", "white", "Tray 1 paper")]
    public void A_supply_the_printer_names_in_English_reads_in_the_readers_language(string language, string name, string type, string color, string words)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            Assert.Equal(words, PlainLanguage.SupplyName(new SupplyView(name, type, color, 50, false, false)));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void The_supplies_summary_names_the_one_that_needs_action()
    {
        Assert.Equal("Supplies are fine", PlainLanguage.SuppliesSummary([new SupplyView("Black", "toner", "", 80, false, false)]));
        Assert.Equal("Black toner: 12 % — order a replacement soon", PlainLanguage.SuppliesSummary(
        [
            new SupplyView("Cyan", "toner", "", 60, false, false),
            new SupplyView("Black", "toner", "", 12, true, false),
            new SupplyView("Yellow", "toner", "", 18, true, false),
        ]));
        Assert.Equal("No supply levels reported", PlainLanguage.SuppliesSummary([]));
    }

    [Fact]
    public void The_main_problem_is_the_worst_one()
    {
        var main = PlainLanguage.MainProblem(
        [
            new ConditionView("ipp:toner-low", Conditions.TonerLow, Severity.Warning, "", null),
            new ConditionView("ipp:media-jam", Conditions.PaperJam, Severity.Error, "", null),
        ]);

        Assert.Equal(Conditions.PaperJam, main?.Condition);
        Assert.Null(PlainLanguage.MainProblem([]));
    }

    [Theory]
    [InlineData(20, "just now")]
    [InlineData(60, "1 minute ago")]
    [InlineData(150, "2 minutes ago")]
    [InlineData(3 * 3600, "3 hours ago")]
    [InlineData(2 * 86400, "2 days ago")]
    public void Last_report_in_words(int secondsAgo, string words)
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(words, PlainLanguage.Ago(now.AddSeconds(-secondsAgo), now));
    }

    [Theory]
    [InlineData("zh-Hans", 150, "2 分钟前")]
    [InlineData("zh-Hans", 3 * 3600, "3 小时前")]
    [InlineData("ja", 20, "たった今")]
    [InlineData("ja", 2 * 86400, "2 日前")]
    public void Last_report_in_words_of_the_readers_language(string language, int secondsAgo, string words)
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            Assert.Equal(words, PlainLanguage.Ago(now.AddSeconds(-secondsAgo), now));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Theory]
    [InlineData("en", "Support asks for a diagnostics report", "A fix support suggests")]
    [InlineData("zh-Hans", "客服请求一份诊断报告", "客服建议的修复")]
    [InlineData("ja", "サポートから診断レポートの依頼があります", "サポートからの修復の提案")]
    public void Support_requests_read_in_the_readers_language(string language, string diagnostics, string suggestion)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            Assert.Equal(diagnostics, PlainLanguage.DiagnosticsRequest().Title);
            Assert.Equal(suggestion, PlainLanguage.SupportSuggestion(articleTitle: null).Title);
            // An article's title is the article's own text (its translation chosen elsewhere), kept as it is.
            Assert.Equal("Paper jam", PlainLanguage.SupportSuggestion("Paper jam").Title);
            Assert.NotEqual(PlainLanguage.DiagnosticsRequest().Advice, PlainLanguage.SupportSuggestion(null).Advice);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void No_report_yet_reads_never() => Assert.Equal("never", PlainLanguage.Ago(null, DateTimeOffset.UnixEpoch));

    [Fact]
    public void Every_cause_the_agent_gives_for_an_unreachable_printer_has_its_own_advice()
    {
        var named = UnreachableCauses.All.Where(c => c != UnreachableCauses.Other);

        Assert.Empty(named.Except(PlainLanguage.UnreachableCausesAdvised, StringComparer.Ordinal));
        var generic = PlainLanguage.Describe(Conditions.DeviceUnreachable, "agent:device-unreachable", "").Advice;
        Assert.All(named, cause => Assert.NotEqual(generic, PlainLanguage.Describe(Conditions.DeviceUnreachable, UnreachableCauses.CodeOf(cause), "").Advice));
    }

    [Fact]
    public void The_reason_a_printer_is_unreachable_is_the_agents_plain_words()
    {
        Assert.Equal("connection refused on port 631", PlainLanguage.UnreachableReason(DeviceState.Unreachable, "connection refused on port 631"));
        Assert.Null(PlainLanguage.UnreachableReason(DeviceState.Stopped, "Paper jam in tray 2"));
        Assert.Null(PlainLanguage.UnreachableReason(DeviceState.Unreachable, ""));
    }
}
