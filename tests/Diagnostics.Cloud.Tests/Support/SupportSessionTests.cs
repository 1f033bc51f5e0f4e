using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// Support sessions through the real host: a customer opens one from a paired device, an agent answers, and a client
/// that comes back reads exactly what it missed, in order, once; nobody reads or writes another customer's session.
/// </summary>
public sealed class SupportSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpClient Owner, SupportSession Session)> JammedDeviceSessionAsync(CloudHost host, string deviceId, string code)
    {
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, deviceId, code);
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, code);
        var status = device.NewEnvelope(status: new DeviceStatus
        {
            Model = "Acme LaserPro 500", FirmwareVersion = "2.1.0", State = DeviceState.Stopped,
            Conditions = [new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1" }],
        });
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);
        using var opened = await owner.PostAsJsonAsync("/api/me/sessions", new { deviceId, text = "My printer stopped and blinks orange" }, Ct);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        return (owner, (await opened.Content.ReadFromJsonAsync<SupportSession>(Json.Options, Ct))!);
    }

    private static async Task TakeAsync(HttpClient agent, string sessionId)
    {
        using var taken = await agent.PostAsync(new Uri($"/api/sessions/{sessionId}/take", UriKind.Relative), null, Ct);
        Assert.True(taken.StatusCode == HttpStatusCode.OK, await taken.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<SupportMessage> PostAsync(HttpClient client, string url, object message)
    {
        using var response = await client.PostAsJsonAsync(url, message, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<SupportMessage>(Json.Options, Ct))!;
    }

    [Theory, BothEngines]
    public async Task A_session_opened_from_a_device_carries_its_status_card_before_the_customers_words(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (owner, session) = await JammedDeviceSessionAsync(host, "sup-1", "FFFF1212");

        var messages = await owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages");

        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Sequence));
        Assert.Equal([MessageKind.System, MessageKind.DeviceStatus, MessageKind.Text], messages.Take(3).Select(m => m.Kind));
        var card = SupportCardText.Read<DeviceStatusCard>(messages[1].Body)!;
        Assert.Equal(("sup-1", "Acme LaserPro 500", "ipp:media-jam"), (card.DeviceId, card.Model, Assert.Single(card.Conditions).Code));
        Assert.Equal((AuthorKind.Customer, "My printer stopped and blinks orange"), (messages[2].AuthorKind, messages[2].Body));
        // The bot answers next, from the device's jam: the article's steps and its fix as a card.
        Assert.Equal("paper-jam", SupportCardText.Read<ArticleCard>(Assert.Single(messages, m => m.Kind == MessageKind.Article).Body)!.ArticleId);
        Assert.Single(messages, m => m.Kind == MessageKind.Fix && m.AuthorKind == AuthorKind.Bot);
        Assert.Equal([session.Id], (await owner.GetJsonAsync<List<SupportSession>>("/api/me/sessions")).Select(s => s.Id));
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        Assert.Contains(await agent.GetJsonAsync<List<SupportSession>>("/api/sessions"), s => s.Id == session.Id && s.DeviceId == "sup-1");
    }

    [Theory, BothEngines]
    public async Task A_client_that_comes_back_reads_exactly_what_it_missed_in_order_once_and_a_resent_message_lands_once(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (owner, session) = await JammedDeviceSessionAsync(host, "sup-2", "FFFF2323");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await TakeAsync(agent, session.Id);
        var seen = (await owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages")).Max(m => m.Sequence);

        // The customer's app is closed: the agent answers three times and leaves a note only agents see.
        foreach (var text in new[] { "Hello, I am Alex.", "Open the front door, please.", "Is the green lever down?" })
            await PostAsync(agent, $"/api/sessions/{session.Id}/messages", new { text });
        await PostAsync(agent, $"/api/sessions/{session.Id}/messages", new { text = "Customer sounds in a hurry.", @internal = true });
        // The app comes back on a bad network and sends its answer twice with the same client id.
        var first = await PostAsync(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "Yes, it is down.", clientId = "phone-0001" });
        var resent = await PostAsync(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "Yes, it is down.", clientId = "phone-0001" });

        var missed = await owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages?after={seen}");
        var again = await owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages?after={missed[^1].Sequence}");
        var agentView = await agent.GetJsonAsync<List<SupportMessage>>($"/api/sessions/{session.Id}/messages?after={seen}");

        Assert.Equal(first.Sequence, resent.Sequence);
        Assert.Equal(["Hello, I am Alex.", "Open the front door, please.", "Is the green lever down?", "Yes, it is down."], missed.Select(m => m.Body));
        Assert.Equal(missed.Select(m => m.Sequence).Order(), missed.Select(m => m.Sequence));
        Assert.Empty(again);
        Assert.Equal(5, agentView.Count);
        Assert.Single(agentView, m => m.Internal);
    }

    [Theory, BothEngines]
    public async Task A_waiting_read_returns_as_soon_as_the_next_message_is_stored(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (owner, session) = await JammedDeviceSessionAsync(host, "sup-3", "FFFF3434");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await TakeAsync(agent, session.Id);
        var seen = (await owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages")).Max(m => m.Sequence);

        var waiting = owner.GetJsonAsync<List<SupportMessage>>($"/api/me/sessions/{session.Id}/messages?after={seen}&waitSeconds=60");
        // An internal note wakes the customer's read but is not for them: the read goes on waiting.
        await PostAsync(agent, $"/api/sessions/{session.Id}/messages", new { text = "Checking the jam article.", @internal = true });
        await PostAsync(agent, $"/api/sessions/{session.Id}/messages", new { text = "I see the jam. Let us clear it together." });

        var delivered = await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(["I see the jam. Let us clear it together."], delivered.Select(m => m.Body));
    }

    [Theory, BothEngines]
    public async Task Opening_sent_again_with_the_same_client_id_opens_one_session(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var other = await host.SignedInClientAsync(AccountRole.Customer);

        var first = await SupportDesk.OpenAsync(customer, null, "The display shows 13.20", clientId: "phone-open-1");
        var again = await SupportDesk.OpenAsync(customer, null, "The display shows 13.20", clientId: "phone-open-1");
        var someoneElse = await SupportDesk.OpenAsync(other, null, "The display shows 13.20", clientId: "phone-open-1");

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, someoneElse.Id);
        Assert.Single(await customer.GetJsonAsync<List<SupportSession>>("/api/me/sessions"));
        Assert.Single(await SupportDesk.MessagesAsync(customer, first.Id), m => m.Kind == MessageKind.Article);
    }

    [Theory, BothEngines]
    public async Task Nobody_reads_or_writes_another_customers_session_or_opens_one_for_their_device(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (_, session) = await JammedDeviceSessionAsync(host, "sup-4", "FFFF4545");
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        using var read = await stranger.GetAsync(new Uri($"/api/me/sessions/{session.Id}/messages", UriKind.Relative), Ct);
        using var write = await stranger.PostAsJsonAsync($"/api/me/sessions/{session.Id}/messages", new { text = "hi" }, Ct);
        using var open = await stranger.PostAsJsonAsync("/api/me/sessions", new { deviceId = "sup-4", text = "mine now" }, Ct);
        using var staffRoute = await stranger.GetAsync(new Uri($"/api/sessions/{session.Id}/messages", UriKind.Relative), Ct);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Forbidden],
            new[] { read.StatusCode, write.StatusCode, open.StatusCode, staffRoute.StatusCode });
        Assert.Empty(await stranger.GetJsonAsync<List<SupportSession>>("/api/me/sessions"));
    }
}
