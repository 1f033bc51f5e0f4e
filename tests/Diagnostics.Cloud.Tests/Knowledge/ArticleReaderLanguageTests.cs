using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>
/// An agent reads an article in their language: the article page (<c>/dashboard/kb/{id}</c>) shows its published
/// translation (title, summary, symptoms, steps, agent notes, what the printer will do) with links to the original and
/// the other translations; <c>GET /api/kb/articles</c> and <c>/api/kb/articles/{id}</c> keep the article's own fields and
/// add the reader's beside them. An article without a translation is shown in English, marked. Expected words are the
/// translators' (cloud/knowledge-base/paper-jam.md, paper-jam.zh-Hans.md, paper-jam.ja.md).
/// </summary>
public sealed class ArticleReaderLanguageTests
{
    /// <summary>What the translation files say, field by field; the note and step are ones without `code` marks.</summary>
    public sealed record Expected(string Language, string Title, string Summary, string Symptom, string Step, string AgentNote, string Describe);

    private static readonly Expected English = new("en", "Paper jam",
        "Paper is stuck inside the printer, so printing has stopped until it is taken out.",
        "Printing stopped part-way through a job and the screen shows a jam message.",
        "Open the tray or door that the printer's screen points to. Do not switch the printer off in the middle of a job unless these steps say so.",
        "If a jam comes together with DOOR_OPEN or FUSER_FAULT, deal with the other condition first.",
        "The printer runs its feed rollers once to push out a sheet caught in the paper path. If the paper is torn or crumpled, take it out by hand instead.");

    private static readonly Expected Chinese = new("zh-Hans", "卡纸",
        "有纸张卡在打印机里，取出之前打印无法继续。",
        "打印到一半停了，屏幕上显示卡纸提示。",
        "打开屏幕上提示的纸盒或盖板。除非下面的步骤要求，否则不要在打印过程中直接关机。",
        "卡纸同时伴有 DOOR_OPEN 或 FUSER_FAULT 时，先处理另一个状况。",
        "打印机会让进纸辊转动一次，把卡在纸路里的纸推出来。如果纸已经撕破或皱成一团，请不要使用此功能，改为用手取出。");

    private static readonly Expected Japanese = new("ja", "紙詰まり",
        "プリンターの中で用紙が詰まっているため、取り除くまで印刷が止まっています。",
        "印刷の途中で止まり、画面に紙詰まりのメッセージが出ている。",
        "画面に表示されているトレイまたはカバーを開けます。以下の手順で指示がない限り、印刷中に電源を切らないでください。",
        "紙詰まりと同時に DOOR_OPEN や FUSER_FAULT が出ている場合は、そちらを先に対処する。",
        "プリンターが給紙ローラーを一度回し、用紙の通り道に引っかかった紙を押し出します。紙が破れていたり、くしゃくしゃになっている場合は、この操作は使わずに手で取り除いてください。");

    public static TheoryData<string, string> Readers => new() { { "en-US", "en" }, { "zh-CN", "zh-Hans" }, { "ja-JP", "ja" } };

    private static Expected For(string language) => language switch { "zh-Hans" => Chinese, "ja" => Japanese, _ => English };

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task The_article_page_shows_the_readers_translation_with_links_to_the_original_and_the_others(string acceptLanguage, string language)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var page = await GetPageAsync(agent, "/dashboard/kb/paper-jam");

        AssertShows(page, For(language));
        Assert.Equal(0, CountTestId(page, "article-not-translated"));
        Assert.Equal(["en", "ja", "zh-Hans"], Attribute(page, "article-language", "data-language"));
        // The language shown is the current one; each other is a link to the article in it.
        Assert.Equal([language], Attribute(page, "article-language", "aria-current").Zip(Attribute(page, "article-language", "data-language"))
            .Where(pair => pair.First == "true").Select(pair => pair.Second));
        foreach (var other in new[] { "en", "ja", "zh-Hans" }.Where(other => other != language))
            Assert.Contains($"""href="/dashboard/kb/paper-jam?language={other}">""", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zh-CN", "ja")]
    [InlineData("ja-JP", "en")]
    [InlineData("en-US", "zh-Hans")]
    public async Task The_page_switches_to_another_translation_or_the_original(string acceptLanguage, string chosen)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var page = await GetPageAsync(agent, $"/dashboard/kb/paper-jam?language={chosen}");

        AssertShows(page, For(chosen));
        Assert.Equal(0, CountTestId(page, "article-not-translated"));
    }

