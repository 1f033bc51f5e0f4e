using Diagnostics.Cloud.Support;

namespace Diagnostics.Cloud.Tests.Support;

public sealed class UnansweredClusteringTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static UnansweredQuestion Asked(int minute, string language, string text) =>
        new($"s{minute}", language, text, SupportBot.NotSureReason, Start.AddMinutes(minute));

    [Fact]
    public void Near_duplicates_in_one_language_are_one_question_with_a_count()
    {
        var clusters = UnansweredQuestions.Cluster(
        [
            Asked(1, "en", "printer jams halfway through every page"),
            Asked(2, "en", "the printer jams halfway through the page"),
            Asked(3, "en", "wifi password changed and now the tablet app is empty"),
            Asked(4, "zh-Hans", "打印机卡纸了"),
            Asked(5, "zh-Hans", "打印机又卡纸了"),
        ]);

        var jams = Assert.Single(clusters, c => c.Text == "the printer jams halfway through the page");
        Assert.Equal(2, jams.Count);
        Assert.Equal(["s2", "s1"], jams.SessionIds);
        Assert.Equal(["printer jams halfway through every page"], jams.Examples);
        Assert.Equal(1, Assert.Single(clusters, c => c.Text.StartsWith("wifi", StringComparison.Ordinal)).Count);
        var chinese = Assert.Single(clusters, c => c.Language == "zh-Hans");
        Assert.Equal(2, chinese.Count);
        Assert.Equal(3, clusters.Count);
    }

    [Fact]
    public void The_same_panel_code_groups_questions_across_languages()
    {
        var clusters = UnansweredQuestions.Cluster(
        [
            Asked(1, "zh-Hans", "屏幕显示错误代码50.1"),
            Asked(2, "ja", "エラー50.1が出ました"),
            Asked(3, "en", "50.1 on the panel, what now"),
            Asked(4, "en", "13.20 on the panel, what now"),
        ]);

        var fuser = Assert.Single(clusters, c => c.Count == 3);
        Assert.Equal(["en", "ja", "zh-Hans"], fuser.Languages.Order(StringComparer.Ordinal));
        Assert.Equal(2, clusters.Count);
    }
}
