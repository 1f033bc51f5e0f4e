using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>The outcome of reading an article file: the article, or every problem found, each saying where.</summary>
public sealed record ArticleParse(Article? Article, IReadOnlyList<LocalizedMessage> Problems)
{
    public bool IsValid => Article is not null;

    /// <summary>The problems in English: for logs, tests and the fields that always carried English.</summary>
    public IReadOnlyList<string> Errors => ArticleErrors.English(Problems);

    /// <summary>The problems in the reader's language (the current UI culture).</summary>
    public IReadOnlyList<string> ErrorsForReader => ArticleErrors.ForReader(Problems);
}

/// <summary>
/// Reads the article file format (a YAML header between <c>---</c> lines, then <c>## Symptoms</c>,
/// <c>## Customer steps</c> and <c>## Agent notes</c>; see <c>cloud/knowledge-base/README.md</c>). Pure: text in,
/// an article or a list of errors out, so a bad file never reaches the store.
/// </summary>
public static partial class ArticleFormat
{
    public const int MaxBytes = 64 * 1024;

    public const string SymptomsHeading = "Symptoms";
    public const string CustomerStepsHeading = "Customer steps";
    public const string AgentNotesHeading = "Agent notes";

    internal static readonly string[] Sections = [SymptomsHeading, CustomerStepsHeading, AgentNotesHeading];

    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <param name="expectedId">The id the file name or URL gives, which the header must repeat; null when none.</param>
    public static ArticleParse Parse(string text, string? expectedId = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<LocalizedMessage>();
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
            return new ArticleParse(null, [ArticleErrors.Of("TooLarge", MaxBytes / 1024)]);
        var (lines, headerEnd, splitError) = SplitHeader(text);
        if (lines is null)
            return new ArticleParse(null, [splitError!]);
        if (TranslationFormat.IsTranslation(text))
            return new ArticleParse(null, [ArticleErrors.Of("IsTranslation")]);

        var header = ReadHeader<HeaderYaml>(string.Join('\n', lines[1..headerEnd]), errors);
        var sections = ReadSections(lines, headerEnd + 1, errors);
        if (header is null)
            return new ArticleParse(null, errors);

        var id = Required(header.Id, "id", errors);
        if (id.Length > 0 && !IsValidId(id))
            errors.Add(ArticleErrors.Of("InvalidId", id));
        if (expectedId is not null && id.Length > 0 && id != expectedId)
            errors.Add(ArticleErrors.Of("IdDiffers", id, expectedId));
        var title = Required(header.Title, "title", errors);
        var summary = Required(header.Summary, "summary", errors);

        var applies = header.Applies ?? new AppliesYaml();
        var codes = Clean(applies.Codes);
        foreach (var code in codes.Where(c => !CodePattern().IsMatch(c)))
            errors.Add(ArticleErrors.Of("CodeForm", code));
        var conditions = Clean(applies.Conditions);
        foreach (var condition in conditions.Where(c => !Conditions.All.Contains(c)))
            errors.Add(ArticleErrors.Of("NotACondition", condition));
        if (codes.Count == 0 && conditions.Count == 0)
            errors.Add(ArticleErrors.Of("NothingApplies"));
        if (!FirmwareRange.TryRead(applies.Firmware, out var firmware, out var firmwareError))
            errors.Add(ArticleErrors.Of("Firmware", firmwareError));

        var category = string.IsNullOrWhiteSpace(header.Category) ? null : header.Category.Trim();
        if (category is not null && !ArticleCategory.IsKnown(category))
            errors.Add(ArticleErrors.Of("UnknownCategory", category, string.Join(", ", ArticleCategory.All)));

        var remediation = header.Remediation is null ? null : ReadRemediation(header.Remediation, errors);

        foreach (var heading in Sections.Where(h => !sections.ContainsKey(h)))
            errors.Add(ArticleErrors.Of("SectionMissing", heading));
        if (errors.Count > 0)
            return new ArticleParse(null, errors);

        var article = new Article(
            id, title, summary,
            new Applicability(codes, conditions, Clean(applies.Models), firmware),
            remediation,
            Clean(header.Tags),
            sections[SymptomsHeading], sections[CustomerStepsHeading], sections[AgentNotesHeading]);
        if (category is not null)
            article = article with { Category = category };
        return new ArticleParse(article, []);
    }

