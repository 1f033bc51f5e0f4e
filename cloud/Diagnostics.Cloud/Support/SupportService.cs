using System.Globalization;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Support sessions: opened with the device's state attached, answered first by the bot, handed to the
/// <see cref="SessionAssignment"/> for a person, ended with a solution the customer keeps and a rating. Every
/// message is stored before anyone is told of it, and reads are by position, so a client that comes back gets exactly
/// what it missed, in order, once.
/// </summary>
public sealed partial class SupportService(
    SupportSessionStore sessionStore, SupportMessageStore messageStore, SupportQueueStore queueStore,
    SessionSignals signals,
    SessionPosting posting,
    SessionAssignment assignment,
    SupportBot bot,
    FixCardDevices watchedDevices,
    IDeviceStore devices,
    IAccountStore accounts,
    SqliteFixStore fixes,
    TrainingPhrases learning,
    IOptions<SupportOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<SupportService> logger)
{
    private static readonly SessionActor System = SessionPosting.System;

    private SupportOptions Settings => options.Value;

    /// <summary>
    /// Opens a session for a customer: the device's status card first, the customer's words after it, then the bot's
    /// answer. With <paramref name="fixId"/> (from a fix that failed or found no article) it goes straight to a person.
    /// </summary>
    public async Task<SupportResult<SupportSession>> OpenAsync(
        SessionActor customer, string? deviceId, string? text, string? fixId, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (clientId is { Length: > 100 })
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("ClientIdLength"));
        if (text is { Length: > 0 } && text.Length > Settings.MaxTextLength)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("MessageTooLong", Settings.MaxTextLength));
        DeviceDetails? device = null;
        if (deviceId is not null && (device = await devices.GetAsync(deviceId, cancellationToken)) is null)
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, SupportExplanations.Text("NoDevice", deviceId));
        FixProposal? failedFix = null;
        if (fixId is not null && ((failedFix = await fixes.GetAsync(fixId, cancellationToken)) is null || failedFix.DeviceId != deviceId))
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, SupportExplanations.Text("NoFixForDevice", fixId));

        var now = time.GetUtcNow();
        var first = OpeningMessages(device, now);
        if (!string.IsNullOrWhiteSpace(text))
            first.Add(new NewMessage(MessageKind.Text, customer.Kind, customer.Id, customer.Name, text.Trim(), false, null, now));
        var session = new SupportSession($"ss-{Guid.NewGuid():N}", customer.Id, customer.Name, deviceId, SessionState.Bot, null, null, customer.Name, now,
            0, null, null, null, null, null, null, null, null, null, null, null, 0);
        var (stored, repeated) = await sessionStore.CreateAsync(session, first, clientId, cancellationToken);
        if (repeated)
            return SupportResult<SupportSession>.Done(stored);
        LogOpened(stored.Id, customer.Id, deviceId);
        Changed(stored.Id);

        if (failedFix is not null)
            await HandOverAsync(stored, SupportStaffText.Write("Handover.FromFailedFix", failedFix.ArticleTitle ?? failedFix.Code, failedFix.State.ToStorage(), failedFix.Note), cancellationToken);
        else
            await BotTurnAsync(stored, text, cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(stored.Id, cancellationToken) ?? stored);
    }

    /// <summary>An agent opens a session with a device's owner from the device's page: it is the agent's from the start.</summary>
    public async Task<SupportResult<SupportSession>> OpenForDeviceAsync(SessionActor agent, string deviceId, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (string.IsNullOrWhiteSpace(text) || text.Length > Settings.MaxTextLength)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("MessageLength", Settings.MaxTextLength));
        if (await devices.GetAsync(deviceId, cancellationToken) is not { } device)
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, SupportExplanations.Text("NoDevice", deviceId));
        if (await accounts.GetOwnerAsync(deviceId, cancellationToken) is not { } ownerId || await accounts.GetAsync(ownerId, cancellationToken) is not { } owner)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("NoOwner", deviceId));
        var now = time.GetUtcNow();
        var first = OpeningMessages(device, now);
        first.Add(new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, SupportSystemText.Write("AgentOpened", agent.Name), false, null, now));
        first.Add(new NewMessage(MessageKind.Text, AuthorKind.Agent, agent.Id, agent.Name, text.Trim(), false, null, now));
        var session = new SupportSession($"ss-{Guid.NewGuid():N}", owner.Id, owner.DisplayName, deviceId, SessionState.Assigned, agent.Id, agent.Name, agent.Name, now,
            Rank(device), SupportStaffText.Write("Handover.OpenedBySupport"), now, now, now, null, null, null, null, null, null, null, 0);
        var (stored, _) = await sessionStore.CreateAsync(session, first, clientId: null, cancellationToken);
        LogOpened(stored.Id, owner.Id, deviceId);
        Changed(stored.Id);
        return SupportResult<SupportSession>.Done(stored);
    }

    private static List<NewMessage> OpeningMessages(DeviceDetails? device, DateTimeOffset now)
    {
        var first = new List<NewMessage> { new(MessageKind.System, AuthorKind.System, System.Id, System.Name, SupportSystemText.Write("SessionOpened"), false, null, now) };
        if (device is not null)
            first.Add(new NewMessage(MessageKind.DeviceStatus, AuthorKind.System, System.Id, System.Name, SupportCardText.Write(DeviceStatusCard.Of(device)), false, null, now));
        return first;
    }

    /// <summary>
    /// Stores a text message as the session's next and wakes whoever waits for it. The customer's words to the bot get
    /// its answer; an agent's first word to a customer who waited is their first response.
    /// </summary>
    public async Task<SupportResult<SupportMessage>> PostAsync(
        SupportSession session, SessionActor author, string? text, string? clientId, bool internalNote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(author);
        if (session.State == SessionState.Closed)
            return SupportResult<SupportMessage>.Fail(SupportError.Closed, SupportExplanations.Text("ClosedOpenNew"));
        if (string.IsNullOrWhiteSpace(text) || text.Length > Settings.MaxTextLength)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("MessageLength", Settings.MaxTextLength));
        if (clientId is { Length: > 100 })
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("ClientMessageIdLength"));
        if (internalNote && author.Kind != AuthorKind.Agent)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("OnlyAgentsNote"));
        var (message, repeated) = await messageStore.AppendAsync(session.Id,
            new NewMessage(MessageKind.Text, author.Kind, author.Id, author.Name, text.Trim(), internalNote, clientId, time.GetUtcNow()), cancellationToken);
        Changed(session.Id);
        if (repeated)
            return SupportResult<SupportMessage>.Done(message);
        if (author.Kind == AuthorKind.Agent && !internalNote && session.State == SessionState.Assigned && session.FirstResponseAt is null)
            await sessionStore.MarkFirstResponseAsync(session.Id, message.At, cancellationToken);
        if (author.Kind == AuthorKind.Customer && session.State == SessionState.Bot)
            await BotTurnAsync(session, message.Body, cancellationToken);
        return SupportResult<SupportMessage>.Done(message);
    }

    /// <summary>
    /// The messages after <paramref name="afterSequence"/>; with <paramref name="wait"/>, holds on until one comes (or
    /// the wait ends) when there is none yet — the long poll a phone keeps open.
    /// </summary>
    public async Task<IReadOnlyList<SupportMessage>> ReadAsync(string sessionId, long afterSequence, bool includeInternal, TimeSpan wait, CancellationToken cancellationToken)
    {
        var limit = Settings.MaxMessagesPerRead;
        var deadline = time.GetUtcNow() + (wait > Settings.MaxWait ? Settings.MaxWait : wait);
        while (true)
        {
            // Take the signal before reading, so a message stored between the read and the wait still wakes us.
            var next = signals.NextAsync(sessionId);
            var messages = await messageStore.MessagesAsync(sessionId, afterSequence, includeInternal, limit, cancellationToken);
            var left = deadline - time.GetUtcNow();
            if (messages.Count > 0 || left <= TimeSpan.Zero)
                return messages;
            try
            {
                await next.WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return [];
            }
        }
    }

    /// <summary>The customer has seen the session up to <paramref name="sequence"/>; pages showing the count re-read.</summary>
    public async Task SeenByCustomerAsync(string sessionId, long sequence, CancellationToken cancellationToken)
    {
        await sessionStore.MarkSeenByCustomerAsync(sessionId, sequence, cancellationToken);
        signals.NotifyQueue();
    }

    // The bot.

    private async Task BotTurnAsync(SupportSession session, string? text, CancellationToken cancellationToken)
    {
        BotTurn turn;
        try
        {
            var device = session.DeviceId is null ? null : await devices.GetAsync(session.DeviceId, cancellationToken);
            turn = await bot.AnswerAsync(device, text, await BotMemoryAsync(session.Id, cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The customer must not be left with nobody: a bot that fails hands over.
            metrics.Error("support.bot");
            LogBotFailed(ex, session.Id);
            turn = BotTurn.Handover(SupportStaffText.Write("Handover.BotFailed"));
        }
        if (turn.Messages.Count > 0)
        {
            foreach (var message in turn.Messages)
                await messageStore.AppendAsync(session.Id, message, cancellationToken);
            if (turn.Messages.Any(m => m.Kind == MessageKind.Fix) && session.DeviceId is { } deviceId)
                watchedDevices.Watch(deviceId);
            Changed(session.Id);
        }
        if (turn.Solved is { } solution)
            await CloseSolvedByBotAsync(session, solution, cancellationToken);
        else if (turn.HandoverReason is { } reason)
            await HandOverAsync(session, reason, cancellationToken);
    }

    public async Task<BotMemory> BotMemoryAsync(string sessionId, CancellationToken cancellationToken)
    {
        var offered = (await messageStore.MessagesOfKindAsync(sessionId, MessageKind.Article, cancellationToken))
            .Select(m => SupportCardText.Read<ArticleCard>(m.Body)).OfType<ArticleCard>().ToList();
        var texts = await messageStore.MessagesOfKindAsync(sessionId, MessageKind.Text, cancellationToken);
        var asked = texts.Any(m => m.AuthorKind == AuthorKind.Bot);
        // The conversation's language: the last thing the customer wrote in a script that tells it.
        var language = texts.Where(m => m.AuthorKind == AuthorKind.Customer).Select(m => WrittenLanguage.Detect(m.Body, CultureInfo.InvariantCulture))
            .LastOrDefault(culture => culture.Name.Length > 0);
        return new BotMemory(offered, asked, language);
    }

    /// <summary>The customer says the bot's answer solved it: the session ends resolved by the bot.</summary>
    public async Task<SupportResult<SupportSession>> ResolveWithBotAsync(SupportSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.State != SessionState.Bot)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("OnlyBotSolved"));
        var memory = await BotMemoryAsync(session.Id, cancellationToken);
        if (memory.Offered is not [.., var last])
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("NothingSuggested"));
        return await CloseSolvedByBotAsync(session, bot.ConfirmedSolved(last, memory), cancellationToken);
    }

    // Handing over to the queue.

    /// <summary>Passes the session to the queue (from the bot): priority from the device's problems, the reason as a note for the agent.</summary>
    public async Task<SupportResult<SupportSession>> HandOverAsync(SupportSession session, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.State != SessionState.Bot)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("AlreadyWithPerson"));
        var device = session.DeviceId is null ? null : await devices.GetAsync(session.DeviceId, cancellationToken);
        var now = time.GetUtcNow();
        var queued = session with { State = SessionState.Queued, Priority = Rank(device), HandoverReason = reason, QueuedAt = now };
        var (changed, _) = await sessionStore.UpdateAsync(queued, [SessionState.Bot],
        [
            new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, SupportSystemText.Write("HandingOver"), false, null, now),
            new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, await HandoverNoteAsync(session, device, reason, cancellationToken), true, null, now),
        ], cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("AlreadyWithPerson"));
        LogHandedOver(session.Id, reason, queued.Priority);
        Changed(session.Id);
        await assignment.DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? queued);
    }

    /// <summary>What the agent reads first: why the bot handed over, what the device reports, what was tried.</summary>
    private async Task<string> HandoverNoteAsync(SupportSession session, DeviceDetails? device, string reason, CancellationToken cancellationToken)
    {
        var lines = new List<string> { SupportStaffText.Write("Note.HandedOver", reason) };
        if (device is not null)
        {
            lines.Add(SupportStaffText.Write("Note.Device", device.DeviceId, device.Model, device.Firmware, device.State, device.Health, device.Presence));
            lines.AddRange(device.ActiveConditions.Select(c => c.Message.Length > 0
                ? SupportStaffText.Write("Note.ActiveWithMessage", c.Code, c.Condition, c.Severity, c.Message)
                : SupportStaffText.Write("Note.Active", c.Code, c.Condition, c.Severity)));
            foreach (var fix in (await fixes.ListAsync([device.DeviceId], null, 5, cancellationToken)))
                lines.Add(fix.Note.Length > 0
                    ? SupportStaffText.Write("Note.FixWithNote", fix.ArticleTitle ?? fix.Code, fix.State.ToStorage(), fix.Note)
                    : SupportStaffText.Write("Note.Fix", fix.ArticleTitle ?? fix.Code, fix.State.ToStorage()));
        }
        var memory = await BotMemoryAsync(session.Id, cancellationToken);
        // The note is for staff (stored in English, read in each agent's language); the customer's language is named so the agent answers in it.
        var language = await CustomerLanguageAsync(session, cancellationToken);
        lines.Add(SupportStaffText.Write("Note.CustomerLanguage", $"{language.EnglishName} ({language.Name})"));
        if (memory.Offered.Count > 0)
            lines.Add(SupportStaffText.Write("Note.AssistantShowed", string.Join("; ", memory.Offered.Select(a => bot.OriginalTitle(a.ArticleId) ?? a.Title))));
        return string.Join('\n', lines);
    }

    /// <summary>
    /// The language the customer reads the conversation in (<see cref="ConversationLanguage"/>): what the assistant speaks
    /// when no request of theirs tells it (a fix that ended while they were away), and what the hand-over note names.
    /// </summary>
    public async Task<CultureInfo> CustomerLanguageAsync(SupportSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var messages = await messageStore.MessagesAsync(session.Id, 0, includeInternal: false, Settings.MaxMessagesPerRead, cancellationToken);
        return ConversationLanguage.Of(messages, await accounts.GetLanguageAsync(session.CustomerId, cancellationToken));
    }

    /// <summary>The severity of the device's worst active problem (0 with none or no device): the queue serves higher first.</summary>
    private static int Rank(DeviceDetails? device) =>
        device is null || device.ActiveConditions.Count == 0 ? 0 : device.ActiveConditions.Max(c => (int)c.Severity);

    // Ending.

    /// <summary>
    /// An agent ends the session: summary and category for the records, the solution sent to the customer to keep, and
    /// the article that solved it when there is one: the customer's first question in a conversation the assistant
    /// handed over then becomes a proposed training phrase for that article.
    /// </summary>
    public async Task<SupportResult<SupportSession>> CloseByAgentAsync(
        SupportSession session, SessionActor agent, string? summary, string? category, string? solution, bool resolved, CancellationToken cancellationToken,
        string? articleId = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (string.IsNullOrWhiteSpace(summary) || summary.Length > 2000)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("SummaryLength"));
        if (category is null || !SessionCategories.All.Contains(category, StringComparer.Ordinal))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("CategoryOneOf", string.Join(", ", SessionCategories.All)));
        if (resolved && (string.IsNullOrWhiteSpace(solution) || solution.Length > Settings.MaxTextLength))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("SolutionLength", Settings.MaxTextLength));
        articleId = string.IsNullOrWhiteSpace(articleId) ? null : articleId.Trim();
        if (articleId is not null && !learning.Knows(articleId))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("NoPublishedArticle", articleId));
        var steps = (await BotMemoryAsync(session.Id, cancellationToken)).Offered is [.., var last] ? last.Steps : [];
        var closed = await CloseAsync(session, agent, resolved ? SessionResolution.Agent : SessionResolution.Unresolved,
            new SolutionCard(category, summary.Trim(), solution?.Trim() ?? "", resolved ? steps : []), cancellationToken);
        if (closed.Value is not null && resolved && articleId is not null && session.HandoverReason is not null
            && (await messageStore.MessagesOfKindAsync(session.Id, MessageKind.Text, cancellationToken))
                .FirstOrDefault(m => m.AuthorKind == AuthorKind.Customer && !m.Internal) is { } question)
        {
            await learning.ProposeAsync(articleId, question.Body, language: null, PhraseSource.SolvedConversation, session.Id, agent.Name, cancellationToken);
        }
        return closed;
    }

    /// <summary>The customer ends it themselves, whoever had it: nothing solved, nothing lost.</summary>
    public Task<SupportResult<SupportSession>> LeaveAsync(SupportSession session, SessionActor customer, CancellationToken cancellationToken) =>
        CloseAsync(session, customer, SessionResolution.Unresolved, new SolutionCard("Other", SupportStaffText.Write("Closed.CustomerLeft"), "", []), cancellationToken);

    /// <summary>The session ends solved without a person: the customer confirmed the bot's answer, or a fix worked.</summary>
    internal Task<SupportResult<SupportSession>> CloseSolvedByBotAsync(SupportSession session, SolutionCard solution, CancellationToken cancellationToken) =>
        CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Bot, solution, cancellationToken);

    private async Task<SupportResult<SupportSession>> CloseAsync(SupportSession session, SessionActor by, SessionResolution resolution, SolutionCard solution, CancellationToken cancellationToken)
    {
        if (session.State == SessionState.Closed)
            return SupportResult<SupportSession>.Fail(SupportError.Closed, SupportExplanations.Text("ClosedAlready"));
        if (by.Kind == AuthorKind.Agent && session.AgentId != by.Id)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, session.AgentId is null ? SupportExplanations.Text("TakeBeforeClosing") : SupportExplanations.Text("SomeoneElses", session.AgentName));
        var now = time.GetUtcNow();
        var closed = session with
        {
            State = SessionState.Closed, ClosedAt = now, Resolution = resolution, Category = solution.Category, Summary = solution.Summary,
            Solution = solution.Solution.Length > 0 ? solution.Solution : null,
        };
        var messages = new List<NewMessage>();
        if (resolution != SessionResolution.Unresolved)
            messages.Add(new NewMessage(MessageKind.Solution, by.Kind, by.Id, by.Name, SupportCardText.Write(solution), false, null, now));
        messages.Add(new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name,
            SupportSystemText.Write("Closed", by.Name), false, null, now));
        var (changed, _) = await sessionStore.UpdateAsync(closed, [session.State], messages, cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("ChangedReadAgain"));
        LogClosed(session.Id, resolution, by.Name);
        Changed(session.Id);
        if (session.State == SessionState.Assigned)
            await assignment.DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? closed);
    }

    /// <summary>Ends conversations with the assistant in which nothing was written since <paramref name="lastActivityBefore"/>.</summary>
    public async Task<int> CloseIdleBotSessionsAsync(DateTimeOffset lastActivityBefore, CancellationToken cancellationToken)
    {
        var closed = 0;
        foreach (var session in await queueStore.IdleBotSessionsAsync(lastActivityBefore, cancellationToken))
        {
            var result = await CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Unresolved,
                new SolutionCard("Other", SupportStaffText.Write("Closed.Idle"), "", []), cancellationToken);
            if (result.Error == SupportError.None)
                closed++;
        }
        return closed;
    }

    /// <summary>The customer rates a closed session once: 1 to 5 and an optional comment.</summary>
    public async Task<SupportResult<SupportSession>> RateAsync(SupportSession session, SessionActor customer, int rating, string? comment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(customer);
        if (rating is < 1 or > 5)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("RatingRange"));
        if (comment is { Length: > 2000 })
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("CommentLength"));
        if (session.State != SessionState.Closed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("RateWhenClosed"));
        if (session.Rating is not null)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("RatedAlready"));
        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        var rated = session with { Rating = rating, RatingComment = text };
        var (changed, _) = await sessionStore.UpdateAsync(rated, [SessionState.Closed],
            [new NewMessage(MessageKind.Rating, customer.Kind, customer.Id, customer.Name, SupportCardText.Write(new RatingCard(rating, text)), false, null, time.GetUtcNow())],
            cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("ChangedMeanwhile"));
        Changed(session.Id);
        return SupportResult<SupportSession>.Done(rated);
    }

    private void Changed(string sessionId) => posting.Changed(sessionId);

    [LoggerMessage(EventId = SupportEventIds.SupportSessionOpened, Level = LogLevel.Information, Message = "Support session {SessionId} opened by {CustomerId} about {DeviceId}")]
    private partial void LogOpened(string sessionId, string customerId, string? deviceId);

    [LoggerMessage(EventId = SupportEventIds.SupportHandedOver, Level = LogLevel.Information, Message = "Support session {SessionId} handed to the queue (priority {Priority}): {Reason}")]
    private partial void LogHandedOver(string sessionId, string reason, int priority);

    [LoggerMessage(EventId = SupportEventIds.SupportClosed, Level = LogLevel.Information, Message = "Support session {SessionId} closed ({Resolution}) by {By}")]
    private partial void LogClosed(string sessionId, SessionResolution resolution, string by);

    [LoggerMessage(EventId = SupportEventIds.SupportBotFailed, Level = LogLevel.Error, Message = "The support assistant failed in session {SessionId}; it was handed over")]
    private partial void LogBotFailed(Exception exception, string sessionId);
}
