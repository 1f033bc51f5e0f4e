namespace Diagnostics.Cloud.Support;

/// <summary>
/// What the sessions, the queue and the cards share: storing a card or a system line as a session's next message, and
/// waking whoever shows the session or the queue.
/// </summary>
public sealed class SessionPosting(SupportMessageStore messageStore, SessionSignals signals, TimeProvider time)
{
    /// <summary>The author of system lines: joins, transfers, decisions.</summary>
    public static readonly SessionActor System = new(AuthorKind.System, "system", "Diagnostics");

    /// <summary>Stores a card (or a system line) as the session's next message and wakes its readers.</summary>
    public async Task<SupportMessage> PostCardAsync(string sessionId, SessionActor author, MessageKind kind, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(author);
        var (message, _) = await messageStore.AppendAsync(sessionId, new NewMessage(kind, author.Kind, author.Id, author.Name, body, false, null, time.GetUtcNow()), cancellationToken);
        Changed(sessionId);
        return message;
    }

    /// <summary>Wakes the session's readers and every page that shows the queue.</summary>
    public void Changed(string sessionId)
    {
        signals.Notify(sessionId);
        signals.NotifyQueue();
    }
}
