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
    /// The author as shown: the starter set by that name (also versions stored before this rule with the folder's build
    /// path), an imported folder by its name, anyone else as stored.
    /// </summary>
    public static string Display(string author)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (!author.StartsWith(ImportPrefix, StringComparison.Ordinal))
            return author;
        var source = author[ImportPrefix.Length..];
        if (!Path.IsPathRooted(source))
            return source;
        return IsStarterFolder(source) ? StarterSet : $"import from {Path.GetFileName(Path.TrimEndingDirectorySeparator(source))}";
    }

    private static bool IsStarterFolder(string folder) =>
        string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), StarterFolderName, StringComparison.Ordinal);
}
