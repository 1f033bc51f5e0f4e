using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Knowledge;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>
/// The knowledge base's article list for authors (issue 19): each title in the reader's language where the article is
/// published in it, the English one with the visible "no translation yet" mark otherwise, and the languages each
/// article is in. Expected titles are the starter articles' translations (knowledge-base/paper-jam{,.zh-Hans,.ja}.md).
/// </summary>
public sealed class KnowledgeListLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-US", "Paper jam", "Languages", "")]
    [InlineData("zh-CN,zh;q=0.9", "卡纸", "语言", "（暂无中文版）")]
    [InlineData("ja-JP", "紙詰まり", "言語", "（日本語版はまだありません）")]
    public async Task Authors_read_titles_in_their_language_with_the_fallback_marked_and_each_articles_languages(
        string acceptLanguage, string paperJam, string languagesColumn, string notTranslated)
    {
        await using var host = new CloudHost();
        var author = await host.SignedInClientAsync(AccountRole.Supervisor);
        author.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        // One article published in English only, one never published (a draft has no translation either).
        await SaveDraftAsync(author, SampleArticles.Text(id: "wobbly-tray", title: "Wobbly paper tray", codes: "[\"acme:77.7\"]"));
        using (var published = await author.PostAsync(new Uri("/api/kb/articles/wobbly-tray/publish", UriKind.Relative), null, Ct))
            Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync(Ct));
        await SaveDraftAsync(author, SampleArticles.Text(id: "squeaky-rollers", title: "Squeaky rollers", codes: "[\"acme:77.8\"]"));

        var page = await GetPageAsync(author, "/dashboard/kb");
        var rows = Rows(page);

        Assert.Contains($"<th>{languagesColumn}</th>", page, StringComparison.Ordinal);
        Assert.Equal((paperJam, "", "en ja zh-Hans"), (rows["paper-jam"].Title, rows["paper-jam"].Mark, rows["paper-jam"].Languages));
        // l10n-latin: each language shown by its own name (CLDR's native names), its tag kept in data-language and title.
        var paperJamRow = page.Split("data-article-id=\"paper-jam\"")[1];
        Assert.Equal(["English", "日本語", "中文（简体）"], TestIdTexts(paperJamRow[..paperJamRow.IndexOf("</tr>", StringComparison.Ordinal)], "article-language"));
        Assert.Equal(("Wobbly paper tray", notTranslated, "en"), (rows["wobbly-tray"].Title, rows["wobbly-tray"].Mark, rows["wobbly-tray"].Languages));
        Assert.Equal(("Squeaky rollers", notTranslated, "en"), (rows["squeaky-rollers"].Title, rows["squeaky-rollers"].Mark, rows["squeaky-rollers"].Languages));
        // Sorted by the titles the reader sees.
        var byTitle = TestIdTexts(await GetPageAsync(author, "/dashboard/kb?sort=title"), "article-title-link");
        Assert.Equal([.. byTitle.Order(StringComparer.Create(new System.Globalization.CultureInfo(acceptLanguage.Split(',')[0]), ignoreCase: true))], byTitle);
    }

    private static async Task SaveDraftAsync(HttpClient author, string markdown)
    {
        using var saved = await author.PutAsJsonAsync($"/api/kb/articles/{Regex.Match(markdown, @"id: (\S+)").Groups[1].Value}/draft", new { markdown }, Ct);
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Each row of the list by article id: the title shown, the fallback mark (empty: none) and the language tags, space-separated.</summary>
    private static Dictionary<string, (string Title, string Mark, string Languages)> Rows(string html)
    {
        var rows = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        foreach (var row in html.Split("data-testid=\"article-row\"").Skip(1).Select(r => r[..r.IndexOf("</tr>", StringComparison.Ordinal)]))
        {
            var id = Regex.Match(row, "data-article-id=\"([^\"]+)\"").Groups[1].Value;
            var mark = CountTestId(row, "article-title-not-translated") == 0 ? "" : TestIdText(row, "article-title-not-translated");
            rows[id] = (TestIdText(row, "article-title-link"), mark, string.Join(' ', Attribute(row, "article-language", "data-language")));
        }
        return rows;
    }
}
