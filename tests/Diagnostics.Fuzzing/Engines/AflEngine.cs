using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Diagnostics.Fuzzing.Engines;

/// <summary>
/// Coverage-guided: AFL++ (Debian's <c>afl++</c>) drives this program's <c>afl-worker</c> mode, which runs inputs in a
/// loop through SharpFuzz's forkserver, in a copy of the build whose parser assemblies SharpFuzz has instrumented with
/// AFL's edge counters. Crashes and hangs AFL saves are replayed in a child process to name them.
/// </summary>
public static class AflEngine
{
    /// <summary>
    /// What gets edge counters: our parsers and the libraries they hand bytes to (protobuf-net for the wire and the
    /// manifest, YamlDotNet for articles). System.Text.Json and System.IO.Compression live in the shared framework,
    /// which SharpFuzz does not rewrite: the bundle and the zip layer are guided by our code's edges only.
    /// </summary>
    private static readonly (string Assembly, Func<string, bool> Types)[] Instrumented =
    [
        ("Diagnostics.Protocol.dll", _ => true),
        ("Diagnostics.Agent.dll", type => type.StartsWith("Diagnostics.Agent.Collectors.Ipp", StringComparison.Ordinal)
            || type.StartsWith("Diagnostics.Agent.Collectors.Snmp.Ber", StringComparison.Ordinal)),
        ("Diagnostics.Cloud.dll", type => type.StartsWith("Diagnostics.Cloud.Knowledge", StringComparison.Ordinal)
            || type.StartsWith("Diagnostics.Cloud.Support", StringComparison.Ordinal)),
        ("protobuf-net.Core.dll", _ => true),
        ("protobuf-net.dll", _ => true),
        ("YamlDotNet.dll", _ => true),
    ];

    /// <summary>
    /// An execution slower than this is a hang. A parse takes microseconds; AFL also times the worker's first input, and
    /// on a loaded machine a shorter limit made it read a slow first run as "no instrumentation".
    /// </summary>
    public const int HangMilliseconds = 5000;

