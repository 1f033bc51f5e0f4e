using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The support desk's last English words for a Chinese or Japanese agent (issue 19): the canned replies' titles, and
/// the summaries the desk itself writes when a conversation ends unresolved. Expected words are the translators'
/// (Resources/Support/StarterCannedReplies and SupportStaffText).
/// </summary>
public sealed class SupportDeskLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-US", "The customer ended the conversation.", "Nobody wrote for a while: the assistant ended the conversation.")]
    [InlineData("zh-CN,zh;q=0.9", "客户结束了对话。", "一段时间内无人发言，助手结束了对话。")]
    [InlineData("ja-JP", "お客様が会話を終了しました。", "しばらくやり取りがなかったため、アシスタントが会話を終了しました。")]
    public async Task A_supervisor_reads_the_summary_of_an_unresolved_close_in_their_language_while_the_stored_text_stays_English(
        string acceptLanguage, string customerLeft, string idle)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var left = await OpenAsync(customer, null, "The display shows 13.20");
        var (status, body) = await SendAsync(customer, $"/api/me/sessions/{left.Id}/leave");
        Assert.True(status == HttpStatusCode.OK, body);
        var idled = await OpenAsync(customer, null, "The display shows 13.20");
        Assert.Equal(1, await host.Services.GetRequiredService<SupportService>().CloseIdleBotSessionsAsync(DateTimeOffset.UtcNow.AddMinutes(1), Ct));
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        // Stored as the English the rows written before this change hold, so those read the same way.
        Assert.Equal("The customer ended the conversation.", (await SessionAsync(supervisor, left.Id, staff: true)).Summary);
        Assert.Equal("Nobody wrote for a while: the assistant ended the conversation.", (await SessionAsync(supervisor, idled.Id, staff: true)).Summary);
        var history = await GetPageAsync(supervisor, "/dashboard/support/history");
        var summaries = Attribute(history, "history-row", "data-session-id").Zip(TestIdTexts(history, "history-summary")).ToDictionary();
        Assert.Equal(customerLeft, summaries[left.Id]);
        Assert.Equal(idle, summaries[idled.Id]);
    }

    [Theory]
    [InlineData("en-US", "en", new[] { "Greeting", "Looking into it", "Approve the fix", "Send a photo", "Anything else?", "Closing" })]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", new[] { "问候", "正在查看", "批准修复", "发送照片", "还有其他问题吗？", "结束对话" })]
    [InlineData("ja-JP", "ja", new[] { "ごあいさつ", "確認中", "修復の承認", "写真の送信", "ほかにご用件は？", "終了のごあいさつ" })]
    public async Task An_agent_picks_canned_replies_by_titles_in_their_language_and_writes_in_the_customers(string acceptLanguage, string agentLanguage, string[] titles)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        var session = await OpenAsync(customer, null, "My printer keeps jamming, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");

        // The desk: the agent's own language's replies first, every title in the agent's language, the others folded away.
        var desk = await GetPageAsync(agent, "/dashboard/support");
        var languages = Attribute(desk, "canned-reply", "data-language");
        Assert.Equal(Enumerable.Repeat(agentLanguage, titles.Length), languages.Take(titles.Length));
        Assert.DoesNotContain(agentLanguage, languages.Skip(titles.Length));
        var shownTitles = TestIdTexts(desk, "canned-reply-title");
        Assert.Equal(languages.Count, shownTitles.Count);
        Assert.All(shownTitles, title => Assert.Contains(title, titles));
        Assert.Equal(1, CountTestId(desk, "canned-other-languages"));

        // The conversation: the customer's English replies first, known by their titles in the agent's language.
        var held = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        Assert.Equal(Enumerable.Repeat("en", titles.Length), Attribute(held, "canned-option", "data-language").Take(titles.Length));
        Assert.Equal(titles.Order(StringComparer.Ordinal), TestIdTexts(held, "canned-option").Take(titles.Length).Order(StringComparer.Ordinal));
    }

    // The expected names are Unicode CLDR's language display names (en, zh-Hans, ja locales).
    [Theory]
    [InlineData("en-US", "English", "Chinese (Simplified)", "Japanese")]
    [InlineData("zh-CN,zh;q=0.9", "英语", "中文（简体）", "日语")]
    [InlineData("ja-JP", "英語", "中国語 (簡体字)", "日本語")]
    public async Task Each_canned_reply_shows_its_language_by_name_in_the_agents_language_and_keeps_the_tag(
        string acceptLanguage, string english, string chinese, string japanese)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var names = new Dictionary<string, string> { ["en"] = english, ["zh-Hans"] = chinese, ["ja"] = japanese };

        var desk = await GetPageAsync(agent, "/dashboard/support");
        var tags = Attribute(desk, "canned-reply", "data-language");
        Assert.Equal(["en", "ja", "zh-Hans"], tags.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(tags.Select(tag => names[tag]), TestIdTexts(desk, "canned-reply-language"));
    }
}
