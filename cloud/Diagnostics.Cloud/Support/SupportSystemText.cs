using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The conversation's own lines ("Session opened.", "Alex joined the conversation."), kept in English as they are
/// stored; each reader sees them in their language through <see cref="MessageTranslation"/>, which finds the line's
/// text and its names in Resources/Support/SupportSystemText.resx and writes it again from their translation.
/// </summary>
public static class SupportSystemText
{
    internal static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Support.SupportSystemText", typeof(SupportSystemText).Assembly);

    // Where a line quotes an article's title (as stored: the English title, or the fix's code when it came from no
    // article), which a reader reads in their translation of the article (MessageTranslation).
    private static readonly HashSet<(string Key, int Index)> TitlePlaces = [("FixApproved", 1), ("FixDeclined", 1)];

    /// <summary>Whether value <paramref name="index"/> of the text <paramref name="name"/> is an article's title.</summary>
    public static bool QuotesTitle(string name, int index) => TitlePlaces.Contains((name, index));

    /// <summary>The English line, with its names filled in.</summary>
    public static string Write(string name, params object[] args)
    {
        var format = Texts.GetString(name, CultureInfo.InvariantCulture) ?? throw new ArgumentException($"No conversation text \"{name}\".", nameof(name));
        return string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
