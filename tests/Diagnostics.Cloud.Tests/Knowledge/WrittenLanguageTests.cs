using System.Globalization;
using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class WrittenLanguageTests
{
    // Scripts by their Unicode blocks: kana only in Japanese, Hangul only in Korean, Han without kana in Chinese.
    [Theory]
    [InlineData("紙が詰まった", "en", "ja")]
    [InlineData("ｴﾗｰ 13.20", "en", "ja")]
    [InlineData("卡纸了", "en", "zh-Hans")]
    [InlineData("印刷不可", "ja", "ja")]
    [InlineData("卡紙了", "zh-Hant", "zh-Hant")]
    [InlineData("용지 걸림", "en", "ko")]
    [InlineData("paper jam", "ja", "ja")]
    [InlineData("13.20", "zh-Hans", "zh-Hans")]
    [InlineData("", "en", "en")]
    public void Reads_the_language_from_the_script_then_the_writer_culture(string text, string writer, string expected) =>
        Assert.Equal(expected, WrittenLanguage.Detect(text, CultureInfo.GetCultureInfo(writer)).Name);
}
