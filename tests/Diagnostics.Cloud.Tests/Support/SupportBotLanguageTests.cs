using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The assistant through the real support API in Chinese and Japanese: the customer's own words find the article, the
/// assistant answers with its translation and in that language, the quick replies' words are understood in it, and a
/// hand-over reaches an agent with the customer's words.
/// </summary>
public sealed class SupportBotLanguageTests
{
    private static bool IsCjk(char c) => c is >= '\u3040' and <= '\u30FF' or >= '\u4E00' and <= '\u9FFF';

    private static void AnswersIn(IEnumerable<SupportMessage> messages, string language, string title)
    {
        var list = messages.ToList();
        var article = Card<ArticleCard>(Assert.Single(list, m => m.Kind == MessageKind.Article));
        // The translation's title and first step, as cloud/knowledge-base/paper-jam.<language>.md writes them.
        Assert.Equal(("paper-jam", language, false, title), (article.ArticleId, article.Language, article.EnglishFallback, article.Title));
        Assert.All(article.Steps, step => Assert.Contains(step, IsCjk));
        var said = list.Where(m => m.AuthorKind == AuthorKind.Bot && m.Kind == MessageKind.Text).Select(m => m.Body).ToList();
        Assert.NotEmpty(said);
        // Every line the assistant wrote is in the customer's script, none is the English fallback line.
        Assert.All(said, text => Assert.True(text.Count(IsCjk) > text.Count(char.IsAsciiLetter), $"not in {language}: {text}"));
    }

    [Theory, BothEngines]
    public async Task A_customer_writing_Chinese_gets_the_Chinese_article_and_says_it_is_solved_in_Chinese(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "zh-1", "FFFF6101", Jam);
        await using var _ = device;

        var session = await OpenAsync(owner, "zh-1", "打印机卡纸了");

        AnswersIn(await MessagesAsync(owner, session.Id), "zh-Hans", "卡纸");
        // The "Solved" quick reply's words, typed.
        await OkAsync<SupportMessage>(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "已解决，谢谢" });
        var closed = await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Closed, "the assistant closes the session the customer says is solved");
        Assert.Equal(SessionResolution.Bot, closed.Resolution);
        var closing = await MessagesAsync(owner, session.Id);
        var last = closing.Last(m => m.AuthorKind == AuthorKind.Bot && m.Kind == MessageKind.Text);
        Assert.True(last.Body.Count(IsCjk) > 5, last.Body);
        // The solution card the customer keeps says how it was solved in Chinese too.
        Assert.EndsWith(" 按照步骤操作后，问题已经解决。", Card<SolutionCard>(Assert.Single(closing, m => m.Kind == MessageKind.Solution)).Solution, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_customer_writing_Japanese_gets_the_Japanese_article_and_reaches_a_person_who_reads_their_words(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "ja-1", "FFFF6202", Jam);
        await using var _ = device;

        var session = await OpenAsync(owner, "ja-1", "紙詰まりです");

        AnswersIn(await MessagesAsync(owner, session.Id), "ja", "紙詰まり");
        // The "Talk to a person" quick reply's words, typed.
        await OkAsync<SupportMessage>(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "担当者と話したいです" });
        var queued = await SessionAsync(owner, session.Id);
        Assert.Equal((SessionState.Queued, "The customer asked for a person."), (queued.State, queued.HandoverReason));

        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await AvailableAsync(agent);
        var assigned = await SessionWhenAsync(agent, session.Id, s => s.State == SessionState.Assigned, "an available agent gets the session", staff: true);
        Assert.Equal(await AccountIdAsync(agent), assigned.AgentId);
        var agentView = await MessagesAsync(agent, session.Id, staff: true);
        Assert.Contains(agentView, m => m.AuthorKind == AuthorKind.Customer && m.Body == "紙詰まりです");
        Assert.Contains(agentView, m => m.Internal && m.Body.Contains("Handed over: The customer asked for a person.", StringComparison.Ordinal));
    }

    [Theory, BothEngines]
    public async Task The_quick_reply_buttons_work_in_a_Chinese_conversation(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "zh-2", "FFFF6303", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "zh-2", "卡纸了，打印到一半就停了");
        AnswersIn(await MessagesAsync(owner, session.Id), "zh-Hans", "卡纸");

        var handed = await OkAsync<SupportSession>(owner, $"/api/me/sessions/{session.Id}/handover");

        Assert.Equal(SessionState.Queued, handed.State);
        var said = (await MessagesAsync(owner, session.Id)).Where(m => m.AuthorKind != AuthorKind.Customer && m.Kind == MessageKind.Text && !m.Internal).ToList();
        Assert.DoesNotContain(said, m => m.Body.Contains("Handed over", StringComparison.Ordinal));
    }
}
