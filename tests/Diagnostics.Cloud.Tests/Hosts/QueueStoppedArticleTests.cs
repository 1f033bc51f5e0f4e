using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>The knowledge base's answer to a host whose print queue stopped: the article that offers switching to driverless printing.</summary>
public sealed class QueueStoppedArticleTests
{
    [Fact]
    public void A_stopped_queue_on_a_host_finds_the_article_whose_fix_switches_it_to_driverless()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "knowledge-base", "print-queue-stopped.md"));
        var parsed = ArticleFormat.Parse(text, "print-queue-stopped");
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var index = new ArticleIndex([(parsed.Article!, 1)], []);

        var best = index.Match(new ProblemQuery("cups:queue-stopped", Conditions.PrintQueueStopped, "Print host", ""))[0];

        Assert.Equal(("print-queue-stopped", MatchKind.Code), (best.Article.Id, best.Kind));
        Assert.Equal((DeviceCommands.UseDriverless, ConsentAction.Settings), (best.Article.Remediation!.Command, best.Article.Remediation.Action));
        Assert.Equal(Conditions.PrintQueueStopped, best.Article.Remediation.VerifyClears);
    }
}
