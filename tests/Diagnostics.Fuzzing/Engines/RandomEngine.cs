using System.Diagnostics;
using CsCheck;

namespace Diagnostics.Fuzzing.Engines;

/// <summary>
/// In-process, not coverage-guided: CsCheck generates <see cref="Mutations"/> of the seeds from a fixed PCG seed and
/// every input runs under the contract. The smoke run in the tests uses it through <c>Check.Sample</c> (which also
/// shrinks a failure); the benchmark falls back to it when afl-fuzz is not installed.
/// </summary>
public static class RandomEngine
{
    public const uint PcgStream = 16;
    public const ulong DefaultSeed = 20261206;

    /// <summary>The deterministic seed string CsCheck takes for the smoke run.</summary>
    public static string SmokeSeed { get; } = new PCG(PcgStream, DefaultSeed).ToString();

    public static FuzzRun Run(FuzzTarget target, TimeSpan budget, string findings, ulong seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(target);
        var inputs = Mutations.Of(target.Seeds());
        var pcg = new PCG(PcgStream, seed);
        var failures = new Dictionary<string, Failure>(StringComparer.Ordinal);
        long executions = 0, crashes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < budget)
        {
            var input = inputs.Generate(pcg, null, out _);
            executions++;
            try
            {
                target.Run(input);
            }
            catch (Exception exception)
            {
                crashes++;
                var (signature, message) = Failures.Describe(exception);
                if (!failures.ContainsKey(signature))
                    failures[signature] = new Failure(signature, message, Save(findings, target, failures.Count, input));
            }
        }
        return new FuzzRun(target.Name, "random (CsCheck mutations)", clock.Elapsed.TotalSeconds, executions, crashes, 0, [.. failures.Values]);
    }

    private static string Save(string findings, FuzzTarget target, int number, byte[] input)
    {
        var folder = Path.Combine(findings, target.Name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"random-crash-{number}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }
}
