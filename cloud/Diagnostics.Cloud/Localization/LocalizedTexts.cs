using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Localization;

/// <summary>
/// The texts of one resource file under <c>Resources/</c> (<c>new("Updates.UpdateExplanations")</c> reads
/// <c>Resources/Updates/UpdateExplanations{,.zh-Hans,.ja}.resx</c>), for code that words things outside a component:
/// services' refusals, cards, stored lines. The same resources and culture an <c>IStringLocalizer</c> would read; a static
/// class cannot be a localizer's type argument, and these texts are written in static helpers with no services at hand.
/// </summary>
public sealed class LocalizedTexts
{
    private const string ResourceRoot = "Diagnostics.Cloud.Resources.";

    private static readonly LocalizedTexts Lists = new("Localization.ListFormat");

    public LocalizedTexts(string resource)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        Manager = new ResourceManager(ResourceRoot + resource, typeof(LocalizedTexts).Assembly);
    }

    /// <summary>The resources themselves, for a reader that needs more than one text (matching stored lines against every text).</summary>
    public ResourceManager Manager { get; }

    /// <summary>The text in the reader's language (the request's UI culture), else English; a name without a text (a test checks for none) shows the name rather than failing the page.</summary>
    public string Text(string name) => Manager.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    /// <summary>The text with <paramref name="args"/> filled in as the reader's culture writes numbers and dates.</summary>
    public string Format(string name, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Text(name), args);

    /// <summary>
    /// The English text, numbers and dates written the invariant way: for logs (one language for whoever reads them)
    /// and for text that is stored and worded again for each reader.
    /// </summary>
    public string Invariant(string name, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, Manager.GetString(name, CultureInfo.InvariantCulture) ?? name, args);

    /// <summary>
    /// The English text to store and word again for each reader later (<see cref="Invariant"/>); a name without a text
    /// is refused, since the name itself, once stored, could never be read again as a text.
    /// </summary>
    public string ToStore(string name, params object?[] args)
    {
        if (Manager.GetString(name, CultureInfo.InvariantCulture) is null)
            throw new ArgumentException($"No text \"{name}\" in {Manager.BaseName}.", nameof(name));
        return Invariant(name, args);
    }

    /// <summary>
    /// Items as a list in the reader's language: "Paper jam, Toner low" in English, "卡纸、碳粉不足" in Chinese and
    /// Japanese. .NET's cultures carry no list pattern (ICU's ListFormatter is not exposed), so the separator is a text of
    /// <c>Resources/Localization/ListFormat</c>.
    /// </summary>
    public static string List(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return string.Join(Lists.Text("Separator"), items);
    }
}

/// <summary>
/// A text not yet worded: its resource, its name and its values. Worded for the reader when it reaches a person
/// (<see cref="ForReader"/>), and in English for logs and for what is stored (<see cref="Invariant"/>), so a refusal is
/// logged once in one language and explained in each reader's.
/// </summary>
public sealed record LocalizedMessage(LocalizedTexts Texts, string Name, params object?[] Args) : IReaderValue
{
    /// <summary>
    /// What went wrong underneath, in the words of the library that said it (a .NET exception's English message): logged
    /// with <see cref="Invariant"/>, never shown to a reader, whose language it is not in.
    /// </summary>
    public string? Cause { get; init; }

    public string ForReader => Texts.Format(Name, [.. Args.Select(a => a is IReaderValue value ? value.ForReader : a)]);

    public string Invariant
    {
        get
        {
            var text = Texts.Invariant(Name, [.. Args.Select(a => a is IReaderValue value ? value.Invariant : a)]);
            return Cause is null ? text : $"{text} ({Cause})";
        }
    }

    public override string ToString() => Invariant;
}

/// <summary>
/// A value inside a <see cref="LocalizedMessage"/> that is itself worded for the reader: a message within a message, a
/// condition's name ("Paper jam", "卡纸") that English logs and stored lines keep as its code (PAPER_JAM).
/// </summary>
public interface IReaderValue
{
    string ForReader { get; }

    string Invariant { get; }
}
