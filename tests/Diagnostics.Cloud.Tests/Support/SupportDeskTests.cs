using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The support desk through the real host, a real broker and devices: the bot solving a known error alone, hand-over
/// with the whole context, the queue and an agent's limit, consent in the chat for anything the device runs,
/// transfer, canned replies, closing with a solution and a rating, and the supervisor's figures.
/// </summary>
public sealed class SupportDeskTests
{
    private static readonly Dictionary<string, string?> FastChecks = new()
    {
        ["Support:FixCheckInterval"] = "00:00:00.500",
        ["Fixes:CheckInterval"] = "00:00:00.500",
    };

    [Theory, BothEngines]
    public async Task The_bot_solves_a_known_error_with_the_fix_approved_in_the_chat_and_no_person(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: FastChecks, engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "desk-1", "FFFF5101", Jam);
        await using var _ = device;

        var session = await OpenAsync(owner, "desk-1", null);
        var opening = await MessagesAsync(owner, session.Id);
        var article = Card<ArticleCard>(Assert.Single(opening, m => m.Kind == MessageKind.Article));
        var fix = Card<FixCard>(Assert.Single(opening, m => m.Kind == MessageKind.Fix));
        Assert.Equal(("paper-jam", SessionState.Bot), (article.ArticleId, session.State));
        Assert.NotEmpty(article.Steps);

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved fix reaches the device");
        var command = Assert.Single(device.Commands);
        Assert.Equal((DeviceCommands.ClearPaperPath, ConsentAction.Maintenance), (command.Name, command.Consent!.Action));
        await SendResultAsync(device, command, CommandOutcome.Succeeded, "paper path cleared");
        await ReportAsync(device);

