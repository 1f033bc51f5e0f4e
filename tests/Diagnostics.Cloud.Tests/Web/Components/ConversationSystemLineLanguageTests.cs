using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Components;

/// <summary>
/// The service's own lines of a conversation (opened, joined) read for staff in the page's language, on the support
/// panel as in the messages API's <c>textForReader</c>, whatever language the customer speaks (issue 19): an agent on an
/// English dashboard read them in the Chinese customer's language on the panel and in English from the API. Expected
/// words are the translators' (Resources/Support/SupportSystemText.*.resx).
/// </summary>
public sealed partial class ConversationSystemLineLanguageTests
{
    [Theory]
    [InlineData("en-US", "Session opened.", "{0} joined the conversation.")]
    [InlineData("ja-JP", "会話を開始しました。", "{0} が会話に参加しました。")]
    public async Task A_chinese_customers_conversation_shows_staff_the_services_lines_in_the_pages_language_as_the_api_does(
        string agentLanguage, string opened, string joined)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");
        var session = await OpenAsync(customer, null, "打印机老是卡纸");
        await OkAsync<SupportSession>(customer, $"/api/me/sessions/{session.Id}/handover");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(agentLanguage);
        var taken = await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");

        var fromApi = (await agent.GetJsonAsync<List<MessageForReader>>($"/api/sessions/{session.Id}/messages"))
            .Where(m => m.AuthorKind == AuthorKind.System && m.Kind == MessageKind.System)
            .ToDictionary(m => m.Sequence, m => m.TextForReader);
        var onPanel = SystemLines(await GetPageAsync(agent, $"/dashboard/support/{session.Id}"));

        var expected = new[] { opened, string.Format(CultureInfo.InvariantCulture, joined, taken.AgentName) };
        Assert.Subset(fromApi.Values.ToHashSet(), expected.ToHashSet());
        // With the assistant's hand-over note the panel folds the transcript before it (the opening line among it), so
        // the panel shows the lines after the note: each one as the API gives it, the agent's joining among them.
        Assert.Contains(expected[1], onPanel.Values);
        Assert.All(onPanel, line => Assert.Equal(fromApi[line.Key], line.Value));
        // The customer still reads them in Chinese.
        var customersPage = SystemLines(await GetPageAsync(customer, $"/app/support/{session.Id}"));
        Assert.Contains("对话已开始。", customersPage.Values);
    }

    /// <summary>The text of each system line on a rendered conversation, by its sequence.</summary>
    private static Dictionary<long, string> SystemLines(string html) =>
        SystemLine().Matches(html).ToDictionary(m => long.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture),
            m => WebUtility.HtmlDecode(m.Groups["text"].Value).Trim());

    [GeneratedRegex("""<li[^>]*data-testid="message" data-kind="system" data-author="system" data-seq="(?<seq>\d+)"[^>]*>(?:(?!</li>).)*?data-testid="message-text">(?<text>[^<]*)</p>""",
        RegexOptions.Singleline)]
    private static partial Regex SystemLine();
}
