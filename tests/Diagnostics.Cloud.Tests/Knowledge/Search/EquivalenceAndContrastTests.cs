using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;

namespace Diagnostics.Cloud.Tests.Knowledge.Search;

/// <summary>Customers' words meeting the articles' words (<see cref="Equivalences"/>), and learning that counts against the article a phrase was confused with.</summary>
public sealed class EquivalenceAndContrastTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static string? First(ArticleSearch search, string text) =>
        search.Search(text, WrittenLanguage.Detect(text, English), 3) is [var first, ..] ? first.Id : null;

    // "chewed" is in no article; the shipped English equivalences say it is what the articles call a jam. 太低 ("too
    // low") is what the Chinese articles write 过低.
    [Theory]
    [InlineData("chewed up my page", "paper-jam")]
    [InlineData("设备提示温度太低", "board-too-cold")]
    public void A_customers_word_finds_the_article_that_says_it_otherwise(string question, string expected)
    {
        var without = ArticleSearch.Build(StarterSearch.Articles, StarterSearch.Translations, [], equivalences: Equivalences.None);
        Assert.NotEqual(expected, First(without, question));

        var with = ArticleSearch.Build(StarterSearch.Articles, StarterSearch.Translations, [], equivalences: Equivalences.Starter);

        Assert.Equal(expected, First(with, question));
    }

    [Fact]
    public void The_articles_word_found_through_an_equivalence_is_named_in_the_reasons()
    {
        var hit = StarterSearch.Search.Search("chewed up my page", English, 1)[0];

        Assert.Equal("paper-jam", hit.Id);
        Assert.Contains("=jam", hit.Words);
    }

    [Fact]
    public void Every_shipped_language_has_equivalences() =>
        Assert.Equal(["en", "ja", "zh-Hans"], Equivalences.Starter.Languages.Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("en", "chewed jam", "line 1")]
    [InlineData("en", "# fine\nchewed => ", "line 2")]
    [InlineData("en", "the, a => jam", "only stop words")]
    [InlineData("english", "chewed => jam", "not a language name")]
    public void A_bad_equivalence_file_is_refused_with_where_it_is_wrong(string language, string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Equivalences.Parse([(language, text)]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // Two sibling articles and an unrelated one. The customer's words ("light flashes orange") are in the empty
    // article's text, so the text alone answers "toner-empty"; a supervisor accepted them for "toner-low". Learning
    // that discriminates lifts toner-low for questions like the phrase and counts against toner-empty, which stays
    // second (the question is still about toner), not pushed below the unrelated article.
    [Fact]
    public void An_accepted_phrase_confused_with_a_sibling_ranks_its_own_article_first_and_the_sibling_second()
    {
        var articles = new[]
        {
            Sample("toner-low", "Toner low", "The printer warns that toner is running low"),
            Sample("toner-empty", "Toner empty", "The printer stops and its light flashes orange"),
            Sample("paper-jam", "Paper jam", "A sheet is stuck inside the printer"),
        };
        var weights = new SearchWeights { Phrase = 0, Contrast = 1, ContrastAgainst = 0.5, NeighbourFloor = 0.5 };
        const string question = "toner light flashing orange";
        var untrained = ArticleSearch.Build(articles, [], [], weights, Equivalences.None);
        Assert.Equal("toner-empty", First(untrained, question));

        var trained = ArticleSearch.Build(articles, [], [new SearchPhrase("toner-low", "en", "toner light flashes orange on my printer")], weights, Equivalences.None);

        Assert.Equal(["toner-low", "toner-empty"], trained.Search(question, English, 2).Select(h => h.Id));
        // A question about the empty article that is not like the phrase is answered as before.
        Assert.Equal("toner-empty", First(trained, "printer stops, toner empty"));
    }

    // A phrase the text already answers is no confusion: it neither lifts its article nor counts against another.
    [Fact]
    public void A_phrase_the_text_already_answered_changes_nothing_through_contrast()
    {
        var articles = new[]
        {
            Sample("toner-low", "Toner low", "The printer warns that toner is running low"),
            Sample("toner-empty", "Toner empty", "The printer stops and its light flashes orange"),
        };
        var weights = new SearchWeights { Phrase = 0, Contrast = 1, ContrastAgainst = 0.5, NeighbourFloor = 0.5 };
        var untrained = ArticleSearch.Build(articles, [], [], weights, Equivalences.None);
        var trained = ArticleSearch.Build(articles, [], [new SearchPhrase("toner-empty", "en", "orange light flashes, toner empty")], weights, Equivalences.None);

        foreach (var question in new[] { "orange light", "toner running low", "toner empty" })
            Assert.Equal(untrained.Search(question, English, 2).Select(h => (h.Id, h.Score)), trained.Search(question, English, 2).Select(h => (h.Id, h.Score)));
    }

    private static Article Sample(string id, string title, string symptom) =>
        ArticleFormat.Parse(SampleArticles.Text(id, title, tags: "[]", symptoms: $"- {symptom}.", steps: "1. Call support.", notes: "- None.")).Article!;
}
