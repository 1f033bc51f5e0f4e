using System.Diagnostics;
using System.Globalization;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.LoadTest;

/// <summary>
/// The agent as a gateway watching N printers: the real agent process, the real cloud process, and either N real
/// ippeveprinters (IPP collector) or N simulated printers (the reference, same process shape, no network reads).
/// Measures the agent's CPU time and memory over the run, and the size of the status reports the cloud stored.
/// Several agents (<c>--agent-executable NAME=PATH</c>, repeatable) run side by side against the same cloud and the
/// same printers, each watching N devices of its own, so an A/B sees the same load on the machine for the same minutes.
/// </summary>
internal static class PrinterWatchRun
{
    /// <summary>One agent of a run: a name, a published agent (null: the build output's dll) and its environment.</summary>
    public sealed record Agent(string Name, string? Executable, IReadOnlyDictionary<string, string> Environment)
    {
        /// <summary>
        /// <c>PATH</c>, or <c>NAME=PATH</c> followed by space-separated <c>ENV:VARIABLE=VALUE</c> for that agent's
        /// environment only (<c>"gen0-1m=bin/agent ENV:DOTNET_GCGen0MaxBudget=100000"</c>).
        /// </summary>
        public static Agent Parse(string text, int index)
        {
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var environment = new Dictionary<string, string>();
            foreach (var part in parts.Skip(1))
            {
                if (!part.StartsWith("ENV:", StringComparison.Ordinal) || part.IndexOf('=', StringComparison.Ordinal) < 5)
                    throw new ArgumentException($"'{part}' in --agent-executable \"{text}\" is not ENV:VARIABLE=VALUE");
                var assignment = part["ENV:".Length..];
                environment[assignment[..assignment.IndexOf('=', StringComparison.Ordinal)]] = assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            var head = parts[0];
            var equals = head.IndexOf('=', StringComparison.Ordinal);
            return equals > 0
                ? new Agent(head[..equals], head[(equals + 1)..], environment)
                : new Agent(index == 0 ? "agent" : $"agent{index + 1}", head, environment);
        }
    }

    /// <summary>Memory of a process from /proc: resident in all, anonymous, file-backed, and private dirty pages.</summary>
    public sealed record Memory(double ResidentMiB, double AnonymousMiB, double FileMiB, double PrivateDirtyMiB, double PeakMiB)
    {
        public static Memory Of(int pid)
        {
            var status = Fields($"/proc/{pid}/status");
            var rollup = Fields($"/proc/{pid}/smaps_rollup");
            return new Memory(status["VmRSS"], status["RssAnon"], status["RssFile"], rollup["Private_Dirty"], status["VmHWM"]);
        }

        public override string ToString() =>
            $"RSS {ResidentMiB,6:N1} MiB (anonymous {AnonymousMiB:N1}, file-backed {FileMiB:N1}, private dirty {PrivateDirtyMiB:N1}; peak {PeakMiB:N1})";

        /// <summary>The "Name: N kB" lines of a /proc file, in MiB.</summary>
        private static Dictionary<string, double> Fields(string path)
        {
            var fields = new Dictionary<string, double>();
            foreach (var line in File.ReadLines(path))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var value = colon < 0 ? [] : line[(colon + 1)..].Trim().Split(' ');
                if (value is [var number, "kB"])
                    fields[line[..colon]] = long.Parse(number, CultureInfo.InvariantCulture) / 1024.0;
            }
            return fields;
        }
    }

    public sealed record Result(string Collector, string Agent, double CpuPercent, Memory Memory, double MeanStatusBytes, int MinStatusBytes, int MaxStatusBytes, long Statuses);

    /// <summary>
    /// Runs every collector of <paramref name="collectors"/> in turn, each with every agent side by side, and the
    /// reference program (if any) idle beside the first collector's run; prints the figures.
    /// </summary>
    public static async Task RunAsync(IReadOnlyList<string> collectors, IReadOnlyList<Agent> agents, string? referenceExecutable,
        int printerCount, TimeSpan poll, TimeSpan duration, CancellationToken ct)
    {
        var loadBefore = ProcessStats.LoadAverage();
        // The smallest Generic Host with the agent's runtime settings (tests/Diagnostics.FootprintReference), published the
        // same way as the agent: what the agent's footprint is measured against, idle through the first collector's minutes.
        var reference = referenceExecutable is null ? null : ChildProcess.StartExecutable("reference", referenceExecutable, []);
        Memory? referenceMemory = null;
        var results = new List<Result>();
        try
        {
            foreach (var collector in collectors)
            {
                results.AddRange(await MeasureAsync(collector, printerCount, poll, duration, agents, ct));
                if (reference is not null && referenceMemory is null)
                {
                    if (reference.HasExited)
                        throw new InvalidOperationException("The reference program exited early:\n" + reference.Tail());
                    referenceMemory = Memory.Of(reference.Id);
                }
            }
        }
        finally
        {
            if (reference is not null)
                await reference.DisposeAsync();
        }
        Console.WriteLine();
        Console.WriteLine($"printers: {agents.Count} agent(s) side by side, each watching {printerCount} printers, poll every {poll.TotalSeconds:N0} s, " +
            $"measured for {duration.TotalMinutes:N0} min after all had reported (load average {loadBefore} before, {ProcessStats.LoadAverage()} at the end)");
        foreach (var agent in agents)
            Console.WriteLine($"  {agent.Name}: {agent.Executable ?? "Diagnostics.Agent.dll on the shared runtime"}{string.Concat(agent.Environment.Select(e => $" {e.Key}={e.Value}"))}");
        foreach (var run in results)
        {
            Console.WriteLine($"  {run.Collector,-9} {run.Agent,-12}: CPU {run.CpuPercent,6:N2} % of one core, {run.Memory}, " +
                $"status report {run.MeanStatusBytes:N0} B on average ({run.MinStatusBytes}-{run.MaxStatusBytes} B, {run.Statuses} reports)");
        }
        if (referenceMemory is not null)
        {
            Console.WriteLine($"  reference: {referenceMemory}, the smallest Generic Host idle for the same time");
            foreach (var run in results)
                Console.WriteLine($"  {run.Collector,-9} {run.Agent,-12}: RSS {run.Memory.ResidentMiB / referenceMemory.ResidentMiB:N2}x the reference, private dirty {run.Memory.PrivateDirtyMiB / referenceMemory.PrivateDirtyMiB:N2}x");
        }
    }

