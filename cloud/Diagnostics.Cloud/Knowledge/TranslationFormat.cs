using System.Text;
using Diagnostics.Cloud.Localization;
using YamlDotNet.Serialization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>The outcome of reading a translation file: the translation, or every problem found.</summary>
public sealed record TranslationParse(ArticleTranslation? Translation, IReadOnlyList<LocalizedMessage> Problems)
{
    public bool IsValid => Translation is not null;

    /// <summary>The problems in English: for logs, tests and the fields that always carried English.</summary>
    public IReadOnlyList<string> Errors => ArticleErrors.English(Problems);

    /// <summary>The problems in the reader's language (the current UI culture).</summary>
    public IReadOnlyList<string> ErrorsForReader => ArticleErrors.ForReader(Problems);
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
            return new TranslationParse(null, [ArticleErrors.Of("TranslationTooLarge", ArticleFormat.MaxBytes / 1024)]);
        var (lines, headerEnd, splitError) = ArticleFormat.SplitHeader(text);
        if (lines is null)
            return new TranslationParse(null, [splitError!]);
        var errors = new List<LocalizedMessage>();
        var header = ArticleFormat.ReadHeader<HeaderYaml>(string.Join('\n', lines[1..headerEnd]), errors);
        var sections = ArticleFormat.ReadSections(lines, headerEnd + 1, errors);
        if (header is null)
            return new TranslationParse(null, errors);

        var id = ArticleFormat.Required(header.Id, "id", errors);
        if (id.Length > 0 && !ArticleFormat.IsValidId(id))
            errors.Add(ArticleErrors.Of("TranslationInvalidId", id));
        if (expectedId is not null && id.Length > 0 && id != expectedId)
            errors.Add(ArticleErrors.Of("IdDiffers", id, expectedId));
        var language = ArticleFormat.Required(header.Language, "language", errors);
        if (language.Length > 0 && !ArticleLanguages.IsTranslationLanguage(language))
            errors.Add(ArticleErrors.Of("InvalidLanguage", language));
        if (expectedLanguage is not null && language.Length > 0 && language != expectedLanguage)
            errors.Add(ArticleErrors.Of("LanguageDiffers", language, expectedLanguage));
        var title = ArticleFormat.Required(header.Title, "title", errors);
        var summary = ArticleFormat.Required(header.Summary, "summary", errors);
        if (header.Applies is not null)
            errors.Add(ArticleErrors.Of("TranslationApplies"));
        string? describe = null;
        if (header.Remediation is { } remediation)
        {
            if (remediation.Keys.Any(k => k != "describe"))
                errors.Add(ArticleErrors.Of("TranslationRemediationKeys", string.Join(", ", remediation.Keys.Where(k => k != "describe"))));
            describe = remediation.TryGetValue("describe", out var value) && value is string said && !string.IsNullOrWhiteSpace(said) ? said.Trim() : null;
            if (describe is null)
                errors.Add(ArticleErrors.Of("TranslationDescribeMissing"));
        }
        foreach (var heading in ArticleFormat.Sections.Where(h => !sections.ContainsKey(h)))
            errors.Add(ArticleErrors.Of("TranslationSectionMissing", heading));
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
