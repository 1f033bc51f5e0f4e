using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Why staff's change to the knowledge base (a proposed training phrase) was refused, as a sentence in the reader's
/// language (the request's UI culture), from <c>Resources/Knowledge/KnowledgeExplanations{,.zh-Hans,.ja}.resx</c>.
/// </summary>
public static class KnowledgeExplanations
{
    private static readonly LocalizedTexts Texts = new("Knowledge.KnowledgeExplanations");

    public static string Text(string name, params object?[] args) => Texts.Format(name, args);
}
