using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;

namespace Diagnostics.Cloud.Tests.Knowledge.Search;

/// <summary>The starter knowledge base (articles and their translations) as the search tests read it, parsed once.</summary>
internal static class StarterSearch
{
    private static readonly Lazy<(IReadOnlyList<Article> Articles, IReadOnlyList<ArticleTranslation> Translations)> Texts = new(() =>
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "knowledge-base");
        return (
            [.. KnowledgeFolder.Articles(folder).Select(f => ArticleFormat.Parse(File.ReadAllText(f.Path)).Article!)],
            [.. KnowledgeFolder.Translations(folder).Select(f => TranslationFormat.Parse(File.ReadAllText(f.Path)).Translation!)]);
    });

    private static readonly Lazy<ArticleSearch> Untrained = new(() => Build([]));

    public static IReadOnlyList<Article> Articles => Texts.Value.Articles;

    public static IReadOnlyList<ArticleTranslation> Translations => Texts.Value.Translations;

    /// <summary>The search over the starter articles and translations, without training phrases.</summary>
    public static ArticleSearch Search => Untrained.Value;

    public static ArticleSearch Build(IEnumerable<SearchPhrase> phrases) => ArticleSearch.Build(Articles, Translations, phrases);

    /// <summary>A labelled phrasings file of the load tool (<c>article-id TAB phrasing</c>).</summary>
    public static IReadOnlyList<(string ArticleId, string Phrasing)> Phrasings(string file) =>
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Knowledge", "Phrasings", file))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(parts => (parts[0], parts[1]))];
}
