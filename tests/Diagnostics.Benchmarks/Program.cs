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
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntryPoint).Assembly).Run(args);
    }
}