    private static async Task<List<Result>> MeasureAsync(string collector, int printerCount, TimeSpan poll, TimeSpan duration, IReadOnlyList<Agent> agents, CancellationToken ct)
    {
        var printers = new List<IppEvePrinter>();
        try
        {
            if (collector == "ipp")
            {
                for (var i = 0; i < printerCount; i++)
                    printers.Add(await IppEvePrinter.StartAsync());
            }
            await using var cloud = await CloudProcess.StartAsync(ct);
            var processes = new List<ChildProcess>();
            try
            {
                return await MeasureAgentsAsync(cloud, collector, printers, printerCount, poll, duration, agents, processes, ct);
            }
            finally
            {
                // The agents stop before their cloud and printers.
                foreach (var process in processes)
                    await process.DisposeAsync();
            }
        }
        finally
        {
            foreach (var printer in printers)
                await printer.DisposeAsync();
        }
    }

    private static async Task<List<Result>> MeasureAgentsAsync(CloudProcess cloud, string collector, List<IppEvePrinter> printers, int printerCount,
        TimeSpan poll, TimeSpan duration, IReadOnlyList<Agent> agents, List<ChildProcess> processes, CancellationToken ct)
    {
        for (var a = 0; a < agents.Count; a++)
        {
            var arguments = new List<string>
            {
                "run",
                $"--Agent:DataDirectory={Directory.CreateTempSubdirectory("dx-gateway-").FullName}",
                $"--Agent:PollInterval={poll}",
                "--Broker:Host=127.0.0.1",
                $"--Broker:Port={cloud.MqttPort}",
                "--Logging:LogLevel:Default=Warning",
            };
            for (var i = 0; i < printerCount; i++)
            {
                var (deviceId, token) = await cloud.RegisterAsync($"{collector}-{a + 1}-printer-{i + 1:D2}", ct);
                arguments.Add($"--Gateway:Devices:{i}:DeviceId={deviceId}");
                arguments.Add($"--Gateway:Devices:{i}:Token={token}");
                arguments.Add($"--Gateway:Devices:{i}:Collectors={collector}");
                // Side by side, the agents watch the same printers: each printer answers every agent's polls.
                if (collector == "ipp")
                    arguments.Add($"--Gateway:Devices:{i}:Ipp:PrinterUri={printers[i].Uri}");
            }
            var environment = agents[a].Environment.ToDictionary();
            processes.Add(agents[a].Executable is { } executable
                ? ChildProcess.StartExecutable(agents[a].Name, executable, arguments, environment)
                : ChildProcess.StartDotnet(agents[a].Name, RepositoryLayout.AgentDll, arguments, environment));
        }

        // Measure from the moment every printer of every agent has reported, so start-up work is not counted.
        var expected = printerCount * agents.Count;
        var warmUp = Stopwatch.StartNew();
        while (await cloud.OnlineDevicesAsync(ct) < expected || StatusSizes(cloud.DatabasePath).Count < expected)
        {
            if (processes.FirstOrDefault(p => p.HasExited) is { } exited)
                throw new InvalidOperationException($"Agent {exited.Name} exited before every printer was online:\n" + exited.Tail());
            if (warmUp.Elapsed > TimeSpan.FromMinutes(2 * agents.Count))
                throw new InvalidOperationException("The agents did not bring every printer online:\n" + string.Join("\n", processes.Select(p => p.Tail(20))));
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
        var cpuBefore = processes.Select(p => ProcessStats.CpuSeconds(p.Id)).ToList();
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration, ct);
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = processes.Select((p, i) => ProcessStats.CpuSeconds(p.Id) - cpuBefore[i]).ToList();
        var memory = processes.Select(p => Memory.Of(p.Id)).ToList();
        var sizes = StatusSizes(cloud.DatabasePath);
        return [.. agents.Select((agent, i) => new Result(collector, agent.Name, 100 * cpu[i] / wall, memory[i], sizes.Average(), sizes.Min(), sizes.Max(), sizes.Count))];
    }

    private static List<int> StatusSizes(string databasePath)
    {
        if (!File.Exists(databasePath))
            return [];
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT length(payload) FROM telemetry WHERE kind = 'status'";
        using var reader = command.ExecuteReader();
        var sizes = new List<int>();
        while (reader.Read())
            sizes.Add(reader.GetInt32(0));
        return sizes;
    }
}
