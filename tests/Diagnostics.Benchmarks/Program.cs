using BenchmarkDotNet.Running;

namespace Diagnostics.Benchmarks;

public static class BenchmarkEntryPoint
{
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Per-event latency percentiles are not what BenchmarkDotNet measures (it averages many calls per iteration).
        if (args is ["kb-latency", ..])
        {
            KnowledgeLatencyRun.Run(articles: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000, events: 20_000);
            return;
        }
        // Accuracy, not times: search weights on the labelled tuning phrasings, with a cross-validated estimate.
        if (args is ["kb-tune", .. var grid])
        {
            KnowledgeTuningRun.Run(grid.Length > 0 ? grid[0] : null);
            return;
        }
        // Rebuilding the knowledge base's index with and without the equivalence lists, alternating A and B in one run.
        if (args is ["kb-reload", .. var reloadRounds])
        {
            KnowledgeReloadRun.Run(reloadRounds.Length > 0 ? int.Parse(reloadRounds[0], System.Globalization.CultureInfo.InvariantCulture) : 10);
            return;
        }
        // Sizes, not times: one run of each release pair says all there is to say.
        if (args is ["delta-size", .. var sizes])
        {
            DeltaSizeRun.Run(sizes.Length > 0 ? [.. sizes.Select(size => int.Parse(size, System.Globalization.CultureInfo.InvariantCulture))] : [4, 16, 64]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntryPoint).Assembly).Run(args);
    }
}
