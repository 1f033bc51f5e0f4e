using System.Collections.Concurrent;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Who is writing in a conversation right now, so the other side sees "Alex is writing…" as people expect of a chat.
/// Kept in memory only (a lost typing state costs nothing); it lapses a few seconds after the last key, and ends when
/// the message is sent. The other side is woken through <see cref="SessionSignals"/> only when the state changes, not
/// at every key.
/// </summary>
public sealed class SessionTyping(SessionSignals signals, TimeProvider time)
{
    /// <summary>How long one key press keeps "is writing" up.</summary>
    public static readonly TimeSpan ShownFor = TimeSpan.FromSeconds(6);

    private readonly ConcurrentDictionary<(string SessionId, AuthorKind Side), (string Name, DateTimeOffset Until)> _typing = new();

    /// <summary>Someone on <paramref name="side"/> typed a key in the conversation.</summary>
    public void Typed(string sessionId, AuthorKind side, string name)
    {
        var now = time.GetUtcNow();
        var wasTyping = _typing.TryGetValue((sessionId, side), out var before) && before.Until > now;
        _typing[(sessionId, side)] = (name, now + ShownFor);
        if (!wasTyping)
        {
            Prune(now);
            signals.Notify(sessionId);
        }
    }

    /// <summary>They sent their message (or cleared it): the other side stops showing them writing.</summary>
    public void Stopped(string sessionId, AuthorKind side)
    {
        if (_typing.TryRemove((sessionId, side), out _))
            signals.Notify(sessionId);
    }

    /// <summary>The name of someone on another side than <paramref name="me"/> writing now, and until when; null when nobody is.</summary>
    public (string Name, DateTimeOffset Until)? OtherSide(string sessionId, AuthorKind me)
    {
        var now = time.GetUtcNow();
        foreach (var ((session, side), state) in _typing)
        {
            if (session == sessionId && side != me && state.Until > now)
                return state;
        }
        return null;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, state) in _typing)
        {
            if (state.Until <= now)
                _typing.TryRemove(KeyValuePair.Create(key, state));
        }
    }
}
