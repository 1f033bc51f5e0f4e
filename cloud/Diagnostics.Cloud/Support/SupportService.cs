using System.Text.Json;
using Diagnostics.Cloud.Devices;
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
}

/// <summary>
/// Support sessions: opened with the device's state attached, messages stored before anyone is told of them, and
/// reads by position so a client that comes back gets exactly what it missed, in order, once.
/// </summary>
public sealed class SupportService(SqliteSupportStore store, SessionSignals signals, IDeviceStore devices, IOptions<SupportOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Opens a session for a customer, with the device's status card first and the customer's words after it.</summary>
    public async Task<(SupportSession? Session, SupportError Error, string Detail)> OpenAsync(
        string customerId, string? deviceId, string? text, SessionActor openedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openedBy);
        if (text is { Length: > 0 } && text.Length > options.Value.MaxTextLength)
            return (null, SupportError.Invalid, $"a message has at most {options.Value.MaxTextLength} characters");
        var now = time.GetUtcNow();
        var first = new List<NewMessage>
        {
            new(MessageKind.System, AuthorKind.System, "system", "Diagnostics", "Session opened.", false, null, now),
        };
        if (deviceId is not null)
        {
            if (await devices.GetAsync(deviceId, cancellationToken) is not { } device)
                return (null, SupportError.NotFound, $"there is no device {deviceId}");
            first.Add(new NewMessage(MessageKind.DeviceStatus, AuthorKind.System, "system", "Diagnostics", StatusCard(device), false, null, now));
        }
        if (!string.IsNullOrWhiteSpace(text))
            first.Add(new NewMessage(MessageKind.Text, openedBy.Kind, openedBy.Id, openedBy.Name, text.Trim(), false, null, now));
        var session = new SupportSession($"ss-{Guid.NewGuid():N}", customerId, deviceId, SessionState.Bot, null, openedBy.Name, now, null, 0);
        var (stored, _) = await store.CreateAsync(session, first, cancellationToken);
        return (stored, SupportError.None, "");
    }

    /// <summary>Stores a message as the session's next and wakes whoever waits for it.</summary>
    public async Task<(SupportMessage? Message, SupportError Error, string Detail)> PostAsync(
        SupportSession session, SessionActor author, string? text, string? clientId, bool internalNote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(author);
        if (session.State == SessionState.Closed)
            return (null, SupportError.Closed, "the session is closed; open a new one");
        if (string.IsNullOrWhiteSpace(text) || text.Length > options.Value.MaxTextLength)
            return (null, SupportError.Invalid, $"a message has 1 to {options.Value.MaxTextLength} characters");
        if (clientId is { Length: > 100 })
            return (null, SupportError.Invalid, "a client message id has at most 100 characters");
        if (internalNote && author.Kind != AuthorKind.Agent)
            return (null, SupportError.Invalid, "only agents write internal notes");
        var (message, _) = await store.AppendAsync(session.Id,
            new NewMessage(MessageKind.Text, author.Kind, author.Id, author.Name, text.Trim(), internalNote, clientId, time.GetUtcNow()), cancellationToken);
        signals.Notify(session.Id);
        return (message, SupportError.None, "");
    }

    /// <summary>
    /// The messages after <paramref name="afterSequence"/>; with <paramref name="wait"/>, holds on until one comes (or
    /// the wait ends) when there is none yet — the long poll a phone keeps open.
    /// </summary>
    public async Task<IReadOnlyList<SupportMessage>> ReadAsync(string sessionId, long afterSequence, bool includeInternal, TimeSpan wait, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxMessagesPerRead;
        var deadline = time.GetUtcNow() + (wait > options.Value.MaxWait ? options.Value.MaxWait : wait);
        while (true)
        {
            // Take the signal before reading, so a message stored between the read and the wait still wakes us.
            var next = signals.NextAsync(sessionId);
            var messages = await store.MessagesAsync(sessionId, afterSequence, includeInternal, limit, cancellationToken);
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

    private static string StatusCard(DeviceDetails device) => JsonSerializer.Serialize(new
    {
        device.DeviceId,
        device.Model,
        device.Firmware,
        State = device.State.ToString(),
        Health = device.Health.ToString(),
        Presence = device.Presence.ToString(),
        Conditions = device.ActiveConditions.Select(c => new { c.Code, c.Condition, Severity = c.Severity.ToString(), c.Message }),
        Supplies = device.Supplies.Select(s => new { s.Name, s.LevelPercent, s.Low, s.Empty }),
    }, Json);
}