    /// <summary>The file's lines and where its YAML header ends (the closing <c>---</c>), or why it has no header.</summary>
    internal static (string[]? Lines, int HeaderEnd, LocalizedMessage? Error) SplitHeader(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---")
            return (null, -1, ArticleErrors.Of("NoHeaderStart"));
        var headerEnd = Array.FindIndex(lines, 1, line => line.Trim() == "---");
        return headerEnd < 0 ? (null, -1, ArticleErrors.Of("HeaderNotClosed")) : (lines, headerEnd, null);
    }

    internal static T? ReadHeader<T>(string yaml, List<LocalizedMessage> errors) where T : class
    {
        try
        {
            var header = Yaml.Deserialize<T?>(yaml);
            if (header is null)
                errors.Add(ArticleErrors.Of("HeaderEmpty"));
            return header;
        }
        catch (YamlException ex)
        {
            // Line numbers count from the header's first line; the file's line is one more (the opening '---').
            var message = ex.InnerException?.Message ?? ex.Message;
            errors.Add(ArticleErrors.Of("HeaderUnreadableAtLine", ex.Start.Line + 1, FirstLine(message)));
            return null;
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet throws this, not a YamlException, for a tag that is no URI (found by fuzzing: "!!!]").
            errors.Add(ArticleErrors.Of("HeaderUnreadable", FirstLine(ex.Message)));
            return null;
        }
    }

