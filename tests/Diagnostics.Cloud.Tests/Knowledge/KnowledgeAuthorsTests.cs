using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class KnowledgeAuthorsTests
{
    [Fact]
    public void The_starter_folder_is_stored_and_shown_as_the_starter_set()
    {
        Assert.Equal(KnowledgeAuthors.StarterSet, KnowledgeAuthors.OfFolder(Path.Combine(AppContext.BaseDirectory, "knowledge-base")));
        // Versions stored before the rule carry the build path: shown as the starter set too.
        Assert.Equal(new ArticleAuthor(ArticleAuthorKind.StarterSet, "starter set"), KnowledgeAuthors.Describe("import:/work/x/cloud/Diagnostics.Cloud/bin/Debug/net10.0/knowledge-base"));
        Assert.Equal(ArticleAuthorKind.StarterSet, KnowledgeAuthors.Describe(KnowledgeAuthors.StarterSet).Kind);
    }

    [Fact]
    public void An_operators_folder_is_shown_by_its_name_and_a_person_as_stored()
    {
        Assert.Equal(new ArticleAuthor(ArticleAuthorKind.ImportedFolder, "printers-kb"), KnowledgeAuthors.Describe(KnowledgeAuthors.OfFolder("/srv/printers-kb/")));
        Assert.Equal(new ArticleAuthor(ArticleAuthorKind.Person, "Ada Agent <ada@example.com>"), KnowledgeAuthors.Describe("Ada Agent <ada@example.com>"));
    }
}
