using System.Diagnostics;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.LoadTest;

/// <summary>
/// The agent as a gateway watching N printers: the real agent process, the real cloud process, and either N real
/// ippeveprinters (IPP collector) or N simulated printers (the reference, same process shape, no network reads).
/// Measures the agent's CPU time and peak memory over the run, and the size of the status reports the cloud stored.
/// </summary>
internal static class PrinterWatchRun
{
    public sealed record Result(string Collector, double CpuPercent, double ResidentMiB, double PeakMiB, double MeanStatusBytes, int MinStatusBytes, int MaxStatusBytes, long Statuses);

    /// <param name="agentExecutable">A published agent (self-contained) to run instead of the build output's Diagnostics.Agent.dll.</param>
    public static async Task<Result> MeasureAsync(string collector, int printerCount, TimeSpan poll, TimeSpan duration, CancellationToken ct, string? agentExecutable = null)
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
                var (deviceId, token) = await cloud.RegisterAsync($"{collector}-printer-{i + 1:D2}", ct);
                arguments.Add($"--Gateway:Devices:{i}:DeviceId={deviceId}");
                arguments.Add($"--Gateway:Devices:{i}:Token={token}");
                arguments.Add($"--Gateway:Devices:{i}:Collectors={collector}");
                if (collector == "ipp")
                    arguments.Add($"--Gateway:Devices:{i}:Ipp:PrinterUri={printers[i].Uri}");
            }
            await using var agent = agentExecutable is null
                ? ChildProcess.StartDotnet("agent", RepositoryLayout.AgentDll, arguments)
                : ChildProcess.StartExecutable("agent", agentExecutable, arguments);

            // Measure from the moment every printer has reported, so start-up work is not counted.
            var warmUp = Stopwatch.StartNew();
            while (await cloud.OnlineDevicesAsync(ct) < printerCount || StatusSizes(cloud.DatabasePath).Count < printerCount)
            {
                if (agent.HasExited || warmUp.Elapsed > TimeSpan.FromMinutes(2))
                    throw new InvalidOperationException("The agent did not bring every printer online:\n" + agent.Tail());
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            var cpuBefore = ProcessStats.CpuSeconds(agent.Id);
            var clock = Stopwatch.StartNew();
            await Task.Delay(duration, ct);
            var cpu = ProcessStats.CpuSeconds(agent.Id) - cpuBefore;
            var wall = clock.Elapsed.TotalSeconds;
            var resident = ProcessStats.ResidentBytes(agent.Id) / (1024.0 * 1024);
            var peak = agent.PeakResidentBytes() / (1024.0 * 1024);
            var sizes = StatusSizes(cloud.DatabasePath);
            return new Result(collector, 100 * cpu / wall, resident, peak, sizes.Average(), sizes.Min(), sizes.Max(), sizes.Count);
        }
        finally
        {
            foreach (var printer in printers)
                await printer.DisposeAsync();
        }
    }

    /// <summary>Runs a reference program idle for <paramref name="duration"/> and reads its resident memory then.</summary>
    public static async Task<(double ResidentMiB, double PeakMiB)> MeasureReferenceAsync(string executable, TimeSpan duration, CancellationToken ct)
    {
        await using var reference = ChildProcess.StartExecutable("reference", executable, []);
        await Task.Delay(duration, ct);
        if (reference.HasExited)
            throw new InvalidOperationException("The reference program exited early:\n" + reference.Tail());
        return (ProcessStats.ResidentBytes(reference.Id) / (1024.0 * 1024), reference.PeakResidentBytes() / (1024.0 * 1024));
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
