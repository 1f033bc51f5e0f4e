using Diagnostics.Cloud.Knowledge;
using Microsoft.Extensions.Localization;

namespace Diagnostics.Cloud.Web.Dashboard.Knowledge;

/// <summary>The knowledge-base words more than one page shows (category names, authors), in <c>KnowledgeText.resx</c>.</summary>
public sealed class KnowledgeText(IStringLocalizer<KnowledgeText> text)
{
    /// <summary>A label from <c>KnowledgeText.resx</c>.</summary>
    public string this[string name] => text[name];

    /// <summary>The category's name for people; an unknown one (a newer file read by an older cloud) as written.</summary>
    public string Category(string category)
    {
        var name = text["Category_" + category];
        return name.ResourceNotFound ? category : name.Value;
    }

    public string Author(string author)
    {
        var who = KnowledgeAuthors.Describe(author);
        return who.Kind switch
        {
            ArticleAuthorKind.StarterSet => text["AuthorStarterSet"],
            ArticleAuthorKind.ImportedFolder => text["AuthorImportedFolder", who.Name],
            _ => who.Name,
        };
    }
}
