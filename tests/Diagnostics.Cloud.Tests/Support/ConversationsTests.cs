using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The conversation pages and the session API are one way in (<see cref="CustomerConversations"/>,
/// <see cref="AgentConversations"/>): a page shows nobody what the API would refuse them.
/// </summary>
public sealed class ConversationsTests
{
    private const string CustomersWords = "The printer in the hall stopped with a jam";
    private const string InternalNote = "Owner called twice already, be quick";

    [Theory, BothEngines]
    public async Task Another_customer_opening_a_conversation_page_sees_it_missing_and_none_of_it_and_the_api_answers_404(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "conv-1", "C0C01111", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "conv-1", CustomersWords + ", please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        var card = Card<FixCard>(await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/fixes", new { articleId = "paper-jam" }));
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        var ownersPage = await GetPageAsync(owner, $"/app/support/{session.Id}");
        var strangersPage = await GetPageAsync(stranger, $"/app/support/{session.Id}");

        // The owner's page shows the conversation and its fix card: what is missing below was refused, not absent.
        Assert.Contains(CustomersWords, ownersPage, StringComparison.Ordinal);
        Assert.Equal([card.ProposalId], Attribute(ownersPage, "fix-card", "data-fix-id"));
        Assert.Equal(["proposed"], Attribute(ownersPage, "fix-card", "data-state"));
        Assert.Equal(1, CountTestId(strangersPage, "session-not-found"));
        Assert.Equal(0, CountTestId(strangersPage, "chat"));
        Assert.Equal(0, CountTestId(strangersPage, "message"));
        Assert.Equal(0, CountTestId(strangersPage, "fix-card"));
        Assert.DoesNotContain(CustomersWords, strangersPage, StringComparison.Ordinal);
        Assert.DoesNotContain(card.ProposalId, strangersPage, StringComparison.Ordinal);
        foreach (var url in new[] { $"/api/me/sessions/{session.Id}", $"/api/me/sessions/{session.Id}/messages" })
        {
            using var refused = await stranger.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"GET {url} -> {(int)refused.StatusCode}");
        }
        var (approve, _) = await SendAsync(stranger, $"/api/me/sessions/{session.Id}/fixes/{card.ProposalId}/approve");
        Assert.Equal(HttpStatusCode.NotFound, approve);
        Assert.DoesNotContain(await stranger.GetJsonAsync<List<SupportSession>>("/api/me/sessions"), s => s.Id == session.Id);
    }

    [Theory, BothEngines]
    public async Task An_internal_note_is_on_the_agents_page_and_api_and_on_neither_of_the_customers(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "conv-2", "C0C02222", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "conv-2", CustomersWords + ", please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/messages", new { text = InternalNote, @internal = true });

        var agentsPage = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        var customersPage = await GetPageAsync(owner, $"/app/support/{session.Id}");

        Assert.Contains(InternalNote, agentsPage, StringComparison.Ordinal);
        Assert.Contains(await MessagesAsync(agent, session.Id, staff: true), m => m.Body == InternalNote);
        Assert.Contains(CustomersWords, customersPage, StringComparison.Ordinal);
        Assert.DoesNotContain(InternalNote, customersPage, StringComparison.Ordinal);
        Assert.DoesNotContain(await MessagesAsync(owner, session.Id), m => m.Body == InternalNote);
    }
}