    public static string? FindAflFuzz() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "afl-fuzz"))
            .FirstOrDefault(File.Exists);

    /// <summary>A copy of this build (links, but for the instrumented assemblies) that AFL starts; made once per command.</summary>
    public static string PrepareInstrumentedBuild(string findings)
    {
        var build = Path.Combine(findings, "instrumented-build");
        if (Directory.Exists(build))
            Directory.Delete(build, recursive: true);
        Directory.CreateDirectory(build);
        var instrumentedNames = Instrumented.Select(i => i.Assembly).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(entry);
            var target = Path.Combine(build, name);
            // The host resolves the app's own files through links back to the original folder, so they are copies too.
            if (instrumentedNames.Contains(name) || name.StartsWith("Diagnostics.Fuzzing.", StringComparison.Ordinal))
                File.Copy(entry, target);
            else if (Directory.Exists(entry))
                Directory.CreateSymbolicLink(target, entry);
            else
                File.CreateSymbolicLink(target, entry);
        }
        foreach (var (assembly, types) in Instrumented)
        {
            var path = Path.Combine(build, assembly);
            var count = SharpFuzz.Fuzzer.Instrument(path, types, SharpFuzz.Options.Value).Count();
            Console.WriteLine($"  instrumented {count,5} types in {assembly}");
        }
        return build;
    }

    public static FuzzRun Run(FuzzTarget target, string aflFuzz, string instrumentedBuild, int seconds, string findings)
    {
        ArgumentNullException.ThrowIfNull(target);
        var work = Path.Combine(findings, target.Name, "afl");
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        var seedsDir = Directory.CreateDirectory(Path.Combine(work, "seeds")).FullName;
        var output = Path.Combine(work, "out");

        // AFL refuses to start on a seed that crashes: such a seed is a failure found before fuzzing starts.
        var failures = new Dictionary<string, Failure>(StringComparer.Ordinal);
        var seedNumber = 0;
        foreach (var seed in target.Seeds())
        {
            var path = Path.Combine(seedsDir, $"seed-{seedNumber++:D3}");
            File.WriteAllBytes(path, seed);
            if (Failures.Replay(target, seed) is { } failure)
            {
                failures.TryAdd(failure.Signature, new Failure(failure.Signature, failure.Message, path));
                File.Move(path, Path.Combine(work, Path.GetFileName(path) + ".crashes"));
            }
        }

        var start = new ProcessStartInfo(aflFuzz)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-i", seedsDir, "-o", output, "-V", seconds.ToString(CultureInfo.InvariantCulture), "-t", HangMilliseconds.ToString(CultureInfo.InvariantCulture), "-m", "none" })
            start.ArgumentList.Add(argument);
        if (target.Dictionary.Count > 0)
        {
            var dictionary = Path.Combine(work, "tokens.dict");
            File.WriteAllLines(dictionary, target.Dictionary.Select((token, i) => $"token{i}=\"{Escape(token)}\""));
            start.ArgumentList.Add("-x");
            start.ArgumentList.Add(dictionary);
        }
        foreach (var argument in new[] { "--", "dotnet", Path.Combine(instrumentedBuild, "Diagnostics.Fuzzing.dll"), "afl-worker", target.Name, seedsDir })
            start.ArgumentList.Add(argument);
        // dotnet is not an AFL-instrumented binary (SharpFuzz's forkserver is in the worker); the machine is shared,
        // so no CPU binding; a plain log instead of AFL's screen.
        start.Environment["AFL_SKIP_BIN_CHECK"] = "1";
        start.Environment["AFL_NO_UI"] = "1";
        start.Environment["AFL_NO_AFFINITY"] = "1";
        start.Environment["AFL_SKIP_CPUFREQ"] = "1";
        start.Environment["AFL_FAST_CAL"] = "1";
        start.Environment["AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"] = "1";

        var log = Path.Combine(work, "afl-fuzz.log");
        using (var afl = Process.Start(start) ?? throw new InvalidOperationException("afl-fuzz did not start"))
        {
            var stdout = afl.StandardOutput.ReadToEndAsync();
            var stderr = afl.StandardError.ReadToEndAsync();
            // -V stops it after the budget; calibration and a slow start get two more minutes before it is ended.
            if (!afl.WaitForExit(TimeSpan.FromSeconds(seconds + 120)))
            {
                afl.Kill(entireProcessTree: true);
                afl.WaitForExit();
            }
            File.WriteAllText(log, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
        }

        var statsPath = Path.Combine(output, "default", "fuzzer_stats");
        if (!File.Exists(statsPath))
            throw new InvalidOperationException($"afl-fuzz left no statistics for {target.Name}; its log: {log}");
        var stats = File.ReadAllLines(statsPath)
            .Select(line => line.Split(':', 2, StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        long Stat(string name) => stats.TryGetValue(name, out var value) && long.TryParse(value, CultureInfo.InvariantCulture, out var number) ? number : 0;

        var crashFiles = Saved(output, "crashes");
        foreach (var (signature, message, path) in ReplayInChild(target, crashFiles))
            failures.TryAdd(signature, new Failure(signature, message, path));
        var hangFiles = Saved(output, "hangs");
        if (hangFiles.Count > 0)
            failures.TryAdd("hang", new Failure("hang", $"an execution ran longer than {HangMilliseconds} ms ({hangFiles.Count} inputs saved)", hangFiles[0]));
        return new FuzzRun(target.Name, "AFL++ + SharpFuzz", Stat("run_time"), Stat("execs_done"), Stat("saved_crashes"), Stat("saved_hangs"),
            [.. failures.Values], Stat("edges_found"));
    }

    /// <summary>The worker AFL starts: SharpFuzz's forkserver loop, one input per iteration; an exception is a crash.</summary>
    /// <param name="seeds">The folder of seeds AFL starts from (the worker's copy of the build is not in the checkout).</param>
    public static unsafe void Work(FuzzTarget target, string seeds)
    {
        ArgumentNullException.ThrowIfNull(target);
        // Every seed once before AFL's first input, so that its timing sees parses, not the JIT: the edge counters
        // need somewhere to count until SharpFuzz points them at AFL's shared map.
        var scratch = NativeMemory.AllocZeroed(1 << 16);
        SharpFuzz.Common.Trace.SharedMem = (byte*)scratch;
        foreach (var seed in Directory.GetFiles(seeds).Select(File.ReadAllBytes))
        {
            try
            {
                target.Run(seed);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Seeds that break the contract are reported by the driver; here they only warm up.
            }
        }
        SharpFuzz.Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
    }

    private static List<string> Saved(string output, string kind)
    {
        var folder = Path.Combine(output, "default", kind);
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "id:*").Order(StringComparer.Ordinal)] : [];
    }

    // A child process, so that an input that kills the runtime (a stack overflow) cannot take the report with it.
    private static IEnumerable<(string Signature, string Message, string Path)> ReplayInChild(FuzzTarget target, List<string> files)
    {
        foreach (var file in files)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Diagnostics.Fuzzing.dll"), "replay", target.Name, file })
                start.ArgumentList.Add(argument);
            using var child = Process.Start(start) ?? throw new InvalidOperationException("replay did not start");
            var text = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            var lines = text.Split('\n', StringSplitOptions.TrimEntries);
            var failed = lines.FirstOrDefault(l => l.StartsWith("FAIL ", StringComparison.Ordinal));
            if (failed is not null)
                yield return (failed[5..], lines.SkipWhile(l => l != failed).Skip(1).FirstOrDefault() ?? "", file);
            else if (child.ExitCode != 0)
                yield return ($"process died (exit {child.ExitCode})", text.Trim(), file);
            else
                yield return ("does not reproduce outside AFL", "", file);
        }
    }

    private static string Escape(string token) => string.Concat(token.Select(c => c is '"' or '\\' ? $"\\{c}" : c < 0x20 || c > 0x7E ? $"\\x{(int)c:X2}" : c.ToString()));
}
