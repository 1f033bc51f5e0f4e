using System.Xml.Linq;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from: sources, and the translators' resource files for expected texts.</summary>
internal static class RepositoryFiles
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Diagnostics.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("The tests run from outside the repository.");
    }

    /// <summary>The values of <c>cloud/Diagnostics.Cloud/Resources/{path}.{language}.resx</c> as the translators wrote them.</summary>
    public static Dictionary<string, string> ResourceTexts(string path, string language)
    {
        var file = Path.Combine(Root(), "cloud", "Diagnostics.Cloud", "Resources", $"{path}.{language}.resx");
        return XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);
    }
}
