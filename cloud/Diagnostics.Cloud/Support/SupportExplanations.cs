using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Why the support desk refused something, as a whole sentence in the reader's language (the request's UI culture):
/// the <see cref="SupportResult{T}.Detail"/> the pages show and the API passes on as its problem's detail, from
/// <c>Resources/Support/SupportExplanations{,.zh-Hans,.ja}.resx</c>.
/// </summary>
public static class SupportExplanations
{
    private static readonly LocalizedTexts Texts = new("Support.SupportExplanations");

    public static string Text(string name, params object?[] args) => Texts.Format(name, args);

    /// <summary>
    /// A detail as a sentence on a page: the desk's own explanations already are; one passed on from elsewhere (a fix
    /// or rollout refusal, "the fix expired") gets its capital and full stop.
    /// </summary>
    public static string AsSentence(string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var text = detail.Trim();
        if (text.Length == 0 || !char.IsAsciiLetterLower(text[0]))
            return text;
        return string.Concat(char.ToUpperInvariant(text[0]).ToString(), text[1..], text.EndsWith('.') ? "" : ".");
    }
}
