using System.Globalization;
using Diagnostics.Fuzzing;
using Diagnostics.Fuzzing.Engines;

// Fuzzing every parser that reads bytes from outside. Usage:
//   dotnet run -c Release --project tests/Diagnostics.Fuzzing -- <target|all> [--seconds N] [--engine afl|random] [--findings DIR]
//       runs each target for N seconds (60 by default) and prints executions and crashes per target. afl (the default
//       when afl-fuzz is on the PATH) is coverage-guided: AFL++ over SharpFuzz-instrumented assemblies; random is
//       CsCheck's seeded mutations in-process. Inputs that break a contract are saved under DIR (./fuzz-findings).
//   ... -- list                        the targets and what each covers
//   ... -- replay <target> <file>...   runs saved inputs under the contract and says what broke
//   ... -- afl-worker <target> <seeds> what afl-fuzz starts (SharpFuzz's forkserver loop)
var command = args.FirstOrDefault() ?? "all";
switch (command)
{
    case "list":
        foreach (var target in FuzzTargets.All)
            Console.WriteLine($"{target.Name,-9} {target.Covers}");
        return 0;
    case "afl-worker":
        AflEngine.Work(TargetNamed(args.ElementAtOrDefault(1)), args.ElementAtOrDefault(2) ?? throw new ArgumentException("afl-worker <target> <seeds folder>"));
        return 0;
    case "replay":
    {
        var target = TargetNamed(args.ElementAtOrDefault(1));
        var broken = 0;
        foreach (var file in args.Skip(2))
        {
            if (Failures.Replay(target, File.ReadAllBytes(file)) is { } failure)
            {
                broken++;
                Console.WriteLine($"FAIL {failure.Signature}");
                Console.WriteLine(failure.Message.ReplaceLineEndings(" "));
            }
            else
            {
                Console.WriteLine($"ok   {file}");
            }
        }
        return broken == 0 ? 0 : 1;
    }
}

var seconds = int.Parse(Option("--seconds") ?? "60", CultureInfo.InvariantCulture);
var findings = Path.GetFullPath(Option("--findings") ?? "fuzz-findings");
var afl = AflEngine.FindAflFuzz();
var engine = Option("--engine") ?? (afl is null ? "random" : "afl");
if (engine == "afl" && afl is null)
{
    Console.Error.WriteLine("afl-fuzz is not on the PATH: install Debian's afl++ (apt-get install afl++), or use --engine random.");
    return 2;
}
var targets = command == "all" ? FuzzTargets.All : [TargetNamed(command)];
Directory.CreateDirectory(findings);
Console.WriteLine($"fuzzing {targets.Count} target(s), {seconds} s each, engine {engine}, findings in {findings}");
var build = engine == "afl" ? AflEngine.PrepareInstrumentedBuild(findings) : null;

var runs = new List<FuzzRun>();
foreach (var target in targets)
{
    var run = engine == "afl"
        ? AflEngine.Run(target, afl!, build!, seconds, findings)
        : RandomEngine.Run(target, TimeSpan.FromSeconds(seconds), findings);
    runs.Add(run);
    Console.WriteLine($"  {run.Target,-9} {run.Executions,12:N0} executions  {run.Crashes,4} crashes  {run.Hangs,3} hangs  {run.Failures.Count} distinct");
}

Console.WriteLine();
Console.WriteLine($"| target    | engine | seconds | executions | exec/s | edges | crashes | hangs | distinct failures |");
Console.WriteLine($"|-----------|--------|--------:|-----------:|-------:|------:|--------:|------:|-------------------|");
foreach (var run in runs)
{
    Console.WriteLine($"| {run.Target,-9} | {engine} | {run.Seconds,7:F0} | {run.Executions,10:N0} | {run.ExecutionsPerSecond,6:N0} | {run.Edges?.ToString(CultureInfo.InvariantCulture) ?? "-",5} | {run.Crashes,7} | {run.Hangs,5} | {(run.Failures.Count == 0 ? "none" : string.Join("; ", run.Failures.Select(f => f.Signature)))} |");
}
foreach (var failure in runs.SelectMany(run => run.Failures.Select(failure => (run.Target, failure))))
{
    Console.WriteLine();
    Console.WriteLine($"{failure.Target}: {failure.failure.Signature}");
    Console.WriteLine($"  {failure.failure.Message.ReplaceLineEndings(" ")}");
    Console.WriteLine($"  input: {failure.failure.InputPath}");
}
return runs.Any(run => run.Failures.Count > 0) ? 1 : 0;

static FuzzTarget TargetNamed(string? name) =>
    (name is null ? null : FuzzTargets.Find(name))
    ?? throw new ArgumentException($"no target '{name}'; the targets are: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}, or all");

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
