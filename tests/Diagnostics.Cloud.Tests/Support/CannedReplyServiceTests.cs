using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// Canned replies are kept one way (<see cref="CannedReplyService"/>), by the desk page and <c>/api/support/canned-replies</c>
/// alike: staff read and add them, only supervisors remove them, customers get none.
/// </summary>
public sealed class CannedReplyServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_reads_no_canned_reply_and_only_a_supervisor_removes_one_from_the_page_or_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var replies = host.Services.GetRequiredService<CannedReplyService>();
        var added = await OkAsync<CannedReply>(agent, "/api/support/canned-replies", new { title = "Toner tip", body = "Shake the toner cartridge gently, {customer}." });

        var agentsDesk = await GetPageAsync(agent, "/dashboard/support");
        Assert.Contains(added.Id, Attribute(agentsDesk, "canned-reply", "data-reply-id"));
        Assert.Equal(0, CountTestId(agentsDesk, "canned-delete"));
        Assert.Equal(CountTestId(agentsDesk, "canned-reply"), CountTestId(await GetPageAsync(supervisor, "/dashboard/support"), "canned-delete"));

        var (listed, body) = await GetAsync(customer, "/api/support/canned-replies");
        Assert.Equal(HttpStatusCode.Forbidden, listed);
        Assert.DoesNotContain("Toner tip", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(customer, "/api/support/canned-replies", new { title = "Mine", body = "Mine" })).Status);
        var asCustomer = await PersonAsync(customer);
        Assert.Empty(await replies.ListAsync(asCustomer, Ct));
        Assert.Null(await replies.FindAsync(asCustomer, added.Id, Ct));
        Assert.Equal(SupportError.NotAllowed, (await replies.AddCannedReplyAsync(asCustomer, "Mine", "Mine", Ct)).Error);

        using var agentDelete = await agent.DeleteAsync(new Uri($"/api/support/canned-replies/{added.Id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, agentDelete.StatusCode);
        Assert.Equal(SupportError.NotAllowed, (await replies.DeleteAsync(await PersonAsync(agent), added.Id, Ct)).Error);
        Assert.Contains(await agent.GetJsonAsync<List<CannedReply>>("/api/support/canned-replies"), r => r.Id == added.Id);

        using var supervisorDelete = await supervisor.DeleteAsync(new Uri($"/api/support/canned-replies/{added.Id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NoContent, supervisorDelete.StatusCode);
        Assert.DoesNotContain(await agent.GetJsonAsync<List<CannedReply>>("/api/support/canned-replies"), r => r.Id == added.Id);
        Assert.Equal(SupportError.NotFound, (await replies.DeleteAsync(await PersonAsync(supervisor), added.Id, Ct)).Error);
    }
}
