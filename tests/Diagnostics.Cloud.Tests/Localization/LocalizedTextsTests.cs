using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Localization;

public sealed class LocalizedTextsTests
{
    [Theory]
    [InlineData("en", "Paper jam, Toner low, Cover open")]
    [InlineData("zh-Hans", "Paper jam、Toner low、Cover open")]
    [InlineData("ja", "Paper jam、Toner low、Cover open")]
    // A language without translations lists as English does.
    [InlineData("fr", "Paper jam, Toner low, Cover open")]
    public void A_list_uses_the_readers_separator(string language, string expected)
    {
        using var _ = new UiCulture(language);
        Assert.Equal(expected, LocalizedTexts.List(["Paper jam", "Toner low", "Cover open"]));
    }

    [Fact]
    public void A_message_is_worded_for_the_reader_and_in_English_for_the_log()
    {
        var message = new LocalizedMessage(new LocalizedTexts("Updates.UpdateExplanations"), "PackageTooLarge", 1_000_000L);

        using var _ = new UiCulture("de-DE");
        Assert.Equal("The package is larger than the 1.000.000 bytes this cloud takes (Updates:MaxPackageBytes).", message.ForReader);
        Assert.Equal("The package is larger than the 1,000,000 bytes this cloud takes (Updates:MaxPackageBytes).", message.Invariant);
    }

    [Fact]
    public void A_name_without_a_text_shows_the_name()
    {
        using var _ = new UiCulture("ja");
        Assert.Equal("NoSuchText", new LocalizedTexts("Updates.UpdateExplanations").Text("NoSuchText"));
    }
}
