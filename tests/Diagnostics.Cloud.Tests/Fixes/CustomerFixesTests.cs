using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// The companion's fix cards and the customer's fix API are one way in (<see cref="CustomerFixes"/>): what the API
/// refuses, the page does not show, and neither shows what only staff may read of a fix.
/// </summary>
public sealed class CustomerFixesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_advice_card_whose_problem_cleared_reads_solved_with_its_steps_folded_and_the_page_says_nothing_to_do()
    {
        await using var host = new CloudHost();
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "cf-advice", "CFAD1111");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "CFAD1111");
        var low = new ActiveCondition { Code = "ipp:media-low", Condition = Conditions.PaperLow, Severity = Severity.Warning, Message = "Tray 1 is low." };
        await SendAsync(device, device.NewEnvelope(status: new DeviceStatus { Model = "Acme LaserPro 500", State = DeviceState.Idle, Conditions = [low] }));
        await SendAsync(device, device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = low.Code, Condition = low.Condition, Severity = low.Severity, Message = low.Message }));
        FixView? advice = null;
        await Eventually.TrueAsync(async () => (advice = (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).SingleOrDefault(f => f.DeviceId == "cf-advice")) is not null,
            "the paper-low advice");
        Assert.Equal(FixState.Advice, advice!.State);

        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var whileLow = await GetPageAsync(owner, "/app/devices/cf-advice");
        var agentWhileLow = await GetPageAsync(agent, "/dashboard/devices/cf-advice");
        // The customer refills the tray: the next status no longer reports the problem; the advice stays an advice.
        await SendAsync(device, device.NewEnvelope(status: new DeviceStatus { Model = "Acme LaserPro 500", State = DeviceState.Idle }));
        var afterwards = await GetPageAsync(owner, "/app/devices/cf-advice");
        var agentAfterwards = await GetPageAsync(agent, "/dashboard/devices/cf-advice");

        // The agent's device page reads the same rule: an advice whose problem is gone is marked so, not left "advice".
        Assert.Equal(["false"], Attribute(agentWhileLow, "fix-row", "data-cleared"));
        Assert.Equal(["true"], Attribute(agentAfterwards, "fix-row", "data-cleared"));
        Assert.Contains("advice · problem cleared", agentAfterwards, StringComparison.Ordinal);
        Assert.DoesNotContain("advice · problem cleared", agentWhileLow, StringComparison.Ordinal);

        Assert.Equal(["false"], Attribute(whileLow, "fix-card", "data-cleared"));
        Assert.Equal("Here is what to do.", TestIdText(whileLow, "fix-state"));
        Assert.Equal(["true"], Attribute(afterwards, "fix-card", "data-cleared"));
        Assert.Equal("Solved: the printer no longer reports this problem.", TestIdText(afterwards, "fix-state"));
        Assert.DoesNotContain("<details class=\"fix-steps\" open", afterwards, StringComparison.Ordinal);
        Assert.Equal(1, CountTestId(afterwards, "no-problems"));
        // The page leads with what to do: a solved card comes after the supplies and the status, not above them.
        Assert.Equal(0, CountTestId(afterwards, "device-fixes"));
        Assert.Equal(1, CountTestId(afterwards, "solved-fixes"));
        Assert.True(afterwards.IndexOf("data-testid=\"fix-card\"", StringComparison.Ordinal) > afterwards.IndexOf("id=\"status-heading\"", StringComparison.Ordinal),
            "The solved card is above the device's status.");
        Assert.True(afterwards.IndexOf("id=\"status-heading\"", StringComparison.Ordinal) > afterwards.IndexOf("id=\"supplies-heading\"", StringComparison.Ordinal));

        // The tray runs low and is refilled again: a second advice, solved too. Only the latest one is shown.
        await SendAsync(device, device.NewEnvelope(status: new DeviceStatus { Model = "Acme LaserPro 500", State = DeviceState.Idle, Conditions = [low] }));
        await SendAsync(device, device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = low.Code, Condition = low.Condition, Severity = low.Severity, Message = low.Message }));
        List<FixView> both = [];
        await Eventually.TrueAsync(async () => (both = [.. (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Where(f => f.DeviceId == "cf-advice")]).Count == 2,
            "a second paper-low advice");
        await SendAsync(device, device.NewEnvelope(status: new DeviceStatus { Model = "Acme LaserPro 500", State = DeviceState.Idle }));
        var solvedTwice = await GetPageAsync(owner, "/app/devices/cf-advice");

        Assert.Equal([both.MaxBy(f => f.CreatedAt)!.Id], Attribute(solvedTwice, "fix-card", "data-fix-id"));
        Assert.Equal(["true"], Attribute(solvedTwice, "fix-card", "data-cleared"));
    }

    private static async Task SendAsync(DeviceClient device, Envelope envelope)
    {
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
    }

    [Theory, BothEngines]
    public async Task Another_customer_gets_neither_the_fix_cards_of_a_device_page_nor_the_fixes_consents_or_reports_from_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "cf-1", "CFCF1111");
        await using var _ = device;
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        var ownersPage = await GetPageAsync(owner, "/app/devices/cf-1");
        var strangersPage = await GetPageAsync(stranger, "/app/devices/cf-1");

        // The owner's page shows the card, so its absence below is the refusal and not an empty device.
        Assert.Equal([proposal.Id], Attribute(ownersPage, "fix-card", "data-fix-id"));
        Assert.Equal(1, CountTestId(strangersPage, "device-not-found"));
        Assert.Equal(0, CountTestId(strangersPage, "fix-card"));
        Assert.Equal(0, CountTestId(strangersPage, "automatic-fixes"));
        Assert.DoesNotContain(proposal.Id, strangersPage, StringComparison.Ordinal);
        Assert.DoesNotContain(proposal.ArticleTitle!, strangersPage, StringComparison.Ordinal);
        foreach (var url in new[] { $"/api/me/fixes/{proposal.Id}", "/api/me/devices/cf-1/consents", "/api/me/devices/cf-1/reports" })
        {
            using var refused = await stranger.GetAsync(new Uri(url, UriKind.Relative), Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"GET {url} -> {(int)refused.StatusCode}");
        }
        using var grant = await stranger.PostAsJsonAsync("/api/me/devices/cf-1/consents", new { action = "maintenance", days = 30 }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, grant.StatusCode);
        Assert.Empty(await owner.GetJsonAsync<List<ConsentPolicy>>("/api/me/devices/cf-1/consents"));
    }

    [Theory, BothEngines]
    public async Task Who_decided_a_fix_and_why_it_was_chosen_reach_staff_but_neither_the_customers_page_nor_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "cf-2", "CFCF2222");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        using var approved = await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var staffView = await agent.GetJsonAsync<FixView>($"/api/fixes/{proposal.Id}");
        var customerView = await owner.GetJsonAsync<FixView>($"/api/me/fixes/{proposal.Id}");
        var page = await GetPageAsync(owner, "/app/devices/cf-2");

        // Staff read both fields: they exist to be hidden.
        Assert.NotNull(staffView.DecidedBy);
        Assert.NotEmpty(staffView.Reasons!);
        Assert.Null(customerView.DecidedBy);
        Assert.Null(customerView.Reasons);
        Assert.Equal([proposal.Id], Attribute(page, "fix-card", "data-fix-id"));
        Assert.DoesNotContain(WebUtility.HtmlEncode(staffView.DecidedBy), page, StringComparison.Ordinal);
        Assert.DoesNotContain(staffView.DecidedBy, page, StringComparison.Ordinal);
        foreach (var reason in staffView.Reasons!)
            Assert.DoesNotContain(WebUtility.HtmlEncode(reason), page, StringComparison.Ordinal);
    }
}
