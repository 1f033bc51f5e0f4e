using System.Globalization;

namespace Diagnostics.Cloud.Localization;

/// <summary>
/// A language named in the reader's language: "Japanese" for an English reader, "日语" for a Chinese one, "中国語 (簡体字)"
/// for a Japanese one. The names are CLDR's, which .NET reads through ICU (the cloud runs with real cultures) in the
/// current UI culture, so a new language needs no text of ours.
/// </summary>
public static class LanguageNames
{
    /// <summary>The language of <paramref name="tag"/> (<c>en</c>, <c>zh-Hans</c>, <c>ja</c>) in the reader's language (the request's UI culture); a tag that names no language reads as the tag.</summary>
    public static string InReadersLanguage(string tag)
    {
        try
        {
            return tag.Length == 0 ? tag : CultureInfo.GetCultureInfo(tag, predefinedOnly: true).DisplayName;
        }
        catch (CultureNotFoundException)
        {
            return tag;
        }
    }
}
