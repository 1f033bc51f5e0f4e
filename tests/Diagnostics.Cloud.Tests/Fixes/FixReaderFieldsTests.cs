using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Knowledge;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// The fixes APIs (<c>/api/me/fixes</c>, <c>/api/fixes</c>) keep what a proposal stored (<c>preview.describe</c>,
/// <c>reasons</c>, <c>articleTitle</c>: English) and carry beside it what the reader reads: <c>preview.describeForReader</c>
/// from the article's translation, <c>reasonsForReader</c> (staff) worded from the reasons' texts, <c>articleTitleForReader</c>.
/// Expected words are the translators' (cloud/knowledge-base/paper-jam.*.md, Resources/Knowledge/MatchReasons.*.resx).
/// </summary>
public sealed class FixReaderFieldsTests
{
    private const string EnglishDescribe =
        "The printer runs its feed rollers once to push out a sheet caught in the paper path. If the paper is torn or crumpled, take it out by hand instead.";

    private static readonly string[] EnglishReasons = ["exact code: reported code ipp:media-jam", "no results yet (rate starts at 0.50)"];

    public static TheoryData<string, string, string, string[]> ByLanguage => new()
    {
        { "en-US", "Paper jam", EnglishDescribe, EnglishReasons },
        { "zh-CN", "卡纸", "打印机会让进纸辊转动一次，把卡在纸路里的纸推出来。如果纸已经撕破或皱成一团，请不要使用此功能，改为用手取出。",
            ["代码完全一致：设备报告的代码为 ipp:media-jam", "尚无结果（成功率从 0.50 起算）"] },
        { "ja-JP", "紙詰まり", "プリンターが給紙ローラーを一度回し、用紙の通り道に引っかかった紙を押し出します。紙が破れていたり、くしゃくしゃになっている場合は、この操作は使わずに手で取り除いてください。",
            ["コードが一致：デバイスが報告したコードは ipp:media-jam", "結果はまだありません（成功率は 0.50 から始まります）"] },
    };

    [Theory]
    [MemberData(nameof(ByLanguage))]
    public async Task A_fix_reads_in_the_readers_language_beside_what_it_stored(string language, string title, string describe, string[] reasons)
    {
        await using var host = new CloudHost();
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "reader-1", "FFFF2A01");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var mine = await owner.GetJsonAsync<JsonElement>($"/api/me/fixes/{proposal.Id}");
        var mineListed = (await owner.GetJsonAsync<List<JsonElement>>("/api/me/fixes")).Single(f => f.GetProperty("id").GetString() == proposal.Id);
        var staff = await agent.GetJsonAsync<JsonElement>($"/api/fixes/{proposal.Id}");
        var staffListed = (await agent.GetJsonAsync<List<JsonElement>>("/api/fixes")).Single(f => f.GetProperty("id").GetString() == proposal.Id);

        foreach (var fix in new[] { mine, mineListed, staff, staffListed })
        {
            Assert.Equal((title, false), (fix.GetProperty("articleTitleForReader").GetString(), fix.GetProperty("articleTitleIsFallback").GetBoolean()));
            Assert.Equal((EnglishDescribe, describe), (Text(fix.GetProperty("preview"), "describe"), Text(fix.GetProperty("preview"), "describeForReader")));
            Assert.Equal("Paper jam", fix.GetProperty("articleTitle").GetString());
        }
        foreach (var fix in new[] { staff, staffListed })
        {
            Assert.Equal(EnglishReasons, Texts(fix, "reasons"));
            Assert.Equal(reasons, Texts(fix, "reasonsForReader"));
        }
        // Why an article was chosen is for staff: a customer gets neither form.
        foreach (var fix in new[] { mine, mineListed })
            Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (fix.GetProperty("reasons").ValueKind, fix.GetProperty("reasonsForReader").ValueKind));
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("ja-JP")]
    public async Task A_fix_from_an_article_without_a_translation_describes_in_English_marked_as_a_fallback(string language)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(title: "Paper jam (any tray)"));
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "reader-2", "FFFF2A02");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var mine = await owner.GetJsonAsync<JsonElement>($"/api/me/fixes/{proposal.Id}");

        const string Describe = "The printer runs its feed rollers once to push out the stuck sheet.";
        Assert.Equal(("Paper jam (any tray)", true), (mine.GetProperty("articleTitleForReader").GetString(), mine.GetProperty("articleTitleIsFallback").GetBoolean()));
        Assert.Equal((Describe, Describe), (Text(mine.GetProperty("preview"), "describe"), Text(mine.GetProperty("preview"), "describeForReader")));
    }

    [Theory]
    [InlineData("zh-Hans", "same problem: condition PAPER_JAM", "同一问题：卡纸")]
    [InlineData("ja", "same problem: condition PAPER_JAM", "同じ問題：紙詰まり")]
    [InlineData("zh-Hans", "the device reports it now: ipp:media-jam (PAPER_JAM)", "设备当前正报告此问题：ipp:media-jam（卡纸）")]
    [InlineData("ja", "words: jam, paper (text score 1.25)", "一致した語：jam、paper（テキストスコア 1.25）")]
    [InlineData("zh-Hans", "written for Acme LaserPro 500", "专为 Acme LaserPro 500 编写")]
    // English reads as stored; a line no reason text makes (a support request's) reads as stored in every language.
    [InlineData("en", "same problem: condition PAPER_JAM", "same problem: condition PAPER_JAM")]
    [InlineData("ja", "requested by agent:ana@example.com", "requested by agent:ana@example.com")]
    public void A_stored_reason_reads_in_the_readers_language(string language, string stored, string expected)
    {
        using var _ = new UiCulture(language);
        Assert.Equal(expected, MatchReasons.Read(stored));
    }

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static string[] Texts(JsonElement element, string property) => [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
