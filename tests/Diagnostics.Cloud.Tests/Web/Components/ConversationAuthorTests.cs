using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Components;

/// <summary>
/// Who wrote each message, above it in the chat: the assistant was "Diagnostics assistant" for every reader (its stored
/// name, found by the second language audit, issue 19); it is named in the reader's language now, people by their own
/// names. Expected words are the translators' (Resources/Web/Components/Conversation.*.resx).
/// </summary>
public sealed class ConversationAuthorTests
{
    [Theory]
    [InlineData("en-US", "Diagnostics assistant")]
    [InlineData("zh-CN,zh;q=0.9", "智能助手")]
    [InlineData("ja-JP", "アシスタント")]
    public async Task The_customer_and_the_agent_read_the_assistants_name_in_their_language_and_the_stored_name_stays(string acceptLanguage, string assistant)
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "author-1", "ABCD7201", Jam);
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var session = await OpenAsync(owner, "author-1", "The printer jams");
        var messages = await MessagesAsync(owner, session.Id);
        // The stored author is the assistant's identity, the same in every language (the API answers it as stored).
        Assert.Contains(messages, m => m.AuthorKind == AuthorKind.Bot && m.AuthorName == SupportBot.Name);

        var customersPage = await GetPageAsync(owner, $"/app/support/{session.Id}");
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var agentsPage = await GetPageAsync(supervisor, $"/dashboard/support/{session.Id}");

        foreach (var page in new[] { customersPage, agentsPage })
        {
            var authors = TestIdTexts(page, "message-author");
            Assert.Contains(assistant, authors);
            // The customer keeps their own name: "Test Customer", as the account was made.
            Assert.Contains("Test Customer", authors);
            if (!acceptLanguage.StartsWith("en", StringComparison.Ordinal))
                Assert.DoesNotContain(authors, a => a.Contains(SupportBot.Name, StringComparison.Ordinal));
        }
    }
}
