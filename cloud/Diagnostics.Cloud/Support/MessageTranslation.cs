using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A chat line in another language, where the service has the text in both: the assistant's lines (SupportBot.resx),
/// the conversation's own lines (SupportSystemText.resx) and an agent's canned replies that share a topic across
/// languages, with the values the assistant wrote in the customer's language (a fix's note, an article's title) in the
/// reader's. What a person typed freely has no such text: <see cref="Translate"/> returns null and the reader sees it
/// as written. Nothing is machine-translated.
/// </summary>
public static partial class MessageTranslation
{
    private static readonly ResourceManager BotTexts = new("Diagnostics.Cloud.Resources.Support.SupportBot", typeof(MessageTranslation).Assembly);

    /// <summary>
    /// The <paramref name="body"/> of a message written in <paramref name="from"/>, as it reads in <paramref name="to"/>;
    /// null when the service does not have its text in both. A person's name stays as written; an article's title is read
    /// in <paramref name="to"/>'s translation of the article found in <paramref name="articles"/> (without them, as written).
    /// </summary>
    public static string? Translate(string body, AuthorKind author, CultureInfo from, CultureInfo to, IReadOnlyList<CannedReply> canned, ArticleIndex? articles = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(canned);
        return author switch
        {
            // A fix's note the assistant quoted ("… did not fix it: {note}") is a fix note of the customer's language, an
            // article's title the title of that language's article.
            AuthorKind.Bot => StoredTextReader.Reword(BotTexts, "bot", body, from, to,
                value => FixNotes.Translate(value, from, to) ?? (articles is null ? null : ArticleWording.OfTitle(articles, value, from, to)?.Title)),
            // The conversation's own lines quote an article's English title ("Li Lei approved \"Out of paper\"…"): the
            // title of the reader's translation, or the English one marked as not translated.
            AuthorKind.System => StoredTextReader.Reword(SupportSystemText.Texts, "system", body, CultureInfo.InvariantCulture, to,
                (key, index, value) => articles is not null && SupportSystemText.QuotesTitle(key, index) ? ArticleWording.QuotedTitle(articles, value, CultureInfo.InvariantCulture, to) : null),
            AuthorKind.Agent => FromCanned(body, from, to, canned),
            _ => null,
        };
    }

    private static string? FromCanned(string body, CultureInfo from, CultureInfo to, IReadOnlyList<CannedReply> canned)
    {
        foreach (var reply in canned.Where(r => r.Topic is not null && SameLanguage(r.Language, from)))
        {
            var pattern = CannedPlaceholder().Replace(Regex.Escape(reply.Body), m => $"(?<{m.Groups[1].Value}>.+?)");
            var match = Regex.Match(body.Trim(), "^" + pattern + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (!match.Success)
                continue;
            if (canned.FirstOrDefault(r => r.Topic == reply.Topic && SameLanguage(r.Language, to)) is not { } other)
                return null;
            return CannedPlaceholder().Replace(other.Body, m => match.Groups[m.Groups[1].Value] is { Success: true } g ? g.Value : m.Value);
        }
        return null;
    }

    /// <summary>Whether a reply written in <paramref name="language"/> ("zh-Hans") serves <paramref name="culture"/> (zh-Hans-CN, zh-Hans).</summary>
    public static bool SameLanguage(string language, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        if (culture.Name.Length == 0)
            return language == "en";
        for (var c = culture; c.Name.Length > 0; c = c.Parent)
        {
            if (string.Equals(language, c.Name, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    [GeneratedRegex(@"\\?\{(customer|agent|device)\\?}")]
    private static partial Regex CannedPlaceholder();
}
