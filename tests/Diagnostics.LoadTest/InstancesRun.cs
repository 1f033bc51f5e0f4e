using System.Diagnostics;
using System.Globalization;
using Diagnostics.Protocol;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest;

/// <summary>
/// The production shape measured (issue 18): cloud processes on one PostgreSQL (durable commits) and one Mosquitto with
/// dynamic security (<c>Broker:Mode=External</c>, a shared subscription). Ingest with one instance, then the same with
/// a second instance beside it (fresh devices each time): CPU-seconds per 10,000 stored and acked messages of each
/// cloud process, of Mosquitto and of PostgreSQL (its postmaster and every backend, from /proc), so two instances are
/// read against one in the same run. Then a fleet of idle devices (the <see cref="FleetClient"/> processes of the
/// <c>fleet</c> run, heartbeats every 30 s) connected to Mosquitto: each process's resident memory per connected
/// device over the same processes before the fleet connected.
/// </summary>
internal static class InstancesRun
{
    private sealed record Ingest(int Instances, long Messages, double Seconds, IReadOnlyList<double> CloudCpu, double BrokerCpu, double DatabaseCpu, long DatabaseBytes)
    {
        public double Per10k(double cpuSeconds) => cpuSeconds * 10_000 / Messages;
    }

    public static async Task RunAsync(int deviceCount, int messagesPerDevice, Severity severity, int fleetSize, int clientProcesses, int heartbeatSeconds, CancellationToken ct)
    {
        var loadBefore = ProcessStats.LoadAverage();
        await using var postgres = await PostgresServer.StartAsync(durable: true, ct);
        var connectionString = await postgres.CreateDatabaseAsync("diagnostics", ct);
        // Mosquitto queues at most 1,000 QoS 1 messages per client beyond those in flight and drops the rest (its
        // max_queued_messages default): a burst to the cloud's shared subscription past that is lost until the devices
        // re-send. The publishers here do not re-send, so the queue is unbounded (0) for the run.
        await using var mosquitto = await MosquittoWithDynamicSecurity.StartAsync(ct, ["max_queued_messages 0"]);
        string[] settings =
        [
            "--Storage:Provider=PostgreSQL", $"--Storage:ConnectionString={connectionString}",
            "--Broker:Mode=External", "--Broker:External:Host=127.0.0.1", $"--Broker:External:Port={mosquitto.Port}",
            $"--Broker:External:UserName={MosquittoWithDynamicSecurity.AdminUser}", $"--Broker:External:Password={mosquitto.AdminPassword}",
        ];

        // Each instance a HOME of its own, as on two machines; the first starts alone (it seeds the demo accounts).
        await using var first = await StartInstanceAsync(settings, ct);
        var one = await IngestAsync([first], await RegisterAsync(first, "one", deviceCount, ct), messagesPerDevice, severity, mosquitto, postgres, connectionString, ct);
        await using var second = await StartInstanceAsync(settings, ct);
        var two = await IngestAsync([first, second], await RegisterAsync(second, "two", deviceCount, ct), messagesPerDevice, severity, mosquitto, postgres, connectionString, ct);

        var fleet = fleetSize > 0 ? await FleetMemoryAsync([first, second], mosquitto, fleetSize, clientProcesses, heartbeatSeconds, ct) : null;

        Console.WriteLine();
        Console.WriteLine($"instances: PostgreSQL 15 (durable) + Mosquitto (dynamic security), {deviceCount} devices x {messagesPerDevice} events of severity {severity} per step " +
            $"(load average {loadBefore} before, {ProcessStats.LoadAverage()} after; {Environment.ProcessorCount} cores)");
        Console.WriteLine("| cloud instances | messages stored + acked | msg/s | CPU-s per 10,000 msgs: each instance | all instances | Mosquitto | PostgreSQL | all instances vs 1 | database growth per message |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var step in new[] { one, two })
        {
            var each = string.Join(" + ", step.CloudCpu.Select(c => step.Per10k(c).ToString("N2", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {step.Instances} | {step.Messages:N0} | {step.Messages / step.Seconds:N0} | {each} | {step.Per10k(step.CloudCpu.Sum()):N2} | {step.Per10k(step.BrokerCpu):N2} | " +
                $"{step.Per10k(step.DatabaseCpu):N2} | {step.Per10k(step.CloudCpu.Sum()) / one.Per10k(one.CloudCpu.Sum()):N2}x | {(double)step.DatabaseBytes / step.Messages:N0} B |"));
        }
        if (fleet is not null)
            Console.WriteLine(fleet);
    }

    private static Task<CloudProcess> StartInstanceAsync(string[] settings, CancellationToken ct) =>
        CloudProcess.StartAsync(ct, extraArguments: settings,
            environment: new Dictionary<string, string> { ["HOME"] = Directory.CreateTempSubdirectory("dx-instance-home-").FullName });

    /// <summary>Registers devices through <paramref name="cloud"/>, which creates each one's client in Mosquitto (16 at a time).</summary>
    private static async Task<List<(string DeviceId, string Token)>> RegisterAsync(CloudProcess cloud, string prefix, int count, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var identities = new (string, string)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
            identities[i] = await cloud.RegisterAsync($"{prefix}-{i + 1:D6}", token));
        Console.WriteLine($"registered {count} devices ({prefix}) in {clock.Elapsed.TotalSeconds:N1} s ({count / clock.Elapsed.TotalSeconds:N0}/s)");
        return [.. identities];
    }

    private static async Task<Ingest> IngestAsync(
        IReadOnlyList<CloudProcess> instances, List<(string DeviceId, string Token)> identities, int messagesPerDevice, Severity severity,
        MosquittoWithDynamicSecurity mosquitto, PostgresServer postgres, string connectionString, CancellationToken ct)
    {
        var size0 = await DatabaseBytesAsync(connectionString, ct);
        var publishers = new Publishers("127.0.0.1", mosquitto.Port, identities, messagesPerDevice, severity);
        await publishers.ConnectAsync(listenForAcks: true, ct);
        var cloud0 = instances.Select(i => ProcessStats.CpuSeconds(i.Process.Id)).ToList();
        var broker0 = ProcessStats.CpuSeconds(mosquitto.ProcessId);
        var database0 = ProcessStats.TreeCpuSeconds(postgres.ProcessId);
        var clock = Stopwatch.StartNew();
        await publishers.PublishAllAsync(ct);
        await publishers.WaitForAllStoredAsync(TimeSpan.FromMinutes(10), ct);
        clock.Stop();
        var cloud = instances.Select((i, k) => ProcessStats.CpuSeconds(i.Process.Id) - cloud0[k]).ToList();
        var broker = ProcessStats.CpuSeconds(mosquitto.ProcessId) - broker0;
        var database = ProcessStats.TreeCpuSeconds(postgres.ProcessId) - database0;
        await publishers.DisconnectAsync();
        var grown = await DatabaseBytesAsync(connectionString, ct) - size0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"-- {instances.Count} instance(s): {publishers.TotalMessages:N0} messages stored and acked in {clock.Elapsed.TotalSeconds:N1} s; CPU s: cloud {string.Join(" + ", cloud.Select(c => c.ToString("N1", CultureInfo.InvariantCulture)))}, Mosquitto {broker:N1}, PostgreSQL {database:N1}"));
        return new Ingest(instances.Count, publishers.TotalMessages, clock.Elapsed.TotalSeconds, cloud, broker, database, grown);
    }

    /// <summary>The database's size on disk (tables, indexes, TOAST; not the write-ahead log).</summary>
    private static async Task<long> DatabaseBytesAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_database_size(current_database());", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>Resident memory per connected device of each cloud instance and of Mosquitto, over the same processes before the fleet connected.</summary>
    private static async Task<string> FleetMemoryAsync(
        IReadOnlyList<CloudProcess> instances, MosquittoWithDynamicSecurity mosquitto, int fleetSize, int clientProcesses, int heartbeatSeconds, CancellationToken ct)
    {
        var identities = await RegisterAsync(instances[0], "fleet", fleetSize, ct);
        var credentials = Path.Combine(Directory.CreateTempSubdirectory("dx-instances-fleet-").FullName, "credentials.txt");
        await File.WriteAllLinesAsync(credentials, identities.Select(i => $"{i.DeviceId} {i.Token}"), ct);
        var before = instances.Select(i => ProcessStats.ResidentBytes(i.Process.Id)).Append(ProcessStats.ResidentBytes(mosquitto.ProcessId)).ToList();

        var clients = new List<ChildProcess>();
        var perClient = (fleetSize + clientProcesses - 1) / clientProcesses;
        for (var k = 0; k < clientProcesses && k * perClient < fleetSize; k++)
        {
            clients.Add(ChildProcess.StartDotnet($"fleet-client-{k}", typeof(InstancesRun).Assembly.Location,
            [
                FleetClient.Name, "--credentials", credentials, "--from", (k * perClient).ToString(CultureInfo.InvariantCulture),
                "--count", Math.Min(perClient, fleetSize - k * perClient).ToString(CultureInfo.InvariantCulture),
                "--host", "127.0.0.1", "--port", mosquitto.Port.ToString(CultureInfo.InvariantCulture),
                "--local-address", $"127.0.0.{k + 2}", "--heartbeat", heartbeatSeconds.ToString(CultureInfo.InvariantCulture),
                "--connect-concurrency", "100",
            ]));
        }
        try
        {
            var clock = Stopwatch.StartNew();
            while (FleetRun.Sum(clients, "connected") < fleetSize)
            {
                if (clients.FirstOrDefault(c => c.HasExited) is { } gone)
                    throw new InvalidOperationException($"{gone.Name} exited:\n{gone.Tail()}");
                if (clock.Elapsed > TimeSpan.FromMinutes(10))
                    throw new TimeoutException($"{FleetRun.Sum(clients, "connected")} of {fleetSize} connected to Mosquitto after 10 minutes.");
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
            var online = clock.Elapsed.TotalSeconds;
            // One heartbeat interval (every device has sent one and been acked), then the processes' memory.
            await Task.Delay(TimeSpan.FromSeconds(heartbeatSeconds), ct);
            var (sent, stored) = (FleetRun.Sum(clients, "sent"), FleetRun.Sum(clients, "stored"));
            var after = instances.Select(i => ProcessStats.ResidentBytes(i.Process.Id)).Append(ProcessStats.ResidentBytes(mosquitto.ProcessId)).ToList();
            var names = instances.Select((_, k) => $"cloud instance {k + 1}").Append("Mosquitto").ToList();
            var lines = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"fleet on Mosquitto: {fleetSize:N0} devices connected after {online:N1} s; heartbeats sent {sent:N0}, stored and acked {stored:N0}"),
                "| process | RSS before | RSS with the fleet | per connected device |",
                "|---|---|---|---|",
            };
            for (var k = 0; k < names.Count; k++)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {names[k]} | {before[k] / 1048576.0:N0} MiB | {after[k] / 1048576.0:N0} MiB | {(after[k] - before[k]) / 1024.0 / fleetSize:N1} KiB |"));
            }
            return string.Join(Environment.NewLine, lines);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }
}
