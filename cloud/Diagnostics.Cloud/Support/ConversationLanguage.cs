using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The language a customer reads and writes a conversation in, for the agent who joins it: what the customer writes in
/// (when the script tells: Chinese, Japanese), else the language they chose for the app, else the language of the
/// articles the assistant showed them, else English.
/// </summary>
public static class ConversationLanguage
{
    public static CultureInfo Of(IEnumerable<SupportMessage> messages, string? accountLanguage)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var all = messages as IReadOnlyList<SupportMessage> ?? [.. messages];
        var written = all.Where(m => m.Kind == MessageKind.Text && m.AuthorKind == AuthorKind.Customer)
            .Select(m => WrittenLanguage.Detect(m.Body, CultureInfo.InvariantCulture))
            .LastOrDefault(culture => culture.Name.Length > 0);
        if (written is not null)
            return written;
        if (ArticleLanguages.Culture(accountLanguage) is { } chosen)
            return chosen;
        var shown = all.Where(m => m.Kind == MessageKind.Article).Select(m => SupportCardText.Read<ArticleCard>(m.Body))
            .LastOrDefault(card => card is { EnglishFallback: false });
        return ArticleLanguages.Culture(shown?.Language) ?? SupportedCultures.Default;
    }

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo(ArticleLanguages.Original);

    /// <summary>The language one text is written in, by its name (<c>en</c>, <c>zh-Hans</c>, <c>ja</c>); English for no text or Latin text.</summary>
    public static string Of(string? text)
    {
        var culture = WrittenLanguage.Detect(text, English);
        return ArticleLanguages.IsOriginal(culture) ? ArticleLanguages.Original : culture.Name;
    }
}
