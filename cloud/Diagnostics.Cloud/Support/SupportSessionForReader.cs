using System.Globalization;
using System.Text.Json.Serialization;
using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A session as an API reader reads it: every stored field as stored (<see cref="SupportSession.HandoverReason"/> in
/// English, what scripts and the unanswered-questions query match) and beside it <see cref="HandoverReasonForReader"/>,
/// the same reason in the reader's language as the desk and the conversation page show it (<see cref="SupportStaffText.Read"/>),
/// with <see cref="HandoverReasonForReaderLanguage"/> saying which language that text is in, so a client knows when it
/// got the stored text (a reason the service has no text for, written before). Both null when there is no reason.
/// </summary>
public sealed record SupportSessionForReader : SupportSession
{
    private SupportSessionForReader(SupportSession session, string? reasonForReader, string? reasonLanguage) : base(session)
    {
        HandoverReasonForReader = reasonForReader;
        HandoverReasonForReaderLanguage = reasonLanguage;
        CategoryForReader = session.Category is null ? null : SessionCategoryWords.ForReader(session.Category);
    }

    // For a client reading the API's answer back (System.Text.Json sets every field through its init accessor).
    [JsonConstructor]
    private SupportSessionForReader() : base(Unread)
    {
    }

    private static readonly SupportSession Unread = new("", "", "", null, SessionState.Bot, null, null, "", default, 0, null, null, null, null, null, null, null, null, null, null, null, 0);

    public string? HandoverReasonForReader { get; init; }

    public string? HandoverReasonForReaderLanguage { get; init; }

    /// <summary>The session's <see cref="SupportSession.Category"/> (stored in English) in the reader's language, as the pages word it; null without a category.</summary>
    public string? CategoryForReader { get; init; }

    /// <summary>
    /// <paramref name="session"/> for the request's reader (its UI culture: the account's choice, else Accept-Language);
    /// an article's title quoted in the reason reads in the reader's translation of it in <paramref name="articles"/>.
    /// </summary>
    public static SupportSessionForReader Of(SupportSession session, ArticleIndex articles)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session is SupportSessionForReader read)
            return read;
        if (session.HandoverReason is not { } stored)
            return new SupportSessionForReader(session, null, null);
        var reason = SupportStaffText.Read(stored, articles) ?? stored;
        var reader = CultureInfo.CurrentUICulture;
        var language = reason != stored && reader.Name.Length > 0 ? reader.Name : ConversationLanguage.Of(stored);
        return new SupportSessionForReader(session, reason, language);
    }

    /// <summary>Each of <paramref name="sessions"/> for the request's reader, in order.</summary>
    public static IReadOnlyList<SupportSessionForReader> Of(IEnumerable<SupportSession> sessions, ArticleIndex articles) =>
        sessions.Select(session => Of(session, articles)).ToList();
}
