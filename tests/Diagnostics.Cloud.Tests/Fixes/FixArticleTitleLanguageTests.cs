using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Knowledge;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// A proposal keeps the title of its article as it was made (the API's <c>articleTitle</c>, English); each reader reads
/// the title of the article's translation into their language (<c>articleTitleForReader</c>, the staff fix list, the
/// device page's fix history and its suggested fix), and the English title marked as not translated where the article has no translation.
/// Expected titles are the translators' (cloud/knowledge-base/paper-jam.*.md).
/// </summary>
public sealed class FixArticleTitleLanguageTests
{
    [Theory]
    [InlineData("en-US", "Paper jam")]
    [InlineData("zh-CN", "卡纸")]
    [InlineData("ja-JP", "紙詰まり")]
    public async Task The_fixes_article_title_reads_in_the_readers_translation_and_the_stored_title_stays(string language, string expected)
    {
        await using var host = new CloudHost();
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "title-1", "FFFF1A01");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var mine = (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Single(f => f.Id == proposal.Id);
        var staff = (await agent.GetJsonAsync<List<FixView>>("/api/fixes")).Single(f => f.Id == proposal.Id);
        var fixList = await GetPageAsync(agent, "/dashboard/fixes");
        var devicePage = await GetPageAsync(agent, "/dashboard/devices/title-1");
        var companion = await GetPageAsync(owner, "/app/devices/title-1");

        Assert.Equal(("paper-jam", "Paper jam", expected, false), (mine.ArticleId, mine.ArticleTitle, mine.ArticleTitleForReader, mine.ArticleTitleIsFallback));
        Assert.Equal(("Paper jam", expected, false), (staff.ArticleTitle, staff.ArticleTitleForReader, staff.ArticleTitleIsFallback));
        Assert.Contains($">{expected}</a>", fixList, StringComparison.Ordinal);
        Assert.Equal([expected], TestIdTexts(devicePage, "fix-article-title"));
        // The article suggested for the jam the device reports now, beside it on the same page.
        Assert.Contains(expected, TestIdTexts(devicePage, "suggested-fix-title"));
        Assert.Equal(0, CountTestId(companion, "fix-title-not-translated") + CountTestId(fixList, "fix-title-not-translated") + CountTestId(devicePage, "fix-title-not-translated")
            + CountTestId(devicePage, "suggested-fix-not-translated"));
    }

    [Theory]
    [InlineData("zh-CN", "（暂无中文版）", "这篇文章还没有中文版，下面先显示英文版。")]
    [InlineData("ja-JP", "（日本語版はまだありません）", "この記事はまだ日本語に翻訳されていないため、英語で表示しています。")]
    public async Task An_article_without_a_translation_shows_its_English_title_marked_as_not_translated(string language, string notTranslated, string customerNotice)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(title: "Paper jam (any tray)"));
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "title-2", "FFFF1A02");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var mine = (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Single(f => f.Id == proposal.Id);
        var fixList = await GetPageAsync(agent, "/dashboard/fixes");
        var devicePage = await GetPageAsync(agent, "/dashboard/devices/title-2");
        var companion = await GetPageAsync(owner, "/app/devices/title-2");

        Assert.Equal(("Paper jam (any tray)", "Paper jam (any tray)", true), (mine.ArticleTitle, mine.ArticleTitleForReader, mine.ArticleTitleIsFallback));
        Assert.Equal([notTranslated], TestIdTexts(fixList, "fix-title-not-translated"));
        Assert.Equal(["Paper jam (any tray)"], TestIdTexts(devicePage, "fix-article-title"));
        Assert.Equal([notTranslated], TestIdTexts(devicePage, "fix-title-not-translated"));
        Assert.Equal([customerNotice], TestIdTexts(companion, "fix-title-not-translated"));
        Assert.Equal(["Paper jam (any tray)"], TestIdTexts(devicePage, "suggested-fix-title"));
        Assert.Equal([notTranslated], TestIdTexts(devicePage, "suggested-fix-not-translated"));
    }
}
