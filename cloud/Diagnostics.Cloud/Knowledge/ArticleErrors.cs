using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// What an author is told when an article or a translation does not read or validate, from
/// <c>Resources/Knowledge/ArticleErrors{,.zh-Hans,.ja}.resx</c>: worded in the author's language on the editor and in the
/// API's answers, in English for logs and the fields that always carried English (<c>errors</c> of an import report).
/// Line numbers, keys (<c>applies.codes</c>), headings and the author's own values stay as written in every language.
/// </summary>
public static class ArticleErrors
{
    private static readonly LocalizedTexts Texts = new("Knowledge.ArticleErrors");

    internal static LocalizedMessage Of(string name, params object?[] values) => new(Texts, name, values);

    public static IReadOnlyList<string> English(IEnumerable<LocalizedMessage> problems) => [.. problems.Select(p => p.Invariant)];

    public static IReadOnlyList<string> ForReader(IEnumerable<LocalizedMessage> problems) => [.. problems.Select(p => p.ForReader)];
}
