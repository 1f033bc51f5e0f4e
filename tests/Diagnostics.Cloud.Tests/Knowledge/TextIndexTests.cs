using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class TextIndexTests
{
    [Theory]
    [InlineData("jammed", "jam")]
    [InlineData("jams", "jam")]
    [InlineData("jamming", "jam")]
    [InlineData("batteries", "battery")]
    [InlineData("printing", "print")]
    [InlineData("stopped", "stop")]
    [InlineData("toner", "toner")]
    public void Stems_meet_at_one_word(string word, string stem) => Assert.Equal(stem, TextIndex.Stem(word));

    [Fact]
    public void Terms_drop_stop_words_and_keep_panel_codes_whole()
    {
        Assert.Equal(["error", "50.1", "screen"], TextIndex.Terms("There's an error 50.1 on the screen!"));
        Assert.Equal(["wont", "print"], TextIndex.Terms("It won't print"));
    }

    [Theory]
    [InlineData("toner", "tonre", 1)]
    [InlineData("paper", "papre", 1)]
    [InlineData("cartridge", "catridge", 1)]
    [InlineData("jam", "jam", 0)]
    [InlineData("paper", "toner", 3)]
    public void Edit_distance_counts_a_swap_once(string a, string b, int distance) =>
        Assert.Equal(distance, Math.Min(TextIndex.EditDistance(a, b, ceiling: 3), 3));

    [Fact]
    public void Ranks_the_document_about_the_words_first_and_forgives_a_typo()
    {
        var index = TextIndex.Build([
            ("paper-jam", [("Paper jam", 3.0), ("A sheet is stuck inside the printer", 1.0)]),
            ("toner-low", [("Toner low", 3.0), ("Prints are pale and faded", 1.0)]),
            ("out-of-paper", [("Out of paper", 3.0), ("The tray is empty", 1.0)]),
        ]);

        Assert.Equal("paper-jam", index.Search("paper is jammed", 3)[0].Id);
        Assert.Equal("toner-low", index.Search("my prints look faded", 3)[0].Id);
        var corrected = index.Search("tonre", 3);
        Assert.Equal("toner-low", corrected[0].Id);
        Assert.Contains("tonr~toner", corrected[0].Words);
        Assert.Empty(index.Search("the weather", 3));
    }
}
