using System.Globalization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// The language a short message is written in, from its script: kana means Japanese, Hangul Korean, Chinese
/// characters without kana Chinese (Simplified, unless the writer's own culture is Japanese or another Chinese:
/// "印刷不可" from a Japanese phone is Japanese), and anything else (Latin letters, digits only) the writer's culture.
/// A message that names only a code ("13.20") is answered in the language the person uses the app in.
/// </summary>
public static class WrittenLanguage
{
    public static readonly CultureInfo SimplifiedChinese = CultureInfo.GetCultureInfo("zh-Hans");
    public static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");
    public static readonly CultureInfo Korean = CultureInfo.GetCultureInfo("ko");

    public static CultureInfo Detect(string? text, CultureInfo writerCulture)
    {
        ArgumentNullException.ThrowIfNull(writerCulture);
        var (kana, hangul, han) = (false, false, false);
        foreach (var rune in (text ?? "").EnumerateRunes())
        {
            var value = rune.Value;
            kana |= value is >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9D;
            hangul |= value is >= 0xAC00 and <= 0xD7AF or >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F;
            han |= value is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x2FA1F;
        }
        if (kana)
            return Japanese;
        if (hangul)
            return Korean;
        if (han)
            return writerCulture.TwoLetterISOLanguageName is "ja" or "zh" ? writerCulture : SimplifiedChinese;
        return writerCulture;
    }
}
