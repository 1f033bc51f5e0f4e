namespace Diagnostics.Cloud.Knowledge;

public sealed class KnowledgeOptions
{
    public const string SectionName = "Knowledge";

    /// <summary>
    /// The folder of article files imported at start; empty: none. By default the starter knowledge base that ships
    /// beside the program (<c>cloud/knowledge-base</c>, copied into the build output).
    /// </summary>
    public string ImportPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "knowledge-base");

    public bool ImportOnStart { get; set; } = true;
}
