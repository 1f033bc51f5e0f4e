using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A message as an API reader reads it. The stored fields are as stored (<see cref="Body"/>: English for the service's
/// own lines, what scripts match); <see cref="TextForReader"/> is the same line in the reader's language where the
/// service has its text in both (<see cref="MessageTranslation"/>), else the body as written, and
/// <see cref="TextForReaderLanguage"/> says which language that text is in, so a client knows when it got the original.
/// <see cref="AuthorNameForReader"/> is the assistant's name in the reader's language (<see cref="AuthorName"/> keeps the stored one).
/// A card's or a picture's body is JSON: its text for the reader is the body and its language null; a status card's
/// supplies also carry <c>nameForReader</c> there (the supply in the reader's words, as the pages show it).
/// </summary>
public sealed record MessageForReader(
    string SessionId,
    long Sequence,
    MessageKind Kind,
    AuthorKind AuthorKind,
    string AuthorId,
    string AuthorName,
    string Body,
    bool Internal,
    string? ClientId,
    DateTimeOffset At,
    string TextForReader,
    string? TextForReaderLanguage,
    string AuthorNameForReader)
{
    // The assistant's name as the conversation page shows it: one text for the page and the API.
    private static readonly LocalizedTexts ConversationTexts = new("Web.Components.Conversation");

    /// <summary>
    /// <paramref name="message"/> for a reader of <paramref name="reader"/> (the request's UI culture: the account's
    /// choice, else Accept-Language). Staff also read the service's staff notes in their language; a person's free words
    /// and lines the service has no text for read as written, in the language their script shows.
    /// </summary>
    public static MessageForReader Of(SupportMessage message, bool forStaff, CultureInfo reader, IReadOnlyList<CannedReply> canned, ArticleIndex articles)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reader);
        var (text, language) = Read(message, forStaff, reader, canned, articles);
        return new MessageForReader(message.SessionId, message.Sequence, message.Kind, message.AuthorKind, message.AuthorId, message.AuthorName, message.Body,
            message.Internal, message.ClientId, message.At, text, language, AuthorNameFor(message));
    }

    /// <summary>The assistant's name in the reader's language; a person's name as they gave it.</summary>
    private static string AuthorNameFor(SupportMessage message) =>
        message.AuthorKind == AuthorKind.Bot ? ConversationTexts.Text("AssistantName") : message.AuthorName;

    private static (string Text, string? Language) Read(SupportMessage message, bool forStaff, CultureInfo reader, IReadOnlyList<CannedReply> canned, ArticleIndex articles)
    {
        if (message.Kind == MessageKind.DeviceStatus)
            return (SupportCardText.StatusCardForReader(message.Body), null);
        if (message.Kind is not (MessageKind.Text or MessageKind.System))
            return (message.Body, null);
        var readerLanguage = reader.Name.Length == 0 ? ArticleLanguages.Original : reader.Name;
        if (forStaff && message.Internal && SupportStaffText.Read(message.Body) is { } staffText && staffText != message.Body)
            return (staffText, readerLanguage);
        // The service's own lines are stored in English; the assistant's and an agent's are in the language the customer
        // was served in, which their script tells. What a customer typed has no other text.
        var written = message.AuthorKind == AuthorKind.System ? ArticleLanguages.Original : ConversationLanguage.Of(message.Body);
        var from = message.AuthorKind == AuthorKind.System ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(written);
        var translated = message.AuthorKind == AuthorKind.Customer ? null : MessageTranslation.Translate(message.Body, message.AuthorKind, from, reader, canned, articles);
        return translated is null ? (message.Body, written) : (translated, readerLanguage);
    }
}

/// <summary>
/// A canned reply as an API reader reads it: the stored fields as stored, <see cref="TitleForReader"/> the title an
/// agent picks it by in their language (<see cref="StarterCannedReplies.TitleFor"/>: a starter reply's topic has a title
/// in every language, a reply staff wrote keeps its own) and <see cref="TitleForReaderLanguage"/> the language of that title.
/// </summary>
public sealed record CannedReplyForReader(
    string Id, string Title, string Body, string CreatedBy, DateTimeOffset CreatedAt, string Language, string? Topic, string TitleForReader, string TitleForReaderLanguage)
{
    public static CannedReplyForReader Of(CannedReply reply, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(reader);
        var title = StarterCannedReplies.TitleFor(reply, reader);
        var language = StarterCannedReplies.IsStarterTopic(reply.Topic) ? (reader.Name.Length == 0 ? ArticleLanguages.Original : reader.Name) : reply.Language;
        return new CannedReplyForReader(reply.Id, reply.Title, reply.Body, reply.CreatedBy, reply.CreatedAt, reply.Language, reply.Topic, title, language);
    }
}
