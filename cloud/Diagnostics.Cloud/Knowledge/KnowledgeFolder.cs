namespace Diagnostics.Cloud.Knowledge;

/// <summary>A file of an article folder: the article it is, or translates, and the translation's language (none for the article).</summary>
public sealed record KnowledgeFile(string Path, string ArticleId, string? Language);

/// <summary>
/// The files of an article folder: <c>&lt;id&gt;.md</c> for each article and <c>&lt;id&gt;.&lt;language&gt;.md</c> for
/// each of its translations, beside it; the folder's README is not an article.
/// </summary>
public static class KnowledgeFolder
{
    /// <summary>The file in an article folder that documents the folder and is not an article.</summary>
    public const string Readme = "README.md";

    /// <summary>Every article, then every translation, each group in name order (a translation is checked against its article).</summary>
    public static IReadOnlyList<KnowledgeFile> Files(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return [.. Directory.EnumerateFiles(folder, "*.md")
            .Where(file => !string.Equals(System.IO.Path.GetFileName(file), Readme, StringComparison.OrdinalIgnoreCase))
            .Select(file => (file, Key: ArticleLanguages.Split(System.IO.Path.GetFileNameWithoutExtension(file))))
            .OrderBy(f => f.Key.Language is null ? 0 : 1)
            .ThenBy(f => System.IO.Path.GetFileName(f.file), StringComparer.Ordinal)
            .Select(f => new KnowledgeFile(f.file, f.Key.ArticleId, f.Key.Language))];
    }

    /// <summary>The articles of a folder only.</summary>
    public static IEnumerable<KnowledgeFile> Articles(string folder) => Files(folder).Where(f => f.Language is null);

    /// <summary>The translations of a folder only.</summary>
    public static IEnumerable<KnowledgeFile> Translations(string folder) => Files(folder).Where(f => f.Language is not null);
}