    [Theory]
    [InlineData("zh-CN", "（暂无中文版）")]
    [InlineData("ja-JP", "（日本語版はまだありません）")]
    public async Task An_article_without_a_translation_shows_in_English_marked_on_the_page_and_in_the_api(string acceptLanguage, string mark)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(title: "Paper jam (any tray)"));
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var page = await GetPageAsync(supervisor, "/dashboard/kb/paper-jam");
        var article = await supervisor.GetJsonAsync<JsonElement>("/api/kb/articles/paper-jam");
        var listed = (await supervisor.GetJsonAsync<List<JsonElement>>("/api/kb/articles")).Single();

        Assert.Equal("Paper jam (any tray)", TestIdText(page, "article-title"));
        Assert.Equal(mark, TestIdText(page, "article-not-translated"));
        Assert.Contains("Pull the paper out slowly with both hands.", TestIdText(page, "article-steps"), StringComparison.Ordinal);
        var reader = article.GetProperty("forReader");
        Assert.Equal(("en", true, "Paper jam (any tray)"), (reader.GetProperty("language").GetString(), reader.GetProperty("isFallback").GetBoolean(), reader.GetProperty("title").GetString()));
        Assert.Equal(("en", true, "Paper jam (any tray)"), (listed.GetProperty("language").GetString(), listed.GetProperty("isFallback").GetBoolean(), listed.GetProperty("titleForReader").GetString()));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task The_articles_api_keeps_the_originals_fields_and_adds_the_readers_translation(string acceptLanguage, string language)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var expected = For(language);

        var article = await agent.GetJsonAsync<JsonElement>("/api/kb/articles/paper-jam");
        var listed = (await agent.GetJsonAsync<List<JsonElement>>("/api/kb/articles")).Single(a => a.GetProperty("id").GetString() == "paper-jam");

        // The article's own fields, as the API always answered them.
        Assert.Equal((English.Title, English.Summary, "en", false), (Text(article, "title"), Text(article, "summary"), Text(article, "language"), article.GetProperty("isFallback").GetBoolean()));
        Assert.Equal(English.Step, Texts(article, "customerSteps")[0]);
        Assert.Equal(English.Describe, Text(article.GetProperty("remediation"), "describe"));
        Assert.Equal(English.Title, Text(listed, "title"));
        // The reader's, beside them.
        var reader = article.GetProperty("forReader");
        Assert.Equal((language, false), (Text(reader, "language"), reader.GetProperty("isFallback").GetBoolean()));
        Assert.Equal((expected.Title, expected.Summary, expected.Describe), (Text(reader, "title"), Text(reader, "summary"), Text(reader, "describe")));
        Assert.Equal(expected.Symptom, Texts(reader, "symptoms")[0]);
        Assert.Equal(expected.Step, Texts(reader, "customerSteps")[0]);
        Assert.Equal(expected.AgentNote, Texts(reader, "agentNotes")[3]);
        Assert.Equal((expected.Title, language, false), (Text(listed, "titleForReader"), Text(listed, "language"), listed.GetProperty("isFallback").GetBoolean()));
    }

    private static void AssertShows(string page, Expected expected)
    {
        Assert.Equal(expected.Title, TestIdText(page, "article-title"));
        Assert.Equal(expected.Summary, TestIdText(page, "article-summary"));
        Assert.Equal(expected.Describe, TestIdText(page, "article-describe"));
        Assert.Contains(expected.Symptom, TestIdText(page, "article-symptoms"), StringComparison.Ordinal);
        Assert.Contains(expected.Step, TestIdText(page, "article-steps"), StringComparison.Ordinal);
        Assert.Contains(expected.AgentNote, TestIdText(page, "article-agent-notes"), StringComparison.Ordinal);
        Assert.Equal([expected.Language, expected.Language, expected.Language, expected.Language, expected.Language],
            new[] { "article-title", "article-summary", "article-symptoms", "article-steps", "article-agent-notes" }.Select(id => Attribute(page, id, "lang").Single()));
    }

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static string[] Texts(JsonElement element, string property) => [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
