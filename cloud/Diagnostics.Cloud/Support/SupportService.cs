using System.Globalization;
using System.Security.Cryptography;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>Who is acting in a session: the customer, an agent, the bot or the system, by id and name.</summary>
public sealed record SessionActor(AuthorKind Kind, string Id, string Name);

public enum SupportError
{
    None,
    NotFound,
    Invalid,
    Closed,
    /// <summary>The session is not in a state that allows it (not yours, not queued, already rated).</summary>
    Conflict,
    /// <summary>The agent already holds as many sessions as their limit.</summary>
    AtLimit,
}

/// <summary>The answer of a session operation: what it produced, or why not.</summary>
public sealed record SupportResult<T>(T? Value, SupportError Error, string Detail)
{
    public static SupportResult<T> Done(T value) => new(value, SupportError.None, "");

    public static SupportResult<T> Fail(SupportError error, string detail) => new(default, error, detail);
}

/// <summary>
/// Support sessions: opened with the device's state attached, answered first by the bot, queued by priority for a
/// person and assigned within each agent's limit, ended with a solution the customer keeps and a rating. Every
/// message is stored before anyone is told of it, and reads are by position, so a client that comes back gets exactly
/// what it missed, in order, once.
/// </summary>
public sealed partial class SupportService(
    SupportSessionStore sessionStore, SupportMessageStore messageStore, SupportQueueStore queueStore, CannedReplyStore cannedReplyStore,
    SessionSignals signals,
    SupportBot bot,
    FixCardDevices watchedDevices,
    IDeviceStore devices,
    IAccountStore accounts,
    SqliteFixStore fixes,
    FixWorkflow workflow,
    RolloutStore rolloutStore,
    RolloutService rollouts,
    TrainingPhrases learning,
    IOptions<SupportOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<SupportService> logger) : IDisposable
{
    /// <summary>Pictures a chat takes, by what their first bytes say they are (the declared type must agree).</summary>
    public static readonly IReadOnlyList<string> ImageTypes = ["image/png", "image/jpeg", "image/webp"];

    private static readonly SessionActor System = new(AuthorKind.System, "system", "Diagnostics");
    private readonly SemaphoreSlim _dispatching = new(1, 1);

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
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, "a client id has at most 100 characters");
        if (text is { Length: > 0 } && text.Length > Settings.MaxTextLength)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, $"a message has at most {Settings.MaxTextLength} characters");
        DeviceDetails? device = null;
        if (deviceId is not null && (device = await devices.GetAsync(deviceId, cancellationToken)) is null)
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, $"there is no device {deviceId}");
        FixProposal? failedFix = null;
        if (fixId is not null && ((failedFix = await fixes.GetAsync(fixId, cancellationToken)) is null || failedFix.DeviceId != deviceId))
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, $"there is no fix {fixId} for this device");

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
            await HandOverAsync(stored, $"Opened from the fix \"{failedFix.ArticleTitle ?? failedFix.Code}\", which is {failedFix.State.ToStorage()}: {failedFix.Note}", cancellationToken);
        else
            await BotTurnAsync(stored, text, cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(stored.Id, cancellationToken) ?? stored);
    }

    /// <summary>An agent opens a session with a device's owner from the device's page: it is the agent's from the start.</summary>
    public async Task<SupportResult<SupportSession>> OpenForDeviceAsync(SessionActor agent, string deviceId, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (string.IsNullOrWhiteSpace(text) || text.Length > Settings.MaxTextLength)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, $"a message has 1 to {Settings.MaxTextLength} characters");
        if (await devices.GetAsync(deviceId, cancellationToken) is not { } device)
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, $"there is no device {deviceId}");
        if (await accounts.GetOwnerAsync(deviceId, cancellationToken) is not { } ownerId || await accounts.GetAsync(ownerId, cancellationToken) is not { } owner)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, $"device {deviceId} has no owner to talk to");
        var now = time.GetUtcNow();
        var first = OpeningMessages(device, now);
        first.Add(new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, $"{agent.Name} from support opened this conversation.", false, null, now));
        first.Add(new NewMessage(MessageKind.Text, AuthorKind.Agent, agent.Id, agent.Name, text.Trim(), false, null, now));
        var session = new SupportSession($"ss-{Guid.NewGuid():N}", owner.Id, owner.DisplayName, deviceId, SessionState.Assigned, agent.Id, agent.Name, agent.Name, now,
            Rank(device), "Opened by support.", now, now, now, null, null, null, null, null, null, null, 0);
        var (stored, _) = await sessionStore.CreateAsync(session, first, clientId: null, cancellationToken);
        LogOpened(stored.Id, owner.Id, deviceId);
        Changed(stored.Id);
        return SupportResult<SupportSession>.Done(stored);
    }

    private static List<NewMessage> OpeningMessages(DeviceDetails? device, DateTimeOffset now)
    {
        var first = new List<NewMessage> { new(MessageKind.System, AuthorKind.System, System.Id, System.Name, "Session opened.", false, null, now) };
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
            return SupportResult<SupportMessage>.Fail(SupportError.Closed, "the session is closed; open a new one");
        if (string.IsNullOrWhiteSpace(text) || text.Length > Settings.MaxTextLength)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"a message has 1 to {Settings.MaxTextLength} characters");
        if (clientId is { Length: > 100 })
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, "a client message id has at most 100 characters");
        if (internalNote && author.Kind != AuthorKind.Agent)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, "only agents write internal notes");
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

    /// <summary>Stores a picture (PNG, JPEG or WebP, checked by its bytes, at most the configured size) and its message.</summary>
    public async Task<SupportResult<SupportMessage>> PostImageAsync(
        SupportSession session, SessionActor author, string? declaredType, byte[] content, string? caption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(content);
        if (session.State == SessionState.Closed)
            return SupportResult<SupportMessage>.Fail(SupportError.Closed, "the session is closed; open a new one");
        if (content.Length == 0)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, "the picture is empty");
        if (content.Length > Settings.MaxImageBytes)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"a picture has at most {Settings.MaxImageBytes / 1024} KiB; this one has {content.Length / 1024} KiB");
        var sniffed = ImageTypeOf(content);
        if (sniffed is null)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"only pictures are taken: {string.Join(", ", ImageTypes)}");
        if (declaredType is not null && !string.Equals(declaredType.Split(';')[0].Trim(), sniffed, StringComparison.OrdinalIgnoreCase))
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"the file says it is {declaredType} but its content is {sniffed}");
        if (caption is { Length: > 500 })
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, "a caption has at most 500 characters");
        var image = new SupportImage($"img-{Guid.NewGuid():N}", session.Id, sniffed, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), content);
        await messageStore.AddImageAsync(image, cancellationToken);
        return SupportResult<SupportMessage>.Done(await PostCardAsync(session.Id, author, MessageKind.Image,
            SupportCardText.Write(new ImageCard(image.Id, image.ContentType, image.Bytes, string.IsNullOrWhiteSpace(caption) ? null : caption.Trim())), cancellationToken));
    }

    /// <summary>The type a picture's first bytes say it is, or null for anything else.</summary>
    public static string? ImageTypeOf(ReadOnlySpan<byte> content) => content switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

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
            turn = BotTurn.Handover("The assistant could not answer (an internal error).");
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
            await CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Bot, solution, cancellationToken);
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
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "only a session with the assistant is closed this way; a person closes theirs");
        var memory = await BotMemoryAsync(session.Id, cancellationToken);
        if (memory.Offered is not [.., var last])
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the assistant has not suggested anything yet");
        return await CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Bot,
            SupportBot.SolutionOf(last, "The customer confirmed it solved the problem."), cancellationToken);
    }

    // The queue.

    /// <summary>Passes the session to the queue (from the bot): priority from the device's problems, the reason as a note for the agent.</summary>
    public async Task<SupportResult<SupportSession>> HandOverAsync(SupportSession session, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.State != SessionState.Bot)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session is already with a person");
        var device = session.DeviceId is null ? null : await devices.GetAsync(session.DeviceId, cancellationToken);
        var now = time.GetUtcNow();
        var queued = session with { State = SessionState.Queued, Priority = Rank(device), HandoverReason = reason, QueuedAt = now };
        var (changed, _) = await sessionStore.UpdateAsync(queued, [SessionState.Bot],
        [
            new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, "A person from support will take over; they see everything above.", false, null, now),
            new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, await HandoverNoteAsync(session, device, reason, cancellationToken), true, null, now),
        ], cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session is already with a person");
        LogHandedOver(session.Id, reason, queued.Priority);
        Changed(session.Id);
        await DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? queued);
    }

    /// <summary>What the agent reads first: why the bot handed over, what the device reports, what was tried.</summary>
    private async Task<string> HandoverNoteAsync(SupportSession session, DeviceDetails? device, string reason, CancellationToken cancellationToken)
    {
        var lines = new List<string> { $"Handed over: {reason}" };
        if (device is not null)
        {
            lines.Add($"Device {device.DeviceId} ({device.Model}, firmware {device.Firmware}): {device.State}, {device.Health}, {device.Presence}.");
            lines.AddRange(device.ActiveConditions.Select(c => $"Active: {c.Code} ({c.Condition}, {c.Severity}) {c.Message}"));
            foreach (var fix in (await fixes.ListAsync([device.DeviceId], null, 5, cancellationToken)))
                lines.Add($"Fix {fix.ArticleTitle ?? fix.Code}: {fix.State.ToStorage()}{(fix.Note.Length > 0 ? " — " + fix.Note : "")}");
        }
        var memory = await BotMemoryAsync(session.Id, cancellationToken);
        if (memory.Offered.Count > 0)
            lines.Add("The assistant showed: " + string.Join("; ", memory.Offered.Select(a => a.Title)));
        return string.Join('\n', lines);
    }

    /// <summary>The severity of the device's worst active problem (0 with none or no device): the queue serves higher first.</summary>
    private static int Rank(DeviceDetails? device) =>
        device is null || device.ActiveConditions.Count == 0 ? 0 : device.ActiveConditions.Max(c => (int)c.Severity);

    /// <summary>
    /// Gives waiting sessions to available agents, the most urgent first, each to the agent holding the fewest, never
    /// beyond an agent's limit. Runs after anything that frees a place or queues a session.
    /// </summary>
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        await _dispatching.WaitAsync(cancellationToken);
        try
        {
            var queue = await queueStore.QueueAsync(Settings.SeverityHeadStart, cancellationToken);
            if (queue.Count == 0)
                return;
            var agents = (await queueStore.AgentsAsync(cancellationToken)).Where(a => a.Available && a.OpenSessions < a.MaxSessions)
                .Select(a => new { Agent = a, Open = a.OpenSessions }).ToList();
            foreach (var session in queue)
            {
                var free = agents.Where(a => a.Open < a.Agent.MaxSessions).MinBy(a => a.Open);
                if (free is null)
                    break;
                if ((await AssignAsync(session, free.Agent.AgentId, free.Agent.Name, SessionState.Queued, $"{free.Agent.Name} joined the conversation.", cancellationToken)).Error == SupportError.None)
                    agents[agents.IndexOf(free)] = free with { Open = free.Open + 1 };
            }
        }
        finally
        {
            _dispatching.Release();
        }
    }

    private async Task<SupportResult<SupportSession>> AssignAsync(SupportSession session, string agentId, string agentName, SessionState from, string announcement, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var assigned = session with { State = SessionState.Assigned, AgentId = agentId, AgentName = agentName, AssignedAt = session.AssignedAt ?? now };
        var (changed, _) = await sessionStore.UpdateAsync(assigned, [from],
            [new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, announcement, false, null, now)], cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session changed meanwhile");
        LogAssigned(session.Id, agentId);
        Changed(session.Id);
        return SupportResult<SupportSession>.Done(assigned);
    }

    /// <summary>An agent takes a waiting session themselves (within their limit), or takes one over from the bot.</summary>
    public async Task<SupportResult<SupportSession>> TakeAsync(SupportSession session, SessionActor agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (session.State is not (SessionState.Queued or SessionState.Bot))
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, session.State == SessionState.Closed ? "the session is closed" : $"{session.AgentName} has it");
        if (await LimitReachedAsync(agent.Id, agent.Name, cancellationToken) is { } limit)
            return SupportResult<SupportSession>.Fail(SupportError.AtLimit, limit);
        var from = session.State;
        if (from == SessionState.Bot)
            session = session with { QueuedAt = time.GetUtcNow(), HandoverReason = $"{agent.Name} took it over from the assistant." };
        return await AssignAsync(session, agent.Id, agent.Name, from, $"{agent.Name} joined the conversation.", cancellationToken);
    }

    private async Task<string?> LimitReachedAsync(string agentId, string name, CancellationToken cancellationToken)
    {
        var agent = await queueStore.AgentAsync(agentId, cancellationToken);
        var max = agent?.MaxSessions ?? Settings.DefaultMaxSessionsPerAgent;
        var open = agent?.OpenSessions ?? 0;
        return open >= max ? $"{name} already holds {open} sessions, the limit of {max}" : null;
    }

    /// <summary>
    /// Hands the session to another agent (within their limit), or back to the queue when <paramref name="toAgentId"/>
    /// is null; the note says why, for staff only.
    /// </summary>
    public async Task<SupportResult<SupportSession>> TransferAsync(SupportSession session, SessionActor from, string? toAgentId, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(from);
        if (session.State != SessionState.Assigned)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "only a session with a person is transferred");
        if (note is { Length: > 1000 })
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, "a transfer note has at most 1000 characters");
        var now = time.GetUtcNow();
        SupportSession moved;
        string announcement;
        if (toAgentId is null)
        {
            moved = session with { State = SessionState.Queued, AgentId = null, AgentName = null, QueuedAt = now };
            announcement = "You are back in the queue: the next free person from support takes over.";
        }
        else
        {
            if (toAgentId == session.AgentId)
                return SupportResult<SupportSession>.Fail(SupportError.Invalid, "the session is already theirs");
            if (await accounts.GetAsync(toAgentId, cancellationToken) is not { Role: not AccountRole.Customer } target)
                return SupportResult<SupportSession>.Fail(SupportError.NotFound, $"there is no agent {toAgentId}");
            if (await LimitReachedAsync(target.Id, target.DisplayName, cancellationToken) is { } limit)
                return SupportResult<SupportSession>.Fail(SupportError.AtLimit, limit);
            moved = session with { AgentId = target.Id, AgentName = target.DisplayName };
            announcement = $"{session.AgentName} handed the conversation to {target.DisplayName}.";
        }
        var messages = new List<NewMessage> { new(MessageKind.System, AuthorKind.System, System.Id, System.Name, announcement, false, null, now) };
        if (!string.IsNullOrWhiteSpace(note))
            messages.Add(new NewMessage(MessageKind.Text, AuthorKind.Agent, from.Id, from.Name, $"Transfer note: {note.Trim()}", true, null, now));
        var (changed, _) = await sessionStore.UpdateAsync(moved, [SessionState.Assigned], messages, cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session changed meanwhile");
        LogAssigned(session.Id, toAgentId ?? "(queue)");
        Changed(session.Id);
        await DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? moved);
    }

    /// <summary>An agent starts or stops taking sessions; starting takes waiting ones at once.</summary>
    public async Task<SupportAgent> SetAvailableAsync(SessionActor agent, bool available, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        await queueStore.SetAgentAsync(agent.Id, agent.Name, available, null, Settings.DefaultMaxSessionsPerAgent, time.GetUtcNow(), cancellationToken);
        signals.NotifyQueue();
        if (available)
            await DispatchAsync(cancellationToken);
        return (await queueStore.AgentAsync(agent.Id, cancellationToken))!;
    }

    /// <summary>A supervisor sets how many sessions an agent holds at once.</summary>
    public async Task<SupportResult<SupportAgent>> SetLimitAsync(string agentId, int maxSessions, CancellationToken cancellationToken)
    {
        if (maxSessions is < 1 or > 50)
            return SupportResult<SupportAgent>.Fail(SupportError.Invalid, "an agent holds 1 to 50 sessions at once");
        if (await accounts.GetAsync(agentId, cancellationToken) is not { Role: not AccountRole.Customer } account)
            return SupportResult<SupportAgent>.Fail(SupportError.NotFound, $"there is no agent {agentId}");
        await queueStore.SetAgentAsync(agentId, account.DisplayName, null, maxSessions, Settings.DefaultMaxSessionsPerAgent, time.GetUtcNow(), cancellationToken);
        signals.NotifyQueue();
        await DispatchAsync(cancellationToken);
        return SupportResult<SupportAgent>.Done((await queueStore.AgentAsync(agentId, cancellationToken))!);
    }

    // Cards and consent.

    /// <summary>Why no card about the session's device can be posted in it (closed, or about no device); null when one can.</summary>
    private static SupportResult<SupportMessage>? NoDeviceCard(SupportSession session) =>
        session.State == SessionState.Closed ? SupportResult<SupportMessage>.Fail(SupportError.Closed, "the session is closed")
        : session.DeviceId is null ? SupportResult<SupportMessage>.Fail(SupportError.Invalid, "the session is about no device")
        : null;

    /// <summary>
    /// An agent proposes an article's automated fix for the session's device: a fix card the customer approves in the
    /// chat. Nothing reaches the device before that approval.
    /// </summary>
    public async Task<SupportResult<SupportMessage>> ProposeFixAsync(SupportSession session, SessionActor agent, string articleId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (NoDeviceCard(session) is { } refused)
            return refused;
        var deviceId = session.DeviceId!;
        var proposal = articleId == FixWorkflow.DiagnosticsRequestCode
            ? await workflow.RequestDiagnosticsAsync(deviceId, $"{agent.Name} ({agent.Id})", cancellationToken)
            : await workflow.ProposeForSessionAsync(deviceId, articleId, $"{agent.Name} ({agent.Id})", cancellationToken);
        if (proposal is null)
            return SupportResult<SupportMessage>.Fail(SupportError.NotFound, $"there is no article {articleId} with an automated fix");
        watchedDevices.Watch(deviceId);
        return SupportResult<SupportMessage>.Done(await PostCardAsync(session.Id, agent, MessageKind.Fix, SupportCardText.Write(SupportBot.FixCardOf(proposal)), cancellationToken));
    }

    /// <summary>The customer approves or declines a fix card of their session: their consent, given in the chat.</summary>
    public async Task<SupportResult<FixProposal>> DecideFixAsync(SupportSession session, SessionActor customer, string proposalId, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(customer);
        var cards = (await messageStore.MessagesOfKindAsync(session.Id, MessageKind.Fix, cancellationToken)).Select(m => SupportCardText.Read<FixCard>(m.Body));
        if (!cards.Any(c => c?.ProposalId == proposalId) || session.DeviceId is null)
            return SupportResult<FixProposal>.Fail(SupportError.NotFound, $"there is no fix {proposalId} in this conversation");
        var actor = $"{customer.Name} ({customer.Id}) in support session {session.Id}";
        var (proposal, error) = approve
            ? await workflow.ApproveAsync(proposalId, actor, cancellationToken)
            : await workflow.DeclineAsync(proposalId, actor, cancellationToken);
        if (proposal is null || proposal.DeviceId != session.DeviceId)
            return SupportResult<FixProposal>.Fail(SupportError.NotFound, $"there is no fix {proposalId} in this conversation");
        if (error != FixDecisionError.None)
            return new SupportResult<FixProposal>(proposal, SupportError.Conflict, $"the fix is {proposal.State.ToStorage()}: it was decided already");
        await PostCardAsync(session.Id, System, MessageKind.System,
            approve ? $"{customer.Name} approved \"{proposal.ArticleTitle}\": the printer does it now." : $"{customer.Name} declined \"{proposal.ArticleTitle}\".", cancellationToken);
        return SupportResult<FixProposal>.Done(proposal);
    }

    /// <summary>
    /// A fix card's proposal ended: the bot says how, once. A fix that worked ends a session still with the bot as solved
    /// without a person; one that failed hands it to a person.
    /// </summary>
    public async Task FixEndedAsync(string sessionId, FixProposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var title = proposal.ArticleTitle ?? "The fix";
        var text = proposal.State switch
        {
            FixState.Verified => $"It worked: the printer reports that \"{title}\" fixed the problem.",
            FixState.Obsolete => "The problem went away before the printer had to do anything.",
            FixState.Declined => $"You declined \"{title}\". You can still follow the steps, or tap \"Talk to a person\".",
            _ => $"\"{title}\" did not fix it: {proposal.Note}",
        };
        var (_, repeated) = await messageStore.AppendAsync(sessionId, new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, text, false,
            $"fix-outcome:{proposal.Id}", time.GetUtcNow()), cancellationToken);
        if (repeated)
            return;
        Changed(sessionId);
        if (await sessionStore.GetAsync(sessionId, cancellationToken) is not { State: SessionState.Bot } session)
            return;
        if (proposal.State is FixState.Verified or FixState.Obsolete)
        {
            var article = (await BotMemoryAsync(sessionId, cancellationToken)).Offered.LastOrDefault(a => a.ArticleId == proposal.ArticleId);
            var solution = article is not null
                ? SupportBot.SolutionOf(article, $"The printer ran the automated fix ({proposal.Describe}) and the problem cleared.")
                : new SolutionCard("Other", title, $"The printer ran the automated fix ({proposal.Describe}) and the problem cleared.", []);
            await CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Bot, solution, cancellationToken);
        }
        else if (proposal.State is FixState.Failed or FixState.Expired)
        {
            await HandOverAsync(session, $"The automated fix \"{title}\" failed: {proposal.Note}", cancellationToken);
        }
    }

    /// <summary>An agent shows the customer the update their device is offered, with its state; the customer decides on it in the chat.</summary>
    public async Task<SupportResult<SupportMessage>> ShareUpdateAsync(SupportSession session, SessionActor agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (NoDeviceCard(session) is { } refused)
            return refused;
        var deviceId = session.DeviceId!;
        // The latest rollout that reaches the device; one that stopped before it began has nothing to show.
        if (await rolloutStore.RolloutsOfDeviceAsync(deviceId, cancellationToken) is not [var offer, ..] || offer.State == DeviceUpdateState.Withdrawn)
            return SupportResult<SupportMessage>.Fail(SupportError.NotFound, "the device is in no rollout");
        var rollout = await rolloutStore.GetRolloutAsync(offer.RolloutId, cancellationToken);
        return SupportResult<SupportMessage>.Done(await PostCardAsync(session.Id, agent, MessageKind.Update,
            SupportCardText.Write(new UpdateCard(offer.RolloutId, deviceId, rollout?.Version ?? "", offer.State.ToString())), cancellationToken));
    }

    /// <summary>The customer installs or declines the update of an update card in their session.</summary>
    public async Task<SupportResult<RolloutDevice>> DecideUpdateAsync(SupportSession session, SessionActor customer, string rolloutId, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(customer);
        var cards = (await messageStore.MessagesOfKindAsync(session.Id, MessageKind.Update, cancellationToken)).Select(m => SupportCardText.Read<UpdateCard>(m.Body));
        if (!cards.Any(c => c?.RolloutId == rolloutId && c.DeviceId == session.DeviceId) || session.DeviceId is not { } deviceId)
            return SupportResult<RolloutDevice>.Fail(SupportError.NotFound, $"there is no update of rollout {rolloutId} in this conversation");
        var actor = $"{customer.Name} ({customer.Id}) in support session {session.Id}";
        var result = approve ? await rollouts.ApproveAsync(rolloutId, deviceId, actor, cancellationToken) : await rollouts.DeclineAsync(rolloutId, deviceId, actor, cancellationToken);
        if (result.Value is null)
            return SupportResult<RolloutDevice>.Fail(SupportError.Conflict, result.Detail);
        await PostCardAsync(session.Id, System, MessageKind.System, approve ? $"{customer.Name} approved the update." : $"{customer.Name} declined the update.", cancellationToken);
        return SupportResult<RolloutDevice>.Done(result.Value);
    }

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
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, "a summary of 1 to 2000 characters is needed");
        if (category is null || !SessionCategories.All.Contains(category, StringComparer.Ordinal))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, $"the category is one of: {string.Join(", ", SessionCategories.All)}");
        if (resolved && (string.IsNullOrWhiteSpace(solution) || solution.Length > Settings.MaxTextLength))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, $"a solution of 1 to {Settings.MaxTextLength} characters is sent to the customer");
        articleId = string.IsNullOrWhiteSpace(articleId) ? null : articleId.Trim();
        if (articleId is not null && !learning.Knows(articleId))
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, $"there is no published article {articleId}");
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
        CloseAsync(session, customer, SessionResolution.Unresolved, new SolutionCard("Other", "The customer ended the conversation.", "", []), cancellationToken);

    private async Task<SupportResult<SupportSession>> CloseAsync(SupportSession session, SessionActor by, SessionResolution resolution, SolutionCard solution, CancellationToken cancellationToken)
    {
        if (session.State == SessionState.Closed)
            return SupportResult<SupportSession>.Fail(SupportError.Closed, "the session is closed already");
        if (by.Kind == AuthorKind.Agent && session.AgentId != by.Id)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, session.AgentId is null ? "take the session before closing it" : $"the session is {session.AgentName}'s");
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
            $"{by.Name} closed the conversation. How was the help? Rate it from 1 to 5.", false, null, now));
        var (changed, _) = await sessionStore.UpdateAsync(closed, [session.State], messages, cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session changed meanwhile; read it again");
        LogClosed(session.Id, resolution, by.Name);
        Changed(session.Id);
        if (session.State == SessionState.Assigned)
            await DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? closed);
    }

    /// <summary>Ends conversations with the assistant in which nothing was written since <paramref name="lastActivityBefore"/>.</summary>
    public async Task<int> CloseIdleBotSessionsAsync(DateTimeOffset lastActivityBefore, CancellationToken cancellationToken)
    {
        var closed = 0;
        foreach (var session in await queueStore.IdleBotSessionsAsync(lastActivityBefore, cancellationToken))
        {
            var result = await CloseAsync(session, new SessionActor(AuthorKind.Bot, SupportBot.Id, SupportBot.Name), SessionResolution.Unresolved,
                new SolutionCard("Other", "Nobody wrote for a while: the assistant ended the conversation.", "", []), cancellationToken);
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
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, "a rating is 1 to 5");
        if (comment is { Length: > 2000 })
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, "a comment has at most 2000 characters");
        if (session.State != SessionState.Closed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "a session is rated once it is closed");
        if (session.Rating is not null)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session is rated already");
        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        var rated = session with { Rating = rating, RatingComment = text };
        var (changed, _) = await sessionStore.UpdateAsync(rated, [SessionState.Closed],
            [new NewMessage(MessageKind.Rating, customer.Kind, customer.Id, customer.Name, SupportCardText.Write(new RatingCard(rating, text)), false, null, time.GetUtcNow())],
            cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, "the session changed meanwhile");
        Changed(session.Id);
        return SupportResult<SupportSession>.Done(rated);
    }

    // Canned replies.

    public async Task<SupportResult<CannedReply>> AddCannedReplyAsync(SessionActor author, string? title, string? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (string.IsNullOrWhiteSpace(title) || title.Length > 100)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, "a title has 1 to 100 characters");
        if (string.IsNullOrWhiteSpace(body) || body.Length > Settings.MaxTextLength)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, $"a reply has 1 to {Settings.MaxTextLength} characters");
        var reply = new CannedReply($"cr-{Guid.NewGuid():N}", title.Trim(), body.Trim(), author.Name, time.GetUtcNow());
        await cannedReplyStore.AddCannedReplyAsync(reply, cancellationToken);
        return SupportResult<CannedReply>.Done(reply);
    }

    /// <summary>A canned reply with its placeholders filled in for a session: {customer}, {agent}, {device}.</summary>
    public static string Fill(CannedReply reply, SupportSession session, string agentName)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(session);
        var firstName = session.CustomerName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? session.CustomerName;
        return reply.Body.Replace("{customer}", firstName, StringComparison.Ordinal).Replace("{agent}", agentName, StringComparison.Ordinal)
            .Replace("{device}", session.DeviceId ?? "your device", StringComparison.Ordinal);
    }

    public void Dispose() => _dispatching.Dispose();

    /// <summary>Stores a card (or a system line) as the session's next message and wakes its readers.</summary>
    private async Task<SupportMessage> PostCardAsync(string sessionId, SessionActor author, MessageKind kind, string body, CancellationToken cancellationToken)
    {
        var (message, _) = await messageStore.AppendAsync(sessionId, new NewMessage(kind, author.Kind, author.Id, author.Name, body, false, null, time.GetUtcNow()), cancellationToken);
        Changed(sessionId);
        return message;
    }

    /// <summary>Wakes the session's readers and every page that shows the queue.</summary>
    private void Changed(string sessionId)
    {
        signals.Notify(sessionId);
        signals.NotifyQueue();
    }

    [LoggerMessage(EventId = SupportEventIds.SupportSessionOpened, Level = LogLevel.Information, Message = "Support session {SessionId} opened by {CustomerId} about {DeviceId}")]
    private partial void LogOpened(string sessionId, string customerId, string? deviceId);

    [LoggerMessage(EventId = SupportEventIds.SupportHandedOver, Level = LogLevel.Information, Message = "Support session {SessionId} handed to the queue (priority {Priority}): {Reason}")]
    private partial void LogHandedOver(string sessionId, string reason, int priority);

    [LoggerMessage(EventId = SupportEventIds.SupportAssigned, Level = LogLevel.Information, Message = "Support session {SessionId} assigned to {AgentId}")]
    private partial void LogAssigned(string sessionId, string agentId);

    [LoggerMessage(EventId = SupportEventIds.SupportClosed, Level = LogLevel.Information, Message = "Support session {SessionId} closed ({Resolution}) by {By}")]
    private partial void LogClosed(string sessionId, SessionResolution resolution, string by);

    [LoggerMessage(EventId = SupportEventIds.SupportBotFailed, Level = LogLevel.Error, Message = "The support assistant failed in session {SessionId}; it was handed over")]
    private partial void LogBotFailed(Exception exception, string sessionId);
}
