using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Why staff's change to the knowledge base (a proposed training phrase) was refused, as a sentence in the reader's
/// language (the request's UI culture), from <c>Resources/Knowledge/KnowledgeExplanations{,.zh-Hans,.ja}.resx</c>.
/// </summary>
public static class KnowledgeExplanations
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Knowledge.KnowledgeExplanations", typeof(KnowledgeExplanations).Assembly);

    public static string Text(string name, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name, args);
}