    private static Remediation? ReadRemediation(RemediationYaml yaml, List<LocalizedMessage> errors)
    {
        var command = Required(yaml.Command, "remediation.command", errors);
        ConsentAction? needed = null;
        if (command.Length > 0)
        {
            if (DeviceCommands.ConsentNeeded.TryGetValue(command, out var consent))
                needed = consent;
            else
                errors.Add(ArticleErrors.Of("UnknownCommand", command, string.Join(", ", DeviceCommands.ConsentNeeded.Keys.Order(StringComparer.Ordinal))));
        }
        var actionText = Required(yaml.Action, "remediation.action", errors);
        ConsentAction action = default;
        if (actionText.Length > 0 && (!Enum.TryParse(actionText, ignoreCase: true, out action) || action == ConsentAction.Unspecified || !Enum.IsDefined(action)))
            errors.Add(ArticleErrors.Of("UnknownAction", actionText, string.Join(", ", Enum.GetValues<ConsentAction>().Where(a => a != ConsentAction.Unspecified).Select(a => a.ToString().ToLowerInvariant()))));
        else if (needed is { } n && actionText.Length > 0 && action != n)
            errors.Add(ArticleErrors.Of("WrongConsent", command, n.ToString().ToLowerInvariant(), actionText));
        var describe = Required(yaml.Describe, "remediation.describe", errors);
        // Without verify, the device's own result decides (identify, calibrate, a diagnostics bundle clear no condition).
        string? clears = null;
        TimeSpan? within = null;
        if (yaml.Verify is { } verify)
        {
            clears = Required(verify.Clears, "remediation.verify.clears", errors);
            if (clears.Length > 0 && !Conditions.All.Contains(clears))
                errors.Add(ArticleErrors.Of("VerifyNotACondition", clears));
            var withinText = Required(verify.Within, "remediation.verify.within", errors);
            if (withinText.Length > 0)
            {
                if (TimeSpan.TryParse(withinText, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero && parsed <= TimeSpan.FromDays(1))
                    within = parsed;
                else
                    errors.Add(ArticleErrors.Of("BadWithin", withinText));
            }
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in yaml.Parameters ?? [])
            parameters[key] = value ?? "";
        return new Remediation(command, action, parameters, describe, clears, within);
    }

    /// <summary>The body's sections by heading, each a list of items (bullets or numbered steps; plain paragraphs are items too).</summary>
    internal static Dictionary<string, IReadOnlyList<string>> ReadSections(string[] lines, int start, List<LocalizedMessage> errors)
    {
        var sections = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        List<string>? items = null;
        var expected = 0;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                var heading = line[3..].Trim();
                var index = Array.IndexOf(Sections, heading);
                if (index < 0)
                {
                    errors.Add(ArticleErrors.Of("UnknownSection", i + 1, heading, string.Join(", ", Sections.Select(s => "## " + s))));
                    items = null;
                    continue;
                }
                if (sections.ContainsKey(heading))
                    errors.Add(ArticleErrors.Of("SectionTwice", i + 1, heading));
                else if (index < expected)
                    errors.Add(ArticleErrors.Of("SectionOutOfOrder", i + 1, heading, string.Join(", ", Sections)));
                expected = index + 1;
                items = [];
                sections[heading] = items;
                continue;
            }
            if (items is null || string.IsNullOrWhiteSpace(line))
                continue;
            var item = ListItem().Match(line);
            if (item.Success)
                items.Add(item.Groups["text"].Value.Trim());
            else if (items.Count > 0 && char.IsWhiteSpace(line[0]))
                items[^1] = items[^1] + " " + line.Trim();
            else
                items.Add(line.Trim());
        }
        foreach (var (heading, list) in sections)
        {
            if (list.Count == 0)
                errors.Add(ArticleErrors.Of("SectionEmpty", heading));
        }
        return sections;
    }

    internal static string Required(string? value, string key, List<LocalizedMessage> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(ArticleErrors.Of("Required", key));
            return "";
        }
        return value.Trim();
    }

    internal static List<string> Clean(List<string>? values) =>
        values is null ? [] : [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.Ordinal)];

    internal static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,63}$")]
    private static partial Regex IdPattern();

    /// <summary>A source and a code: <c>ipp:media-jam</c>, <c>prtAlert:8</c>, <c>acme:50.1</c>, <c>agent:collector-unreachable:ipp</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_-]*:[^\s]{1,120}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?<text>.*)$")]
    private static partial Regex ListItem();

    // YamlDotNet fills these; unknown keys are an error, so a misspelt key never silently drops a rule.
    private sealed class HeaderYaml
    {
        [YamlMember(Alias = "id")] public string? Id { get; set; }
        [YamlMember(Alias = "title")] public string? Title { get; set; }
        [YamlMember(Alias = "summary")] public string? Summary { get; set; }
        [YamlMember(Alias = "category")] public string? Category { get; set; }
        [YamlMember(Alias = "applies")] public AppliesYaml? Applies { get; set; }
        [YamlMember(Alias = "remediation")] public RemediationYaml? Remediation { get; set; }
        [YamlMember(Alias = "tags")] public List<string>? Tags { get; set; }
    }

    private sealed class AppliesYaml
    {
        [YamlMember(Alias = "codes")] public List<string>? Codes { get; set; }
        [YamlMember(Alias = "conditions")] public List<string>? Conditions { get; set; }
        [YamlMember(Alias = "models")] public List<string>? Models { get; set; }
        [YamlMember(Alias = "firmware")] public string? Firmware { get; set; }
    }

    private sealed class RemediationYaml
    {
        [YamlMember(Alias = "command")] public string? Command { get; set; }
        [YamlMember(Alias = "action")] public string? Action { get; set; }
        [YamlMember(Alias = "parameters")] public Dictionary<string, string?>? Parameters { get; set; }
        [YamlMember(Alias = "describe")] public string? Describe { get; set; }
        [YamlMember(Alias = "verify")] public VerifyYaml? Verify { get; set; }
    }

    private sealed class VerifyYaml
    {
        [YamlMember(Alias = "clears")] public string? Clears { get; set; }
        [YamlMember(Alias = "within")] public string? Within { get; set; }
    }
}
