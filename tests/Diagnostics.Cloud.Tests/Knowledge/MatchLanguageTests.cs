using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;

namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>
/// <c>/api/kb/match</c> and <c>/api/kb/search</c> answer with the article's translation for the reader (title, summary,
/// what the remediation does) and say which language that is; an article without a translation answers in English,
/// marked as a fallback. Expected texts are the translators' (cloud/knowledge-base/paper-jam.*.md).
/// </summary>
public sealed class MatchLanguageTests
{
    public static TheoryData<string, string, string, string, string> PaperJamByLanguage => new()
    {
        { "en-US", "en", "Paper jam", "Paper is stuck inside the printer, so printing has stopped until it is taken out.",
            "The printer runs its feed rollers once to push out a sheet caught in the paper path. If the paper is torn or crumpled, take it out by hand instead." },
        { "zh-CN", "zh-Hans", "卡纸", "有纸张卡在打印机里，取出之前打印无法继续。",
            "打印机会让进纸辊转动一次，把卡在纸路里的纸推出来。如果纸已经撕破或皱成一团，请不要使用此功能，改为用手取出。" },
        { "ja-JP", "ja", "紙詰まり", "プリンターの中で用紙が詰まっているため、取り除くまで印刷が止まっています。",
            "プリンターが給紙ローラーを一度回し、用紙の通り道に引っかかった紙を押し出します。紙が破れていたり、くしゃくしゃになっている場合は、この操作は使わずに手で取り除いてください。" },
    };

    [Theory]
    [MemberData(nameof(PaperJamByLanguage))]
    public async Task Match_and_search_answer_with_the_readers_translation(string acceptLanguage, string language, string title, string summary, string describe)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var matched = (await agent.GetJsonAsync<List<MatchView>>("/api/kb/match?code=ipp:media-jam")).Single(m => m.ArticleId == "paper-jam");
        // Asked in English words: the results are still worded in the reader's language.
        var found = (await agent.GetJsonAsync<List<MatchView>>("/api/kb/search?q=paper%20jam&limit=5")).Single(m => m.ArticleId == "paper-jam");

        foreach (var view in new[] { matched, found })
        {
            Assert.Equal((language, false, title, summary, describe), (view.Language, view.IsFallback, view.Title, view.Summary, view.Remediation?.Describe));
            Assert.Equal("clear-paper-path", view.Remediation?.Command);
        }
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("ja-JP")]
    public async Task An_article_without_a_translation_answers_in_English_marked_as_a_fallback(string acceptLanguage)
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text());
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var matched = (await supervisor.GetJsonAsync<List<MatchView>>("/api/kb/match?code=ipp:media-jam")).Single();
        var found = (await supervisor.GetJsonAsync<List<MatchView>>("/api/kb/search?q=paper%20stuck")).Single();

        foreach (var view in new[] { matched, found })
            Assert.Equal(("paper-jam", "en", true, "Paper jam", "Paper is stuck inside the printer and printing has stopped."),
                (view.ArticleId, view.Language, view.IsFallback, view.Title, view.Summary));
    }
}
