using System.Diagnostics;
using System.Globalization;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.LoadTest;

/// <summary>
/// How long a change on a real printer takes to reach the status the cloud stores: the real cloud process, the real
/// agent process (IPP collector, default debounce of 2 s) and a real printer; N changes, alternately raising and
/// clearing one condition, each timed from the moment the printer took the change (the command that made it returned)
/// to the moment the cloud's devices row and active conditions show it (its SQLite file read every 10 ms). Before each
/// change the run waits a random 0-1.5 s (seeded): a change made right after the previous one was stored would always
/// land just after a poll and wait a whole interval, which measures the test's rhythm, not the agent.
/// Three runs: cupsd watched through IPP notifications with a one-minute poll; the same cupsd polled every second
/// (notifications off, the reference); ippeveprinter (which offers no notifications) polled every second.
/// </summary>
internal static class PrinterLatencyRun
{
    private static readonly TimeSpan PerChangeLimit = TimeSpan.FromMinutes(2);

    public sealed record Result(string Name, IReadOnlyList<double> RaiseMs, IReadOnlyList<double> ClearMs)
    {
        public IReadOnlyList<double> AllMs => [.. RaiseMs, .. ClearMs];
    }

    public static async Task RunAsync(int changes, TimeSpan debounce, CancellationToken ct)
    {
        string[] agent = [$"--Agent:ConditionDebounceInterval={debounce}"];
        var notified = await CupsAsync("cupsd, notifications (pull every 1 s), poll every 60 s", notifications: true, changes, agent, ct);
        var polledCups = await CupsAsync("cupsd, polled every 1 s (reference)", notifications: false, changes, agent, ct);
        var polledEve = await IppEveAsync("ippeveprinter, polled every 1 s", changes, agent, ct);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"printer-latency: a change on the printer to the status the cloud stores, {changes} changes per run (half raise, half clear); agent debounce {debounce.TotalSeconds:0.###} s"));
        Console.WriteLine($"  {"run",-58} {"p50",9} {"p99",9} {"max",9} {"raise p50",10} {"clear p50",10} {"p50/ref",8}");
        var reference = Percentile(polledCups.AllMs, 0.50);
        foreach (var run in new[] { notified, polledCups, polledEve })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {run.Name,-58} {Percentile(run.AllMs, 0.50),7:N0}ms {Percentile(run.AllMs, 0.99),7:N0}ms {run.AllMs.Max(),7:N0}ms {Percentile(run.RaiseMs, 0.50),8:N0}ms {Percentile(run.ClearMs, 0.50),8:N0}ms {Percentile(run.AllMs, 0.50) / reference,7:N2}x"));
        }
    }

    private static async Task<Result> CupsAsync(string name, bool notifications, int changes, IEnumerable<string> agent, CancellationToken ct)
    {
        await using var cups = await CupsDaemon.StartAsync();
        string[] settings =
        [
            $"--Ipp:PrinterUri={cups.QueueUri}",
            $"--Ipp:Notifications={notifications}",
            "--Ipp:NotificationGetIntervalMax=00:00:01",
            $"--Agent:PollInterval={(notifications ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(1))}",
            .. agent,
        ];
        // cupsdisable stops the queue (printer-state stopped, reason paused); cupsenable makes it idle again.
        return await MeasureAsync(name, settings, changes,
            raise: () => cups.DisableAsync("latency test"), isRaised: row => row.State == "Stopped" && row.Codes.Contains("ipp:paused"),
            clear: cups.EnableAsync, isCleared: row => row.State == "Idle" && !row.Codes.Contains("ipp:paused"), ct);
    }

    private static async Task<Result> IppEveAsync(string name, int changes, IEnumerable<string> agent, CancellationToken ct)
    {
        await using var printer = await IppEvePrinter.StartAsync();
        string[] settings = [$"--Ipp:PrinterUri={printer.Uri}", "--Agent:PollInterval=00:00:01", .. agent];
        // A printed document whose STATE: line jams the printer (media-jam-report while idle), then one that clears it.
        return await MeasureAsync(name, settings, changes,
            raise: () => printer.PrintAsync("STATE: +media-jam"), isRaised: row => row.Codes.Contains("ipp:media-jam"),
            clear: () => printer.PrintAsync("STATE: -media-jam"), isCleared: row => !row.Codes.Contains("ipp:media-jam"), ct);
    }

    private static async Task<Result> MeasureAsync(
        string name, IEnumerable<string> settings, int changes,
        Func<Task> raise, Func<StoredRow, bool> isRaised, Func<Task> clear, Func<StoredRow, bool> isCleared, CancellationToken ct)
    {
        await using var cloud = await CloudProcess.StartAsync(ct);
        var (deviceId, token) = await cloud.RegisterAsync("latency-printer", ct);
        await using var agent = ChildProcess.StartDotnet("agent", RepositoryLayout.AgentDll,
        [
            "run",
            $"--Agent:DeviceId={deviceId}",
            $"--Agent:Token={token}",
            $"--Agent:DataDirectory={Directory.CreateTempSubdirectory("dx-latency-").FullName}",
            "--Agent:Collectors=ipp",
            "--Broker:Host=127.0.0.1",
            $"--Broker:Port={cloud.MqttPort}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        await WaitForAsync(cloud, deviceId, isCleared, agent, "the printer's first status, idle", ct);

        var raised = new List<double>();
        var cleared = new List<double>();
        var spacing = new Random(17);
        for (var i = 0; i < changes; i++)
        {
            var raising = i % 2 == 0;
            await Task.Delay(TimeSpan.FromMilliseconds(spacing.Next(0, 1500)), ct);
            await (raising ? raise() : clear());
            var clock = Stopwatch.StartNew();
            await WaitForAsync(cloud, deviceId, raising ? isRaised : isCleared, agent, $"change {i + 1} ({(raising ? "raise" : "clear")})", ct);
            (raising ? raised : cleared).Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {changes} changes, p50 {Percentile([.. raised, .. cleared], 0.5):N0} ms"));
        return new Result(name, raised, cleared);
    }

    private sealed record StoredRow(string State, IReadOnlySet<string> Codes);

    private static async Task WaitForAsync(CloudProcess cloud, string deviceId, Func<StoredRow, bool> condition, ChildProcess agent, string what, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (Read(cloud.DatabasePath, deviceId) is not { } row || !condition(row))
        {
            if (agent.HasExited || deadline.Elapsed > PerChangeLimit)
                throw new InvalidOperationException($"The cloud never stored {what}:\n{agent.Tail()}");
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
        }
    }

    /// <summary>The device's stored state and active condition codes, as the dashboard reads them; null before its first status.</summary>
    private static StoredRow? Read(string databasePath, string deviceId)
    {
        if (!File.Exists(databasePath))
            return null;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.state, (SELECT group_concat(a.code, ' ') FROM active_conditions a WHERE a.device_id = d.id)
            FROM devices d WHERE d.id = $id AND d.status_seq IS NOT NULL;
            """;
        command.Parameters.AddWithValue("$id", deviceId);
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0))
            return null;
        var codes = reader.IsDBNull(1) ? [] : reader.GetString(1).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new StoredRow(reader.GetString(0), codes.ToHashSet(StringComparer.Ordinal));
    }

    private static double Percentile(IReadOnlyList<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        // Nearest rank: with 20 values the p99 is the largest, which is what "p99 of 20" can honestly say.
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
