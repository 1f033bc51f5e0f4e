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

    /// <summary>The English line, with its names filled in.</summary>
    public static string Write(string name, params object[] args)
    {
        var format = Texts.GetString(name, CultureInfo.InvariantCulture) ?? throw new ArgumentException($"No conversation text \"{name}\".", nameof(name));
        return string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
