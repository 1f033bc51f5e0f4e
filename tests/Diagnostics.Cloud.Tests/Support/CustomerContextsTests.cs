using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The customer beside a conversation is read one way (<see cref="CustomerContexts"/>), by the conversation page and
/// <c>GET /api/sessions/{id}/context</c> alike: staff only, and only the session's own customer.
/// </summary>
public sealed class CustomerContextsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task An_agent_reads_the_sessions_own_customer_and_a_customer_reads_no_context_from_the_page_or_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (printer, owner) = await PairedDeviceAsync(host, "cc-1", "CCCC1111", Jam);
        await using var _ = printer;
        await using var second = await PairedDevices.ConnectAnnouncingAsync(host, "cc-2", "CCCC2222");
        await PairedDevices.PairAsync(owner, "CCCC2222");
        var (strangersPrinter, stranger) = await PairedDeviceAsync(host, "cc-3", "CCCC3333", Jam);
        await using var __ = strangersPrinter;
        var earlier = await OpenAsync(owner, "cc-2", "The other printer was slow last week");
        var session = await OpenAsync(owner, "cc-1", "The printer jams, please talk to a person");
        var strangersSession = await OpenAsync(stranger, "cc-3", "Mine jams too, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var contexts = host.Services.GetRequiredService<CustomerContexts>();

        var agentsPage = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        Assert.Equal(["cc-2"], Attribute(agentsPage, "context-device", "data-device-id"));
        Assert.Equal([earlier.Id], Attribute(agentsPage, "context-session", "data-session-id"));
        var context = await agent.GetJsonAsync<CustomerContextView>($"/api/sessions/{session.Id}/context");
        Assert.Equal(["cc-2"], context.OtherDevices.Select(d => d.DeviceId));
        Assert.Equal([earlier.Id], context.EarlierSessions.Select(s => s.Id));
        Assert.DoesNotContain(strangersSession.Id, agentsPage, StringComparison.Ordinal);
        Assert.DoesNotContain(context.EarlierSessions, s => s.Id == strangersSession.Id);

        foreach (var customer in new[] { owner, stranger })
        {
            var page = await GetPageAsync(customer, $"/dashboard/support/{session.Id}");
            Assert.Equal(1, CountTestId(page, "access-denied"));
            Assert.Equal(0, CountTestId(page, "customer-context"));
            Assert.DoesNotContain(earlier.Id, page, StringComparison.Ordinal);
            var (status, body) = await GetAsync(customer, $"/api/sessions/{session.Id}/context");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.DoesNotContain(earlier.Id, body, StringComparison.Ordinal);
            // What the context component would be handed for them: nothing.
            Assert.Null(await contexts.OfSessionAsync(await PersonAsync(customer), session.Id, Ct));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(agent, "/api/sessions/ss-none/context")).Status);
    }
}
