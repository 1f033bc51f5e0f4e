namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Who an article version is by, as stored and as shown: a person's signature, the starter set that ships with the cloud,
/// or a folder an operator imported — never the build path the starter set happens to be copied to.
/// </summary>
public static class KnowledgeAuthors
{
    /// <summary>The author of the starter knowledge base (<c>knowledge-base</c> beside the program).</summary>
    public const string StarterSet = "starter set";

    private const string ImportPrefix = "import:";
    private const string StarterFolderName = "knowledge-base";

    /// <summary>The author to store for articles imported from a folder at start.</summary>
    public static string OfFolder(string folder) => IsStarterFolder(folder) ? StarterSet : ImportPrefix + Path.GetFullPath(folder);

    /// <summary>
    /// Who the author is, for showing: the starter set (also versions stored before this rule with the folder's build
    /// path), an imported folder by its name, anyone else as stored. The words around them are the page's to translate.
    /// </summary>
    public static ArticleAuthor Describe(string author)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (author == StarterSet)
            return new ArticleAuthor(ArticleAuthorKind.StarterSet, author);
        if (!author.StartsWith(ImportPrefix, StringComparison.Ordinal))
            return new ArticleAuthor(ArticleAuthorKind.Person, author);
        var source = author[ImportPrefix.Length..];
        if (!Path.IsPathRooted(source))
            return new ArticleAuthor(ArticleAuthorKind.Person, source);
        return IsStarterFolder(source)
            ? new ArticleAuthor(ArticleAuthorKind.StarterSet, StarterSet)
            : new ArticleAuthor(ArticleAuthorKind.ImportedFolder, Path.GetFileName(Path.TrimEndingDirectorySeparator(source)));
    }

    private static bool IsStarterFolder(string folder) =>
        string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), StarterFolderName, StringComparison.Ordinal);
}

public enum ArticleAuthorKind
{
    /// <summary>A person's signature, shown as stored.</summary>
    Person,
    /// <summary>The starter knowledge base that ships with the cloud.</summary>
    StarterSet,
    /// <summary>A folder an operator imported; <see cref="ArticleAuthor.Name"/> is the folder's name.</summary>
    ImportedFolder,
}

/// <summary>Who an article version is by: a person (their signature), the starter set, or an imported folder (its name).</summary>
public sealed record ArticleAuthor(ArticleAuthorKind Kind, string Name);
