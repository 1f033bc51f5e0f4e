using System.Text;
using YamlDotNet.Serialization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>The outcome of reading a translation file: the translation, or every problem found.</summary>
public sealed record TranslationParse(ArticleTranslation? Translation, IReadOnlyList<string> Errors)
{
    public bool IsValid => Translation is not null;
}

/// <summary>
/// Reads a translation file (<c>&lt;id&gt;.&lt;language&gt;.md</c> beside the article; see
/// <c>cloud/knowledge-base/README.md</c>): a YAML header with the article's <c>id</c>, the <c>language</c>, and the
/// texts people read (<c>title</c>, <c>summary</c>, <c>tags</c>, <c>remediation.describe</c>), then the same three
/// sections with the same English headings. Keys stay English; what the article applies to and its fix's command are
/// the original's and are refused here. Pure, like <see cref="ArticleFormat"/>.
/// </summary>
public static class TranslationFormat
{
    /// <summary>Whether a text is a translation rather than an article: its header names a language.</summary>
    public static bool IsTranslation(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (lines, headerEnd, _) = ArticleFormat.SplitHeader(text);
        return lines is not null && lines[1..headerEnd].Any(line => line.StartsWith("language:", StringComparison.Ordinal));
    }

    /// <param name="expectedId">The article the file name or address names; null when none.</param>
    /// <param name="expectedLanguage">The language the file name or address names; null when none.</param>
    public static TranslationParse Parse(string text, string? expectedId = null, string? expectedLanguage = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Encoding.UTF8.GetByteCount(text) > ArticleFormat.MaxBytes)
            return new TranslationParse(null, [$"the translation is larger than {ArticleFormat.MaxBytes / 1024} KiB"]);
        var (lines, headerEnd, splitError) = ArticleFormat.SplitHeader(text);
        if (lines is null)
            return new TranslationParse(null, [splitError!]);
        var errors = new List<string>();
        var header = ArticleFormat.ReadHeader<HeaderYaml>(string.Join('\n', lines[1..headerEnd]), errors);
        var sections = ArticleFormat.ReadSections(lines, headerEnd + 1, errors);
        if (header is null)
            return new TranslationParse(null, errors);

        var id = ArticleFormat.Required(header.Id, "id", errors);
        if (id.Length > 0 && !ArticleFormat.IsValidId(id))
            errors.Add($"id \"{id}\": the id of the article this translates (3 to 64 lowercase letters, digits and dashes)");
        if (expectedId is not null && id.Length > 0 && id != expectedId)
            errors.Add($"id \"{id}\" differs from the file or address it came from (\"{expectedId}\")");
        var language = ArticleFormat.Required(header.Language, "language", errors);
        if (language.Length > 0 && !ArticleLanguages.IsTranslationLanguage(language))
            errors.Add($"language \"{language}\": a culture name as .NET writes it (zh-Hans, ja, ko, pt-BR), other than English, which the article itself is in");
        if (expectedLanguage is not null && language.Length > 0 && language != expectedLanguage)
            errors.Add($"language \"{language}\" differs from the file or address it came from (\"{expectedLanguage}\")");
        var title = ArticleFormat.Required(header.Title, "title", errors);
        var summary = ArticleFormat.Required(header.Summary, "summary", errors);
        if (header.Applies is not null)
            errors.Add("applies: a translation takes what the article applies to from the article; leave applies out");
        string? describe = null;
        if (header.Remediation is { } remediation)
        {
            if (remediation.Keys.Any(k => k != "describe"))
                errors.Add($"remediation: a translation gives only remediation.describe; {string.Join(", ", remediation.Keys.Where(k => k != "describe"))} come from the article");
            describe = remediation.TryGetValue("describe", out var value) && value is string said && !string.IsNullOrWhiteSpace(said) ? said.Trim() : null;
            if (describe is null)
                errors.Add("remediation.describe: the text of what the device will do, in this language");
        }
        foreach (var heading in ArticleFormat.Sections.Where(h => !sections.ContainsKey(h)))
            errors.Add($"the section '## {heading}' is missing (headings stay in English in every language)");
        if (errors.Count > 0)
            return new TranslationParse(null, errors);

        return new TranslationParse(new ArticleTranslation(id, language, title, summary, describe, ArticleFormat.Clean(header.Tags),
            sections[ArticleFormat.SymptomsHeading], sections[ArticleFormat.CustomerStepsHeading], sections[ArticleFormat.AgentNotesHeading]), []);
    }

    // Unknown keys are an error, as in an article; applies is read only to say it does not belong here.
    private sealed class HeaderYaml
    {
        [YamlMember(Alias = "id")] public string? Id { get; set; }
        [YamlMember(Alias = "language")] public string? Language { get; set; }
        [YamlMember(Alias = "title")] public string? Title { get; set; }
        [YamlMember(Alias = "summary")] public string? Summary { get; set; }
        [YamlMember(Alias = "tags")] public List<string>? Tags { get; set; }
        [YamlMember(Alias = "remediation")] public Dictionary<string, object?>? Remediation { get; set; }
        [YamlMember(Alias = "applies")] public object? Applies { get; set; }
    }
}
