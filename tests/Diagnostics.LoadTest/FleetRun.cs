using System.Diagnostics;
using System.Globalization;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.LoadTest;

/// <summary>
/// How many connected devices one cloud process keeps up with. For each fleet size N (and N = 0, the reference), a fresh
/// cloud on a copy of one store where every device is registered; N lightweight devices (<see cref="FleetClient"/>)
/// spread over several client processes, each on its own loopback source address, connect and heartbeat every
/// interval; one more device in this process (<see cref="FleetProbe"/>) times publish → ack throughout. Measured: time
/// until every device is connected and shown online, the cloud's resident memory per device (over N = 0), its CPU,
/// stored against offered messages/s, the probe's p50/p99 against N = 0, presence (connected = shown online), and,
/// after the client processes are killed, how many devices still read online.
/// </summary>
internal static class FleetRun
{
    private sealed record Step(
        int Devices, double SecondsToOnline, double ResidentMiB, double CpuPercent, double OfferedPerSecond, double StoredPerSecond,
        double AckP50, double AckP99, int ConnectedAtEnd, int OnlineAtEnd, double SecondsToOffline, int OnlineAfterKill, long ConnectFailures,
        List<double>? ProposalLatencies);

    public static async Task RunAsync(IReadOnlyList<int> sizes, int clientProcesses, int heartbeatSeconds, int windowSeconds, int proposalSamplesAt, CancellationToken ct)
    {
        var largest = sizes.Max();
        var template = Directory.CreateTempSubdirectory("dx-fleet-template-").FullName;
        var credentials = Path.Combine(template, "credentials.txt");
        var probeCredentials = await RegisterAsync(template, credentials, largest, ct);
        Console.WriteLine($"fleet: {largest} devices registered; client processes: {clientProcesses}; heartbeat every {heartbeatSeconds} s; window {windowSeconds} s");

        var reference = await MeasureAsync(0, template, credentials, probeCredentials, clientProcesses, heartbeatSeconds, windowSeconds, proposalSamples: false, ct);
        var steps = new List<Step>();
        foreach (var size in sizes)
            steps.Add(await MeasureAsync(size, template, credentials, probeCredentials, clientProcesses, heartbeatSeconds, windowSeconds, size == proposalSamplesAt, ct));

        Console.WriteLine();
        Console.WriteLine($"fleet (load average {ProcessStats.LoadAverage()} at the end; {Environment.ProcessorCount} cores):");
        Console.WriteLine("| devices | all online after | cloud RSS | per device | cloud CPU | offered msg/s | stored msg/s | probe ack p50 / p99 | vs N = 0 | connected / shown online | offline after kill | still online |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var step in new[] { reference }.Concat(steps))
        {
            var perDevice = step.Devices == 0 ? "" : $"{(step.ResidentMiB - reference.ResidentMiB) * 1024 / step.Devices:N1} KiB";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {step.Devices:N0} | {step.SecondsToOnline:N1} s | {step.ResidentMiB:N0} MiB | {perDevice} | {step.CpuPercent:N0} % | {step.OfferedPerSecond:N0} | {step.StoredPerSecond:N0} | " +
                $"{step.AckP50:N1} / {step.AckP99:N1} ms | {step.AckP50 / reference.AckP50:N2}x / {step.AckP99 / reference.AckP99:N2}x | " +
                $"{step.ConnectedAtEnd:N0} / {step.OnlineAtEnd:N0} | {step.SecondsToOffline:N1} s | {step.OnlineAfterKill:N0} |"));
        }
        foreach (var step in steps.Where(s => s.ProposalLatencies is not null))
        {
            var latencies = step.ProposalLatencies!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"error raised → proposal readable, {step.Devices:N0} devices connected: p50 {Percentile(latencies, 50):N1} ms, p99 {Percentile(latencies, 99):N1} ms, max {latencies.Max():N1} ms ({latencies.Count} errors)"));
        }
        Console.WriteLine($"connect attempts that failed and were retried: {string.Join(", ", steps.Select(s => $"{s.Devices:N0}: {s.ConnectFailures}"))}");
    }

    /// <summary>Registers <paramref name="count"/> devices and the probe in one cloud, 32 at a time; leaves its store in <paramref name="template"/>.</summary>
    private static async Task<(string DeviceId, string Token)> RegisterAsync(string template, string credentialsFile, int count, CancellationToken ct)
    {
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory: template);
        var clock = Stopwatch.StartNew();
        var lines = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, token) =>
        {
            var (deviceId, secret) = await cloud.RegisterAsync($"fleet-{i + 1:D6}", token);
            lines[i] = $"{deviceId} {secret}";
        });
        var probe = await cloud.RegisterAsync("fleet-probe", ct);
        await File.WriteAllLinesAsync(credentialsFile, lines, ct);
        Console.WriteLine($"registered {count + 1} devices in {clock.Elapsed.TotalSeconds:N1} s ({(count + 1) / clock.Elapsed.TotalSeconds:N0}/s, 32 at a time)");
        await cloud.Process.StopAsync(TimeSpan.FromSeconds(30));
        // One file to copy for every step.
        await using (var connection = new SqliteConnection($"Data Source={cloud.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync(ct);
        }
        return probe;
    }

    private static async Task<Step> MeasureAsync(
        int size, string template, string credentials, (string DeviceId, string Token) probeCredentials, int clientProcesses, int heartbeatSeconds, int windowSeconds,
        bool proposalSamples, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory($"dx-fleet-{size}-").FullName;
        File.Copy(Path.Combine(template, "diagnostics.db"), Path.Combine(directory, "diagnostics.db"));
        Console.WriteLine($"-- {size:N0} devices (load average {ProcessStats.LoadAverage()} before)");
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory: directory);
        await using var probe = await FleetProbe.ConnectAsync(cloud.MqttPort, probeCredentials.DeviceId, probeCredentials.Token, ct);
        await probe.AckLatenciesAsync(50, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), ct); // warm-up: JIT, pools

        var clients = new List<ChildProcess>();
        var clock = Stopwatch.StartNew();
        var perClient = (size + clientProcesses - 1) / Math.Max(1, clientProcesses);
        for (var k = 0; size > 0 && k < clientProcesses && k * perClient < size; k++)
        {
            clients.Add(ChildProcess.StartDotnet($"fleet-client-{k}", typeof(FleetRun).Assembly.Location,
            [
                FleetClient.Name, "--credentials", credentials, "--from", (k * perClient).ToString(CultureInfo.InvariantCulture),
                "--count", Math.Min(perClient, size - k * perClient).ToString(CultureInfo.InvariantCulture),
                "--host", "127.0.0.1", "--port", cloud.MqttPort.ToString(CultureInfo.InvariantCulture),
                "--local-address", $"127.0.0.{k + 2}", "--heartbeat", heartbeatSeconds.ToString(CultureInfo.InvariantCulture),
                "--connect-concurrency", "100",
            ]));
        }
        try
        {
            // Every device connected (its clients say so) and shown online by the cloud.
            while (Sum(clients, "connected") < size || await FleetOnlineAsync(cloud, ct) < size)
            {
                if (clients.FirstOrDefault(c => c.HasExited) is { } gone)
                    throw new InvalidOperationException($"{gone.Name} exited:\n{gone.Tail()}");
                if (clock.Elapsed > TimeSpan.FromMinutes(10))
                    throw new TimeoutException($"{Sum(clients, "connected")} of {size} connected, {await FleetOnlineAsync(cloud, ct)} online after 10 minutes.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
            var secondsToOnline = clock.Elapsed.TotalSeconds;
            // Printed now, not only with the step's figures: a heap dump of the cloud holding the fleet is taken after this line.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   all online after {secondsToOnline:N1} s (cloud pid {cloud.Process.Id}); settling {heartbeatSeconds} s, then the {windowSeconds} s window"));

            // Steady state: the connect storm is over; heartbeats only (spread over the interval) and the probe.
            await Task.Delay(TimeSpan.FromSeconds(heartbeatSeconds), ct);
            var cpu0 = ProcessStats.CpuSeconds(cloud.Process.Id);
            var (sent0, stored0) = (Sum(clients, "sent"), Sum(clients, "stored"));
            var window = Stopwatch.StartNew();
            var samples = await probe.AckLatenciesAsync(int.MaxValue, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(windowSeconds), ct);
            var seconds = window.Elapsed.TotalSeconds;
            var cpu = 100 * (ProcessStats.CpuSeconds(cloud.Process.Id) - cpu0) / seconds;
            var (sent1, stored1) = (Sum(clients, "sent"), Sum(clients, "stored"));
            var resident = ProcessStats.ResidentBytes(cloud.Process.Id) / (1024.0 * 1024);
            var connected = (int)Sum(clients, "connected");
            var online = await FleetOnlineAsync(cloud, ct);
            var proposals = proposalSamples ? await probe.ProposalLatenciesAsync(100, TimeSpan.FromMilliseconds(100), cloud.DatabasePath, ct) : null;
            var failures = Sum(clients, "failed");

            // Power cut for the whole fleet: every client process killed; the broker sees the connections drop.
            var kill = Stopwatch.StartNew();
            foreach (var client in clients)
                await client.KillHardAsync();
            var stillOnline = online;
            while (kill.Elapsed < TimeSpan.FromSeconds(90) && (stillOnline = await FleetOnlineAsync(cloud, ct)) > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            var step = new Step(size, secondsToOnline, resident, cpu, (sent1 - sent0) / seconds, (stored1 - stored0) / seconds,
                Percentile(samples, 50), Percentile(samples, 99), connected, online, kill.Elapsed.TotalSeconds, stillOnline, failures, proposals);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   online after {secondsToOnline:N1} s; RSS {resident:N0} MiB; CPU {cpu:N0} %; offered {step.OfferedPerSecond:N0}/s, stored {step.StoredPerSecond:N0}/s; " +
                $"probe ack p50 {step.AckP50:N1} ms p99 {step.AckP99:N1} ms ({samples.Count}); connected {connected}, shown online {online}; after the kill {stillOnline} online after {kill.Elapsed.TotalSeconds:N1} s"));
            return step;
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    /// <summary>The fleet's devices the cloud shows online (the probe not counted), read where the API reads them.</summary>
    private static async Task<int> FleetOnlineAsync(CloudProcess cloud, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = cloud.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM devices WHERE online = 1 AND id LIKE 'fleet-0%';";
        return Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static long Sum(List<ChildProcess> clients, string counter) =>
        clients.Sum(client => client.Output.LastOrDefault(l => l.StartsWith("status ", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ').Single(p => p.StartsWith(counter + "=", StringComparison.Ordinal))[(counter.Length + 1)..], CultureInfo.InvariantCulture)
            : 0);

    public static double Percentile(List<double> samples, int percentile)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
