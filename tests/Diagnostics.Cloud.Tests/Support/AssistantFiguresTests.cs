using Diagnostics.Cloud.Support;
using static Diagnostics.Cloud.Support.AssistantFigures;

namespace Diagnostics.Cloud.Tests.Support;

public sealed class AssistantFiguresTests
{
    [Fact]
    public void Rates_per_language_count_the_first_article_shown_against_the_one_that_answered()
    {
        var figures = Compute(
        [
            // Solved by the assistant with its first article: the answer is known and came first.
            new Conversation("en", SessionResolution.Bot, HandedOver: false, ["paper-jam"], LinkedArticle: null),
            // Handed over; the agent who solved it linked another article than the one shown first.
            new Conversation("en", SessionResolution.Agent, HandedOver: true, ["toner-low"], LinkedArticle: "toner-empty"),
            // Handed over, nothing linked: the answer is unknown and does not count for right-article-first.
            new Conversation("en", SessionResolution.Unresolved, HandedOver: true, [], LinkedArticle: null),
            // Solved by the assistant's second article: known, not first.
            new Conversation("zh-Hans", SessionResolution.Bot, HandedOver: false, ["toner-low", "toner-empty"], LinkedArticle: null),
        ]);

        var english = Assert.Single(figures, f => f.Language == "en");
        Assert.Equal(new AssistantLanguageFigures("en", 3, 1, 0.3333, 2, 0.6667, 2, 1, 0.5), english);
        var chinese = Assert.Single(figures, f => f.Language == "zh-Hans");
        Assert.Equal(new AssistantLanguageFigures("zh-Hans", 1, 1, 1, 0, 0, 1, 0, 0), chinese);
        Assert.Equal("en", figures[0].Language);
    }

    [Fact]
    public void No_conversations_give_no_rates_rather_than_zero()
    {
        Assert.Empty(Compute([]));
        var figures = Assert.Single(Compute([new Conversation("ja", SessionResolution.Unresolved, HandedOver: false, [], null)]));
        Assert.Null(figures.RightArticleFirst);
        Assert.Equal(0, figures.ResolutionRate);
    }

    [Theory]
    [InlineData("the printer jams", "en")]
    [InlineData("打印机卡纸了", "zh-Hans")]
    [InlineData("紙詰まりです", "ja")]
    public void A_conversation_is_in_the_language_its_first_words_are_written_in(string text, string language) =>
        Assert.Equal(language, ConversationLanguage.Of(text));
}
