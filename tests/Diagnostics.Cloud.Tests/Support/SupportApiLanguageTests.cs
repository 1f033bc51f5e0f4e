using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// API readers get what page readers get (issue 19): the conversation's own lines, an agent's canned lines and the starter
/// replies' titles in the reader's language (the account's choice, else Accept-Language) beside the stored text, which
/// stays as stored. Expected words are the translators' (Resources/Support/SupportSystemText and StarterCannedReplies).
/// </summary>
public sealed class SupportApiLanguageTests
{
    private const string AgentGreeting = "Hello Kim, this is Alex from support. I can see sim-7 and what it reports; let's sort this out together.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-US", "en", "Session opened.", "{0} joined the conversation.", AgentGreeting)]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "对话已开始。", "{0} 加入了对话。", "Kim您好，我是客服 Alex。我能看到 sim-7 及其上报的状态，我们一起来解决这个问题吧。")]
    [InlineData("ja-JP", "ja", "会話を開始しました。", "{0} が会話に参加しました。", "Kim 様、サポートの Alex です。sim-7 の状態はこちらで確認できています。一緒に解決していきましょう。")]
    public async Task The_messages_api_gives_customer_and_agent_the_services_lines_in_their_language_and_keeps_the_stored_text(
        string acceptLanguage, string language, string opened, string joined, string greeting)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var session = await OpenAsync(customer, null, "My printer keeps jamming, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var taken = await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/messages", new { text = AgentGreeting });

        foreach (var (reader, path) in new[] { (customer, $"/api/me/sessions/{session.Id}/messages"), (agent, $"/api/sessions/{session.Id}/messages") })
        {
            var messages = await reader.GetJsonAsync<List<MessageForReader>>(path);
            var sessionOpened = messages.Single(m => m.AuthorKind == AuthorKind.System && m.Body == "Session opened.");
            Assert.Equal((opened, language), (sessionOpened.TextForReader, sessionOpened.TextForReaderLanguage));
            var agentJoined = messages.Single(m => m.Body == $"{taken.AgentName} joined the conversation.");
            Assert.Equal((string.Format(System.Globalization.CultureInfo.InvariantCulture, joined, taken.AgentName), language),
                (agentJoined.TextForReader, agentJoined.TextForReaderLanguage));
            // The agent wrote the English starter greeting: a reader of another language gets that language's greeting, names kept.
            var agentLine = messages.Single(m => m.AuthorKind == AuthorKind.Agent);
            Assert.Equal((AgentGreeting, greeting, language), (agentLine.Body, agentLine.TextForReader, agentLine.TextForReaderLanguage));
            // What the customer typed has no other text: as written, in the language its script shows.
            var asked = messages.First(m => m.AuthorKind == AuthorKind.Customer);
            Assert.Equal(("My printer keeps jamming, please talk to a person", "en"), (asked.TextForReader, asked.TextForReaderLanguage));
        }
    }

    [Fact]
    public async Task The_accounts_chosen_language_outranks_accept_language_for_the_messages_api()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        using (var chosen = await customer.PutAsJsonAsync("/api/auth/language", new { language = "zh-Hans" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, chosen.StatusCode);
        var session = await OpenAsync(customer, null, "The display shows 13.20");

        var opened = (await customer.GetJsonAsync<List<MessageForReader>>($"/api/me/sessions/{session.Id}/messages")).Single(m => m.Body == "Session opened.");

        Assert.Equal(("对话已开始。", "zh-Hans"), (opened.TextForReader, opened.TextForReaderLanguage));
    }

    [Theory]
    [InlineData("en-US", "en", new[] { "Greeting", "Looking into it", "Approve the fix", "Send a photo", "Anything else?", "Closing" })]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", new[] { "问候", "正在查看", "批准修复", "发送照片", "还有其他问题吗？", "结束对话" })]
    [InlineData("ja-JP", "ja", new[] { "ごあいさつ", "確認中", "修復の承認", "写真の送信", "ほかにご用件は？", "終了のごあいさつ" })]
    public async Task The_canned_replies_api_names_starter_replies_in_the_readers_language_and_keeps_staffs_own_titles(
        string acceptLanguage, string language, string[] titles)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        await OkAsync<CannedReply>(agent, "/api/support/canned-replies", new { title = "Toner tip", body = "Shake the toner cartridge gently, {customer}." });

        var replies = await agent.GetJsonAsync<List<CannedReplyForReader>>("/api/support/canned-replies");

        var starters = replies.Where(r => r.Topic is not null).ToList();
        // One starter set per language the apps speak, every one titled in the reader's language; the stored title stays the set's own.
        Assert.Equal(titles.Length * 3, starters.Count);
        Assert.All(starters, r => Assert.Equal(language, r.TitleForReaderLanguage));
        Assert.Equal(titles.Order(StringComparer.Ordinal), starters.Where(r => r.Language == "en").Select(r => r.TitleForReader).Order(StringComparer.Ordinal));
        Assert.Equal(titles.Order(StringComparer.Ordinal), starters.Where(r => r.Language == "ja").Select(r => r.TitleForReader).Order(StringComparer.Ordinal));
        Assert.Contains(starters, r => r.Language == "en" && r.Title == "Greeting");
        var own = replies.Single(r => r.Title == "Toner tip");
        Assert.Equal(("Toner tip", "en"), (own.TitleForReader, own.TitleForReaderLanguage));
    }
}