        var closed = await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Closed, "the bot closes the session once the jam clears");
        Assert.Equal((SessionResolution.Bot, (string?)null, "Paper handling"), (closed.Resolution, closed.AgentId, closed.Category));
        var messages = await MessagesAsync(owner, session.Id);
        var solution = Card<SolutionCard>(Assert.Single(messages, m => m.Kind == MessageKind.Solution));
        Assert.Equal(article.Steps, solution.Steps);
        Assert.Contains(messages, m => m.AuthorKind == AuthorKind.Bot && m.Body.StartsWith("It worked", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.AuthorKind == AuthorKind.Agent);

        await OkAsync<SupportSession>(owner, $"/api/me/sessions/{session.Id}/rating", new { rating = 5, comment = "Fixed in a minute." });
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var figures = await supervisor.GetJsonAsync<SupportFigures>("/api/support/figures");
        Assert.Equal((1, 1, 1.0, 5.0), (figures.Closed, figures.ResolvedByBot, figures.BotResolutionRate, figures.SatisfactionMean));
    }

    [Theory, BothEngines]
    public async Task Asking_for_a_person_hands_over_with_the_whole_context_and_the_customer_does_not_see_the_note(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: FastChecks, engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "desk-2", "FFFF5202", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "desk-2", "The printer says paper jam");
        await OkAsync<SupportMessage>(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "I already tried that. Can I talk to a person?" });

        var queued = await SessionAsync(owner, session.Id);
        Assert.Equal((SessionState.Queued, (int)Severity.Error), (queued.State, queued.Priority));
        Assert.Equal("The customer asked for a person.", queued.HandoverReason);

        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await AvailableAsync(agent);
        var assigned = await SessionAsync(agent, session.Id, staff: true);
        Assert.Equal((SessionState.Assigned, await AccountIdAsync(agent)), (assigned.State, assigned.AgentId));

        var agentView = await MessagesAsync(agent, session.Id, staff: true);
        Assert.Contains(agentView, m => m.Kind == MessageKind.DeviceStatus && Card<DeviceStatusCard>(m).Conditions.Any(c => c.Code == "ipp:media-jam"));
        Assert.Contains(agentView, m => m.AuthorKind == AuthorKind.Customer && m.Body == "The printer says paper jam");
        Assert.Contains(agentView, m => m.Kind == MessageKind.Article);
        Assert.Contains(agentView, m => m.Kind == MessageKind.Fix);
        var note = Assert.Single(agentView, m => m.Internal);
        Assert.Contains("Handed over: The customer asked for a person.", note.Body, StringComparison.Ordinal);
        Assert.Contains("Active: ipp:media-jam", note.Body, StringComparison.Ordinal);
        Assert.Contains("The assistant showed: Paper jam", note.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(await MessagesAsync(owner, session.Id), m => m.Internal || m.Body.Contains("Handed over", StringComparison.Ordinal));
    }

    [Theory, BothEngines]
    public async Task A_fix_that_fails_hands_the_session_to_a_person(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: FastChecks, engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "desk-3", "FFFF5303", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "desk-3", null);
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved fix reaches the device");
        await SendResultAsync(device, Assert.Single(device.Commands), CommandOutcome.Failed, "rollers blocked");

        var queued = await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Queued, "the failed fix hands over");
        Assert.StartsWith("The automated fix \"Paper jam\" failed", queued.HandoverReason, StringComparison.Ordinal);
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.AuthorKind == AuthorKind.Bot && m.Body.Contains("did not fix it", StringComparison.Ordinal));
    }

    [Theory, BothEngines]
    public async Task Words_the_bot_cannot_place_get_one_question_then_a_person_and_a_typed_code_is_answered_without_a_device(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);

        var vague = await OpenAsync(customer, null, "Hello");
        Assert.Equal(SessionState.Bot, vague.State);
        Assert.Contains("a code or message on its panel", (await MessagesAsync(customer, vague.Id))[^1].Body, StringComparison.Ordinal);
        await OkAsync<SupportMessage>(customer, $"/api/me/sessions/{vague.Id}/messages", new { text = "It makes a strange noise sometimes" });
        var handed = await SessionAsync(customer, vague.Id);
        Assert.Equal((SessionState.Queued, "The assistant was not sure which article fits the customer's words."), (handed.State, handed.HandoverReason));

        var coded = await OpenAsync(customer, null, "The display shows 13.20 and nothing prints");
        var shown = Card<ArticleCard>((await MessagesAsync(customer, coded.Id)).Single(m => m.Kind == MessageKind.Article));
        Assert.Equal(("acme-13-20-duplex-jam", SessionState.Bot), (shown.ArticleId, coded.State));
        var solved = await OkAsync<SupportSession>(customer, $"/api/me/sessions/{coded.Id}/solved");
        Assert.Equal((SessionState.Closed, SessionResolution.Bot), (solved.State, solved.Resolution));
    }

    [Theory, BothEngines]
    public async Task When_the_devices_problem_was_not_it_the_bot_hands_over_instead_of_offering_more_of_the_same(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var tonerLow = new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning, Message = "Black toner low" };
        var (device, owner) = await PairedDeviceAsync(host, "desk-w1", "FFFF5707", tonerLow);
        await using var _ = device;

        var session = await OpenAsync(owner, "desk-w1", "It does not work");
        var first = Card<ArticleCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Article));
        Assert.Contains(Conditions.TonerLow, host.Services.GetRequiredService<Diagnostics.Cloud.Knowledge.KnowledgeBase>().Index.Find(first.ArticleId)!.Value.Article.Applies.Conditions);
        await OkAsync<SupportMessage>(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "That is not it, the wifi keeps dropping every few minutes" });

        var handed = await SessionAsync(owner, session.Id);
        Assert.Equal((SessionState.Queued, $"The steps of \"{first.Title}\" did not solve it."), (handed.State, handed.HandoverReason));
        Assert.Single(await MessagesAsync(owner, session.Id), m => m.Kind == MessageKind.Article);
    }

    [Theory, BothEngines]
    public async Task One_agent_holds_five_sessions_the_sixth_waits_and_is_taken_when_one_closes(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var agentId = await AccountIdAsync(agent);
        var sessions = new List<(HttpClient Customer, SupportSession Session)>();
        for (var i = 0; i < 6; i++)
        {
            var customer = await host.SignedInClientAsync(AccountRole.Customer);
            sessions.Add((customer, await OpenAsync(customer, null, $"Customer {i}: please let me talk to a person")));
        }
        Assert.All(sessions, s => Assert.Equal(SessionState.Queued, s.Session.State));

        var me = await AvailableAsync(agent);
        Assert.Equal((5, 5), (me.MaxSessions, me.OpenSessions));
        var states = new List<SupportSession>();
        foreach (var (_, session) in sessions)
            states.Add(await SessionAsync(agent, session.Id, staff: true));
        // The longest waiting (equal severity) are served first.
        Assert.Equal([.. Enumerable.Repeat(SessionState.Assigned, 5), SessionState.Queued], states.Select(s => s.State));
        Assert.All(states.Take(5), s => Assert.Equal(agentId, s.AgentId));
        var sixth = sessions[5].Session.Id;
        var (status, body) = await SendAsync(agent, $"/api/sessions/{sixth}/take");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already holds 5 sessions, the limit of 5", body, StringComparison.Ordinal);

        // All five at once: the agent answers each, and each customer reads only their own conversation.
        for (var i = 0; i < 5; i++)
            await OkAsync<SupportMessage>(agent, $"/api/sessions/{sessions[i].Session.Id}/messages", new { text = $"Hello customer {i}" });
        for (var i = 0; i < 5; i++)
        {
            var texts = (await MessagesAsync(sessions[i].Customer, sessions[i].Session.Id)).Where(m => m.AuthorKind == AuthorKind.Agent).Select(m => m.Body);
            Assert.Equal([$"Hello customer {i}"], texts);
        }

        await OkAsync<SupportSession>(agent, $"/api/sessions/{sessions[0].Session.Id}/close",
            new { summary = "Explained the panel", category = "Setup and use", solution = "Press OK twice to wake the panel." });
        var taken = await SessionAsync(agent, sixth, staff: true);
        Assert.Equal((SessionState.Assigned, agentId), (taken.State, taken.AgentId));
    }

    [Theory, BothEngines]
    public async Task The_queue_serves_the_more_severe_problem_first_and_waiting_still_counts(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Support:SeverityHeadStart"] = "00:10:00" }, engine: engine);
        var plain = await host.SignedInClientAsync(AccountRole.Customer);
        var first = await OpenAsync(plain, null, "talk to a person please");
        var (device, owner) = await PairedDeviceAsync(host, "desk-q", "FFFF5404", Jam);
        await using var _ = device;
        var urgent = await OpenAsync(owner, "desk-q", "I need to speak to someone");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var queue = await agent.GetJsonAsync<List<SupportSession>>("/api/sessions/queue");

        Assert.Equal([urgent.Id, first.Id], queue.Select(s => s.Id));
        Assert.Equal([(int)Severity.Error, 0], queue.Select(s => s.Priority));
    }

    [Theory, BothEngines]
    public async Task A_command_from_a_session_runs_only_after_the_customer_approves_it_in_the_chat(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: FastChecks, engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "desk-4", "FFFF5505", Jam);
        await using var _ = device;
        // A standing consent covers maintenance fixes the fix loop proposes; it must not cover what support asks for in a chat.
        using (var policy = await owner.PostAsJsonAsync("/api/me/devices/desk-4/consents", new { action = "maintenance", days = 30 }, TestContext.Current.CancellationToken))
            Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var session = await OpenAsync(owner, "desk-4", "talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");

        var card = Card<FixCard>(await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/fixes", new { articleId = "paper-jam" }));
        var proposal = await agent.GetJsonAsync<FixView>($"/api/fixes/{card.ProposalId}");
        Assert.Equal(FixState.Proposed, proposal.State);
        var (staffApproves, _) = await SendAsync(agent, $"/api/me/sessions/{session.Id}/fixes/{card.ProposalId}/approve");
        Assert.Equal(HttpStatusCode.Forbidden, staffApproves);
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);
        var (strangerApproves, _) = await SendAsync(stranger, $"/api/me/sessions/{session.Id}/fixes/{card.ProposalId}/approve");
        Assert.Equal(HttpStatusCode.NotFound, strangerApproves);
        var audit = await agent.GetJsonAsync<List<AuditRecord>>("/api/devices/desk-4/audit");
        Assert.DoesNotContain(audit, a => a.Subject == card.ProposalId && a.Action == "command.sent");
        Assert.True(device.Commands.IsEmpty);

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{card.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved command reaches the device");
        var command = Assert.Single(device.Commands);
        Assert.Equal((DeviceCommands.ClearPaperPath, $"approval-{card.ProposalId}"), (command.Name, command.Consent!.ConsentId));
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.Kind == MessageKind.System && m.Body.Contains("approved \"Paper jam\"", StringComparison.Ordinal));
        var (again, _) = await SendAsync(owner, $"/api/me/sessions/{session.Id}/fixes/{card.ProposalId}/approve");
        Assert.Equal(HttpStatusCode.Conflict, again);
    }

    [Theory, BothEngines]
    public async Task Transfer_canned_replies_closing_with_a_solution_a_rating_once_and_the_figures(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var alex = await host.SignedInClientAsync(AccountRole.Agent);
        var sam = await host.SignedInClientAsync(AccountRole.Agent);
        var samId = await AccountIdAsync(sam);
        var session = await OpenAsync(customer, null, "I want to talk to a person about my invoice printer");
        await AvailableAsync(alex);

        var reply = await OkAsync<CannedReply>(alex, "/api/support/canned-replies", new { title = "Greeting", body = "Hello {customer}, this is {agent}. I'm looking at it now." });
        Assert.Contains(await alex.GetJsonAsync<List<CannedReply>>("/api/support/canned-replies"), r => r.Id == reply.Id);
        var (notSams, _) = await SendAsync(sam, $"/api/sessions/{session.Id}/messages", new { text = "Hi" });
        Assert.Equal(HttpStatusCode.Conflict, notSams);
        await OkAsync<SupportMessage>(alex, $"/api/sessions/{session.Id}/messages", new { text = "Hello Test, this is Alex." });
        var transferred = await OkAsync<SupportSession>(alex, $"/api/sessions/{session.Id}/transfer", new { toAgentId = samId, note = "Sam knows the invoice model." });
        Assert.Equal(samId, transferred.AgentId);
        var (alexCloses, _) = await SendAsync(alex, $"/api/sessions/{session.Id}/close", new { summary = "x", category = "Other", solution = "y" });
        Assert.Equal(HttpStatusCode.Conflict, alexCloses);
        var (badCategory, problem) = await SendAsync(sam, $"/api/sessions/{session.Id}/close", new { summary = "x", category = "Invoices", solution = "y" });
        Assert.Equal(HttpStatusCode.BadRequest, badCategory);
        Assert.Contains("Paper handling", problem, StringComparison.Ordinal);

        var closed = await OkAsync<SupportSession>(sam, $"/api/sessions/{session.Id}/close",
            new { summary = "Tray 2 set to the wrong size", category = "Paper handling", solution = "Set tray 2 to A4 in the printer's paper menu." });
        Assert.Equal((SessionState.Closed, SessionResolution.Agent), (closed.State, closed.Resolution));
        var customerView = await MessagesAsync(customer, session.Id);
        Assert.Equal("Set tray 2 to A4 in the printer's paper menu.", Card<SolutionCard>(Assert.Single(customerView, m => m.Kind == MessageKind.Solution)).Solution);
        Assert.DoesNotContain(customerView, m => m.Body.Contains("Sam knows", StringComparison.Ordinal));
        Assert.Contains(customerView, m => m.Body.Contains("handed the conversation to", StringComparison.Ordinal));
        var (afterClose, _) = await SendAsync(customer, $"/api/me/sessions/{session.Id}/messages", new { text = "one more thing" });
        Assert.Equal(HttpStatusCode.Conflict, afterClose);

        var (outOfRange, _) = await SendAsync(customer, $"/api/me/sessions/{session.Id}/rating", new { rating = 6 });
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange);
        await OkAsync<SupportSession>(customer, $"/api/me/sessions/{session.Id}/rating", new { rating = 4, comment = "Quick, thanks" });
        var (twice, _) = await SendAsync(customer, $"/api/me/sessions/{session.Id}/rating", new { rating = 1 });
        Assert.Equal(HttpStatusCode.Conflict, twice);

        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var figures = await supervisor.GetJsonAsync<SupportFigures>("/api/support/figures");
        Assert.Equal((1, 0, 0.0, 1), (figures.Closed, figures.ResolvedByBot, figures.BotResolutionRate, figures.ReachedAPerson));
        Assert.NotNull(figures.FirstResponseMedian);
        Assert.NotNull(figures.HandleTimeMedian);
        Assert.Equal(4.0, figures.SatisfactionMean);
        Assert.Equal([0, 0, 0, 1, 0], figures.RatingCounts);
        Assert.Equal((samId, 1), (Assert.Single(figures.Agents).AgentId, figures.Agents[0].Handled));
        using (var agentsCannot = await alex.GetAsync(new Uri("/api/support/figures", UriKind.Relative), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Forbidden, agentsCannot.StatusCode);
        using (var agentsCannotSearch = await alex.GetAsync(new Uri("/api/sessions/history?q=invoice", UriKind.Relative), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Forbidden, agentsCannotSearch.StatusCode);

        Assert.Equal([session.Id], (await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?q=tray%202")).Select(s => s.Id));
        Assert.Equal([session.Id], (await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?q=invoice")).Select(s => s.Id));
        Assert.Empty(await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?q=toner"));
        Assert.Empty(await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?q=%25"));
    }

    [Theory, BothEngines]
    public async Task A_conversation_left_with_the_assistant_ends_unresolved_and_one_waiting_for_a_person_does_not(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var left = await OpenAsync(customer, null, "The display shows 13.20");
        var waiting = await OpenAsync(customer, null, "talk to a person");
        var support = host.Services.GetRequiredService<SupportService>();

        Assert.Equal(0, await support.CloseIdleBotSessionsAsync(DateTimeOffset.UtcNow.AddHours(-1), TestContext.Current.CancellationToken));
        Assert.Equal(1, await support.CloseIdleBotSessionsAsync(DateTimeOffset.UtcNow.AddMinutes(1), TestContext.Current.CancellationToken));

        var ended = await SessionAsync(customer, left.Id);
        Assert.Equal((SessionState.Closed, SessionResolution.Unresolved), (ended.State, ended.Resolution));
        Assert.Equal(SessionState.Queued, (await SessionAsync(customer, waiting.Id)).State);
    }

    [Theory, BothEngines]
    public async Task What_support_writes_counts_as_unread_until_the_customers_app_fetches_it(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var session = await OpenAsync(customer, null, "please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        async Task<long> UnreadAsync() => (await customer.GetJsonAsync<UnreadSessions>("/api/me/sessions/unread")).Unread;

        // The mark is stored once the messages are sent, so the count drops just after the fetch, not with it.
        async Task NoneUnreadAsync(string after) => await Eventually.TrueAsync(async () => await UnreadAsync() == 0, $"no unread session after {after}");

        Assert.Equal(1, await UnreadAsync());
        var seen = (await MessagesAsync(customer, session.Id))[^1].Sequence;
        await NoneUnreadAsync("the first fetch");
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/messages", new { text = "Internal only", @internal = true });
        await OkAsync<SupportMessage>(agent, $"/api/sessions/{session.Id}/messages", new { text = "Hello!" });
        Assert.Equal(1, await UnreadAsync());
        await MessagesAsync(customer, session.Id, after: seen);
        await NoneUnreadAsync("fetching the agent's message");
        await OkAsync<SupportMessage>(customer, $"/api/me/sessions/{session.Id}/messages", new { text = "Thanks" });
        Assert.Equal(0, await UnreadAsync());
    }

    [Theory, BothEngines]
    public async Task An_agent_opens_a_session_with_a_devices_owner_from_the_device(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "desk-5", "FFFF5606", Jam);
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var opened = await OkAsync<SupportSession>(agent, "/api/sessions", new { deviceId = "desk-5", text = "Hello, we noticed a jam on your printer. Can I help?" });

        Assert.Equal((SessionState.Assigned, await AccountIdAsync(agent)), (opened.State, opened.AgentId));
        var mine = Assert.Single(await owner.GetJsonAsync<List<SupportSession>>("/api/me/sessions"));
        Assert.Equal(opened.Id, mine.Id);
        Assert.Contains(await MessagesAsync(owner, opened.Id), m => m.AuthorKind == AuthorKind.Agent && m.Body.StartsWith("Hello, we noticed", StringComparison.Ordinal));
        var (unowned, _) = await SendAsync(agent, "/api/sessions", new { deviceId = "nobody-owns-this", text = "Hi" });
        Assert.Equal(HttpStatusCode.NotFound, unowned);
    }
}

/// <summary>Pictures in a chat: checked by their bytes and size, served back unchanged, only to those in the conversation.</summary>
public sealed class SupportImageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The smallest valid PNG: one transparent pixel.</summary>
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private static async Task<(HttpStatusCode Status, string Body)> UploadAsync(HttpClient client, string url, byte[] content, string type)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        using var response = await client.PostAsync(new Uri(url, UriKind.Relative), body, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory, BothEngines]
    public async Task A_picture_is_stored_checked_and_served_only_inside_its_conversation(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Support:MaxImageBytes"] = "4096" }, engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var session = await OpenAsync(customer, null, "talk to a person");
        var url = $"/api/me/sessions/{session.Id}/images?caption=the%20panel";

        var (created, body) = await UploadAsync(customer, url, Png, "image/png");
        Assert.Equal(HttpStatusCode.Created, created);
        var message = System.Text.Json.JsonSerializer.Deserialize<SupportMessage>(body, Json.Options)!;
        var card = Card<ImageCard>(message);
        Assert.Equal((MessageKind.Image, "image/png", (long)Png.Length, "the panel"), (message.Kind, card.ContentType, card.Bytes, card.Caption));
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        using (var served = await agent.GetAsync(new Uri($"/api/sessions/{session.Id}/images/{card.ImageId}", UriKind.Relative), Ct))
        {
            Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Png, await served.Content.ReadAsByteArrayAsync(Ct));
        }

        var refusals = new[]
        {
            await UploadAsync(customer, url, "GIF89a-not-taken"u8.ToArray(), "image/gif"),
            await UploadAsync(customer, url, "<svg onload=alert(1)>"u8.ToArray(), "image/png"),
            await UploadAsync(customer, url, Png, "image/jpeg"),
            await UploadAsync(customer, url, [.. Png, .. new byte[5000]], "image/png"),
            await UploadAsync(customer, url, [], "image/png"),
        };
        Assert.All(refusals, r => Assert.Equal(HttpStatusCode.BadRequest, r.Status));
        Assert.Contains("Only pictures are taken", refusals[0].Body, StringComparison.Ordinal);
        Assert.Contains("its content is image/png", refusals[2].Body, StringComparison.Ordinal);
        Assert.Contains("at most 4 KiB", refusals[3].Body, StringComparison.Ordinal);
        Assert.Single(await MessagesAsync(customer, session.Id), m => m.Kind == MessageKind.Image);

        var stranger = await host.SignedInClientAsync(AccountRole.Customer);
        using var strangerReads = await stranger.GetAsync(new Uri($"/api/me/sessions/{session.Id}/images/{card.ImageId}", UriKind.Relative), Ct);
        var (strangerSends, _) = await UploadAsync(stranger, url, Png, "image/png");
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (strangerReads.StatusCode, strangerSends));
    }
}

/// <summary>A conversation outlives the server: a client that comes back after a restart reads exactly what it missed.</summary>
public sealed class SupportRestartTests
{
    [Theory, BothEngines]
    public async Task After_a_server_restart_the_customer_reads_what_was_sent_while_away_in_order_once(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        string sessionId;
        long seen;
        string agentEmail = $"agent-{Guid.NewGuid():N}@tests.test";
        await using (var host = new CloudHost(database: database))
        {
            var customer = await host.SignedInClientAsync(AccountRole.Customer, "restart-customer@tests.test");
            var session = await OpenAsync(customer, null, "talk to a person");
            sessionId = session.Id;
            var agent = await host.SignedInClientAsync(AccountRole.Agent, agentEmail);
            await OkAsync<SupportSession>(agent, $"/api/sessions/{sessionId}/take");
            seen = (await MessagesAsync(customer, sessionId)).Max(m => m.Sequence);
            await OkAsync<SupportMessage>(agent, $"/api/sessions/{sessionId}/messages", new { text = "Before the restart." });
        }
        await using (var host = new CloudHost(database: database))
        {
            var agent = await SignInAsync(host, agentEmail);
            await OkAsync<SupportMessage>(agent, $"/api/sessions/{sessionId}/messages", new { text = "After the restart." });
            var customer = await SignInAsync(host, "restart-customer@tests.test");

            var missed = await MessagesAsync(customer, sessionId, after: seen);

            Assert.Equal(["Before the restart.", "After the restart."], missed.Select(m => m.Body));
            Assert.Equal([seen + 1, seen + 2], missed.Select(m => m.Sequence));
            Assert.Empty(await MessagesAsync(customer, sessionId, after: missed[^1].Sequence));
        }
    }

    // SQLite only: it upgrades a SQLite file of an old schema in place; a PostgreSQL database never had that schema.
    [Fact]
    public async Task A_database_from_the_first_version_of_sessions_gains_the_new_columns_and_keeps_its_conversations()
    {
        var database = CloudHost.TempDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE support_sessions (id TEXT NOT NULL PRIMARY KEY, customer_id TEXT NOT NULL, device_id TEXT NULL, state TEXT NOT NULL,
                    agent_id TEXT NULL, opened_by TEXT NOT NULL, opened_at_ms INTEGER NOT NULL, closed_at_ms INTEGER NULL, last_seq INTEGER NOT NULL);
                INSERT INTO support_sessions VALUES ('ss-old', 'acc-1', NULL, 'queued', NULL, 'Old Customer', 1764000000000, NULL, 0);
                """;
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        await using var host = new CloudHost(database);
        var store = host.Services.GetRequiredService<SupportSessionStore>();

        var old = await store.GetAsync("ss-old", TestContext.Current.CancellationToken);

        Assert.Equal((SessionState.Queued, "", 0, (int?)null), (old!.State, old.CustomerName, old.Priority, old.Rating));
        Assert.Contains(await store.OpenSessionsAsync(TestContext.Current.CancellationToken), s => s.Id == "ss-old");
    }

    private static async Task<HttpClient> SignInAsync(CloudHost host, string email)
    {
        var client = host.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = CloudHost.TestPassword }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }
}

/// <summary>The supervisor's arithmetic on its own.</summary>
public sealed class SupportFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static SupportSession Closed(string id, string? agent, int queuedAfterMinutes, int? respondAfterMinutes, int closedAfterMinutes, SessionResolution resolution, int? rating) =>
        new(id, "c", "C", null, SessionState.Closed, agent, agent, "C", T0, 0, null,
            agent is null ? null : T0.AddMinutes(queuedAfterMinutes), agent is null ? null : T0.AddMinutes(queuedAfterMinutes),
            respondAfterMinutes is null ? null : T0.AddMinutes(respondAfterMinutes.Value), T0.AddMinutes(closedAfterMinutes), resolution,
            "Other", "s", null, rating, null, 5);

    [Fact]
    public void Figures_count_the_bots_share_times_from_queueing_and_assignment_and_ratings()
    {
        SupportSession[] closed =
        [
            Closed("a", null, 0, null, 3, SessionResolution.Bot, 5),
            Closed("b", null, 0, null, 4, SessionResolution.Bot, null),
            Closed("c", "alex", 2, 4, 12, SessionResolution.Agent, 4),
            Closed("d", "alex", 1, 2, 31, SessionResolution.Agent, 2),
            Closed("e", "sam", 5, 11, 25, SessionResolution.Unresolved, null),
        ];

        SessionReview[] reviews = [Review("a", null, 3), Review("c", "alex", 5), Review("d", "alex", 2), Review("e", "sam", 4)];

        var figures = SupportSupervision.Compute(T0, T0.AddDays(1), closed, reviews, [], new Dictionary<string, string> { ["alex"] = "Alex" });

        Assert.Equal((5, 2, 0.4, 3), (figures.Closed, figures.ResolvedByBot, figures.BotResolutionRate, figures.ReachedAPerson));
        // First responses 2, 1 and 6 minutes; handle times 10, 30 and 20 minutes.
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(6)), (figures.FirstResponseMedian!.Value, figures.FirstResponseP90!.Value));
        Assert.Equal((TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20)), (figures.HandleTimeMedian!.Value, figures.HandleTimeMean!.Value));
        Assert.Equal((3, 3.67), (figures.Rated, figures.SatisfactionMean));
        Assert.Equal([0, 1, 0, 1, 1], figures.RatingCounts);
        Assert.Equal([("alex", "Alex", 2, 3.0), ("sam", "sam", 1, (double?)null)],
            figures.Agents.Select(a => (a.AgentId, a.Name, a.Handled, a.SatisfactionMean)));
        // The assistant's own conversation counts in the whole, not for any agent.
        Assert.Equal((4, 3.5), (figures.Reviewed, figures.ReviewScoreMean));
        Assert.Equal([(2, 3.5), (1, 4.0)], figures.Agents.Select(a => (a.Reviewed, a.ReviewScoreMean!.Value)));
    }

    private static SessionReview Review(string sessionId, string? agent, int score) => new(sessionId, agent, agent, "sup", "Sup", score, null, T0.AddDays(1));

    [Fact]
    public void No_sessions_give_no_figures_rather_than_zeroes()
    {
        var figures = SupportSupervision.Compute(T0, T0.AddDays(1), [], [], [], new Dictionary<string, string>());

        Assert.Equal((0, (double?)null, (TimeSpan?)null, (double?)null, (double?)null),
            (figures.Closed, figures.BotResolutionRate, figures.FirstResponseMedian, figures.SatisfactionMean, figures.ReviewScoreMean));
    }
}
