using System.Globalization;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// What the support desk writes for staff and keeps: why a conversation was handed to a person, the assistant's
/// hand-over note, the "Transfer note:" before an agent's note to a colleague. Stored as the English text of
/// <c>Resources/Support/SupportStaffText.resx</c> (what the logs, the API and the unanswered-questions query read, the
/// same for every agent); each agent reads it in their own language through <see cref="Read"/>, which finds the stored
/// line's text and its values (titles, names, notes as written) and words it again from their translation. Stored text
/// that is none of these (older rows, a reason written elsewhere) reads as stored.
/// </summary>
public static class SupportStaffText
{
    internal static readonly LocalizedTexts Texts = new("Support.SupportStaffText");

    /// <summary>The English line with its values filled in, to store.</summary>
    public static string Write(string name, params object?[] args) => Texts.ToStore(name, args);

    /// <summary>The English text up to its first value: what a stored line of this kind starts with (for a query's LIKE).</summary>
    public static string Prefix(string name)
    {
        var text = Texts.Manager.GetString(name, CultureInfo.InvariantCulture) ?? throw new ArgumentException($"No staff text \"{name}\".", nameof(name));
        var value = text.IndexOf('{', StringComparison.Ordinal);
        return value < 0 ? text : text[..value];
    }

    /// <summary>
    /// Stored staff text in the reader's language (the request's UI culture), line by line; a value that is itself a
    /// staff text (the reason inside "Handed over: …") is read too. An article's title quoted in it (stored in English)
    /// reads in the reader's translation of the article in <paramref name="articles"/>, or in English marked as not
    /// translated; without <paramref name="articles"/> (a text that quotes none, such as a summary) as stored. Null stays null.
    /// </summary>
    public static string? Read(string? stored, ArticleIndex? articles = null)
    {
        var reader = CultureInfo.CurrentUICulture;
        if (string.IsNullOrEmpty(stored) || StoredTextReader.ReadsAsWritten(reader))
            return stored;
        return string.Join('\n', stored.Split('\n').Select(line =>
            StoredTextReader.Reword(Texts.Manager, "staff", line, CultureInfo.InvariantCulture, reader, (key, index, value) => ReadValue(key, index, value, articles)) ?? line));
    }

    // A value in a state's or a condition's place is a word of the dashboard's, one in a title's place an article's title;
    // any other may be a language's name, a fix's stored note (why the fix before the hand-over failed) or a staff text.
    private static string? ReadValue(string key, int index, string value, ArticleIndex? articles)
    {
        if (DashboardWordPlaces.TryGetValue((key, index), out var group))
            return DashboardWord(group, value);
        if (TitlePlaces.TryGetValue((key, index), out var list))
            return articles is null ? null : list ? LocalizedTexts.List(value.Split("; ").Select(title => Title(articles, title))) : Title(articles, value);
        return LanguageName(value) ?? FixNotes.ReadOrNull(value) ?? Read(value, articles);
    }

    // Where a text quotes an article's title as stored (English, or the fix's code when it came from no article), and
    // whether the place holds a list of them ("The assistant showed: Paper jam; Out of paper").
    private static readonly Dictionary<(string Key, int Index), bool> TitlePlaces = new()
    {
        [("Note.Fix", 0)] = false,
        [("Note.FixWithNote", 0)] = false,
        [("Handover.FromFailedFix", 0)] = false,
        [("Handover.FixCardFailed", 0)] = false,
        [("Handover.FixFailed", 0)] = false,
        [("Handover.StepsDidNotHelp", 0)] = false,
        [("Note.AssistantShowed", 0)] = true,
    };

    private static string Title(ArticleIndex articles, string stored) =>
        ArticleWording.QuotedTitle(articles, stored, CultureInfo.InvariantCulture, CultureInfo.CurrentUICulture) ?? stored;

    // Where the note stores a state (enum names as written: "Stopped", "Critical", "Online", "Error"; a fix's state as
    // stored: "failed") or a normalized condition ("PAPER_JAM"), and which of the dashboard's word groups names it.
    private static readonly Dictionary<(string Key, int Index), string> DashboardWordPlaces = new()
    {
        [("Note.Active", 1)] = "Condition",
        [("Note.ActiveWithMessage", 1)] = "Condition",
        [("Note.Device", 3)] = "DeviceState",
        [("Note.Device", 4)] = "Health",
        [("Note.Device", 5)] = "Presence",
        [("Note.Active", 2)] = "Severity",
        [("Note.ActiveWithMessage", 2)] = "Severity",
        [("Note.Fix", 1)] = "FixState",
        [("Note.FixWithNote", 1)] = "FixState",
        [("Handover.FromFailedFix", 1)] = "FixState",
    };

    // The agent reads the state in the words of the dashboard beside the note (Web/Dashboard/DashboardText:
    // "DeviceState.Stopped", "Health.critical", "FixState.failed"), read from its resources by name: the desk's words live in one place, and
    // Support does not depend on the web pages that use it. A word the resources do not know stays as stored.
    private static readonly LocalizedTexts DashboardWords = new("Web.Dashboard.DashboardText");

    // The dashboard keys some groups by the enum's name ("DeviceState.Stopped") and others by its lower-case storage name ("Health.critical").
    private static string? DashboardWord(string group, string value) =>
        DashboardWords.Manager.GetString($"{group}.{value}", CultureInfo.CurrentUICulture)
        ?? DashboardWords.Manager.GetString($"{group}.{value.ToLowerInvariant()}", CultureInfo.CurrentUICulture);

    /// <summary>
    /// A language as the note stores it, "Chinese (Simplified) (zh-Hans)" (.NET's English name and the culture's name),
    /// by its own name for a reader of another language: "中文（简体） (zh-Hans)". Null when the value is no such name.
    /// </summary>
    private static string? LanguageName(string value)
    {
        var open = value.LastIndexOf(" (", StringComparison.Ordinal);
        if (open < 0 || !value.EndsWith(')') || CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en")
            return null;
        try
        {
            var culture = CultureInfo.GetCultureInfo(value[(open + 2)..^1], predefinedOnly: true);
            return culture.Name.Length > 0 && culture.EnglishName == value[..open] ? $"{culture.NativeName} ({culture.Name})" : null;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }
}
