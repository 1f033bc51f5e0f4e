using System.Diagnostics;
using System.Globalization;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;
using MQTTnet;

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
    internal sealed record Step(
        int Devices, double SecondsToOnline, double ResidentMiB, double CpuPercent, double OfferedPerSecond, double StoredPerSecond,
        double AckP50, double AckP99, int ConnectedAtEnd, int OnlineAtEnd, double SecondsToOffline, int OnlineAfterKill, long ConnectFailures,
        List<double>? ProposalLatencies, double BrokerResidentMiB, double BrokerHeapMiB, double BrokerCpuPercent, ConnectCpu ConnectCpu, int DevicesAcked);

    /// <summary>CPU-seconds spent from starting the client processes until every device was online: where a connect storm's work (TLS handshakes) goes.</summary>
    internal sealed record ConnectCpu(double Cloud, double Broker, double Clients);

    /// <summary>
    /// What every step of a run shares: the registered store to copy, the fleet's credentials, the probe's, the clients'
    /// settings; with certificate devices, the folder of their enrolled certificates (one folder per device).
    /// </summary>
    private sealed record Run(
        string Template, string Credentials, (string DeviceId, string Token)? ProbeCredentials, int ClientProcesses, int HeartbeatSeconds, int WindowSeconds,
        string? DeviceCertificates, FleetAccounts? Accounts);

    /// <summary>
    /// Where the fleet connects: the cloud's embedded broker, or a Mosquitto started for each step with the cloud on it
    /// (<c>Broker:Mode=External</c>) — devices with dynamic-security accounts and tokens over plain MQTT (<see cref="Mosquitto"/>),
    /// or with client certificates from the cloud's device CA over TLS and nothing per device in the broker
    /// (<see cref="MosquittoCertificates"/>, <c>Broker:External:DeviceAccounts=MosquittoCertificates</c>).
    /// </summary>
    public enum Broker { Embedded, Mosquitto, MosquittoCertificates }

    /// <summary>One cloud configuration measured: its settings and environment (an A/B's variant), and the broker.</summary>
    private sealed record Target(Broker Broker, IReadOnlyList<string> CloudArguments, IReadOnlyDictionary<string, string> Environment, FleetAccounts? Accounts,
        string? CloudDll = null);

    public static async Task RunAsync(
        IReadOnlyList<int> sizes, int clientProcesses, int heartbeatSeconds, int windowSeconds, int proposalSamplesAt, Broker broker,
        IReadOnlyList<CloudVariant> variants, int rounds, string? reuseTemplate, CancellationToken ct)
    {
        var run = await PrepareAsync(sizes.Max(), broker, clientProcesses, heartbeatSeconds, windowSeconds, ct, reuseTemplate);
        var accounts = run.Accounts;
        if (variants.Count > 0)
        {
            await CompareVariantsAsync(run, sizes, broker, accounts, variants, rounds, ct);
            return;
        }

        var target = new Target(broker, [], new Dictionary<string, string>(), accounts);
        var reference = await MeasureAsync(run, 0, target, proposalSamples: false, ct);
        var steps = new List<Step>();
        foreach (var size in sizes.Where(s => s > 0))
            steps.Add(await MeasureAsync(run, size, target, size == proposalSamplesAt, ct));

        Console.WriteLine();
        Console.WriteLine($"fleet on the {broker} broker (load average {ProcessStats.LoadAverage()} at the end; {Environment.ProcessorCount} cores):");
        var onMosquitto = broker != Broker.Embedded;
        var brokerColumns = onMosquitto ? " Mosquitto RSS | per device | Mosquitto heap | per device | cloud + Mosquitto heap per device | Mosquitto CPU |" : "";
        Console.WriteLine($"| devices | all online after | cloud RSS | per device |{brokerColumns} cloud CPU | offered msg/s | stored msg/s | probe ack p50 / p99 | vs N = 0 | connected / shown online | offline after kill | still online |");
        Console.WriteLine($"|---|---|---|---|{(onMosquitto ? "---|---|---|---|---|---|" : "")}---|---|---|---|---|---|---|---|");
        foreach (var step in new[] { reference }.Concat(steps))
        {
            string PerDevice(double mib) => step.Devices == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{mib * 1024 / step.Devices:N1} KiB");
            var brokerCells = !onMosquitto ? "" : string.Create(CultureInfo.InvariantCulture,
                $" {step.BrokerResidentMiB:N1} MiB | {PerDevice(step.BrokerResidentMiB - reference.BrokerResidentMiB)} | " +
                $"{step.BrokerHeapMiB:N1} MiB | {PerDevice(step.BrokerHeapMiB - reference.BrokerHeapMiB)} | " +
                $"{PerDevice(step.ResidentMiB + step.BrokerHeapMiB - reference.ResidentMiB - reference.BrokerHeapMiB)} | {step.BrokerCpuPercent:N0} % |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {step.Devices:N0} | {step.SecondsToOnline:N1} s | {step.ResidentMiB:N0} MiB | {PerDevice(step.ResidentMiB - reference.ResidentMiB)} |{brokerCells} {step.CpuPercent:N0} % | {step.OfferedPerSecond:N0} | {step.StoredPerSecond:N0} | " +
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
        Console.WriteLine("connect storm, CPU-seconds from starting the clients to all online (ms per connection):");
        foreach (var step in steps)
        {
            string PerConnection(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:N1} s ({seconds * 1000 / step.Devices:N2} ms)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {step.Devices:N0}: {step.Devices / step.SecondsToOnline:N0} connects/s; broker {PerConnection(step.ConnectCpu.Broker)}, cloud {PerConnection(step.ConnectCpu.Cloud)}, client processes {PerConnection(step.ConnectCpu.Clients)}"));
        }
    }

    /// <summary>One step on its own (the tests' entry): <paramref name="size"/> devices registered, then measured once; the run's folder deleted after.</summary>
    internal static async Task<Step> MeasureOnceAsync(int size, Broker broker, int clientProcesses, int heartbeatSeconds, int windowSeconds, CancellationToken ct)
    {
        var run = await PrepareAsync(size, broker, clientProcesses, heartbeatSeconds, windowSeconds, ct);
        try
        {
            return await MeasureAsync(run, size, new Target(broker, [], new Dictionary<string, string>(), run.Accounts), proposalSamples: false, ct);
        }
        finally
        {
            Directory.Delete(run.Template, recursive: true);
        }
    }

    /// <summary>The store every step copies, with the <paramref name="largest"/> devices registered (and enrolled, or given broker accounts, as the broker needs).</summary>
    /// <param name="reuseTemplate">An earlier run's folder (printed at its start) whose registered and enrolled devices are used again, if it holds enough.</param>
    private static async Task<Run> PrepareAsync(int largest, Broker broker, int clientProcesses, int heartbeatSeconds, int windowSeconds, CancellationToken ct,
        string? reuseTemplate = null)
    {
        var template = reuseTemplate ?? Directory.CreateTempSubdirectory("dx-fleet-template-").FullName;
        var credentials = Path.Combine(template, "credentials.txt");
        var probeFile = Path.Combine(template, "probe.txt");
        var deviceCertificates = broker == Broker.MosquittoCertificates ? Path.Combine(template, "device-certificates") : null;
        (string DeviceId, string Token)? probeCredentials;
        if (reuseTemplate is not null)
        {
            var registered = File.ReadLines(credentials).Count();
            if (registered < largest || (deviceCertificates is not null && Directory.GetDirectories(deviceCertificates).Length < largest))
                throw new InvalidOperationException($"{reuseTemplate} holds {registered} devices, fewer than {largest} (or fewer of them enrolled).");
            // The probe is registered in each step on Mosquitto; only the embedded broker's steps use the one registered here.
            probeCredentials = File.Exists(probeFile) && File.ReadAllText(probeFile).Split(' ', 2) is [var id, var token] ? (id, token.Trim()) : null;
            Console.WriteLine($"fleet: reusing the devices registered in {template}");
        }
        else
        {
            Console.WriteLine($"fleet: registering in {template} (--fleet-template {template} reuses them)");
            probeCredentials = await RegisterAsync(template, credentials, largest, deviceCertificates, ct);
            await File.WriteAllTextAsync(probeFile, $"{probeCredentials.Value.DeviceId} {probeCredentials.Value.Token}", ct);
        }
        var accounts = broker == Broker.Mosquitto ? await FleetAccounts.FromCredentialsAsync(credentials, ct) : null;
        Console.WriteLine($"fleet: {largest} devices registered; broker {broker}; client processes: {clientProcesses}; heartbeat every {heartbeatSeconds} s; window {windowSeconds} s");
        return new Run(template, credentials, probeCredentials, clientProcesses, heartbeatSeconds, windowSeconds, deviceCertificates, accounts);
    }

    /// <summary>
    /// An A/B of cloud settings (GC settings, for memory): each round measures every variant at every size, the
    /// variants' order reversed every other round so load from elsewhere on the machine falls on all of them; per
    /// variant the resident memory per device between consecutive sizes (the slope, so fixed costs drop out).
    /// </summary>
    private static async Task CompareVariantsAsync(
        Run run, IReadOnlyList<int> sizes, Broker broker, FleetAccounts? accounts, IReadOnlyList<CloudVariant> variants, int rounds, CancellationToken ct)
    {
        var results = variants.ToDictionary(v => v.Name, _ => new List<List<Step>>());
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var variant in round % 2 == 1 ? variants : variants.Reverse())
            {
                Console.WriteLine($"== round {round}, {variant.Name} ({variant.Description})");
                var target = new Target(broker, variant.Arguments, variant.Environment, accounts, variant.CloudDll);
                var steps = new List<Step>();
                foreach (var size in sizes)
                    steps.Add(await MeasureAsync(run, size, target, proposalSamples: false, ct));
                results[variant.Name].Add(steps);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"fleet A/B on the {broker} broker, {rounds} round(s) (load average {ProcessStats.LoadAverage()} at the end; {Environment.ProcessorCount} cores):");
        var slopes = sizes.Zip(sizes.Skip(1)).ToList();
        Console.WriteLine($"| variant | round | {string.Join(" | ", sizes.Select(s => $"RSS at {s:N0}"))} | {string.Join(" | ", slopes.Select(p => $"per device {p.First:N0}→{p.Second:N0}"))} | CPU at {sizes[^1]:N0} | probe p50 / p99 at {sizes[^1]:N0} | stored / offered at {sizes[^1]:N0} |");
        Console.WriteLine($"|---|---|{string.Concat(sizes.Select(_ => "---|"))}{string.Concat(slopes.Select(_ => "---|"))}---|---|---|");
        foreach (var variant in variants)
        {
            foreach (var (steps, index) in results[variant.Name].Select((s, i) => (s, i)))
            {
                var last = steps[^1];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variant.Name} | {index + 1} | {string.Join(" | ", steps.Select(s => $"{s.ResidentMiB + s.BrokerResidentMiB:N0} MiB"))} | " +
                    $"{string.Join(" | ", steps.Zip(steps.Skip(1)).Select(p => $"{(p.Second.ResidentMiB + p.Second.BrokerResidentMiB - p.First.ResidentMiB - p.First.BrokerResidentMiB) * 1024 / (p.Second.Devices - p.First.Devices):N1} KiB"))} | " +
                    $"{last.CpuPercent:N0} % | {last.AckP50:N1} / {last.AckP99:N1} ms | {last.StoredPerSecond:N0} / {last.OfferedPerSecond:N0} |"));
            }
        }
        foreach (var variant in variants)
            Console.WriteLine($"  {variant.Name}: {variant.Description}");
    }

    /// <summary>
    /// Registers <paramref name="count"/> devices and the probe in one cloud, 32 at a time, and with
    /// <paramref name="deviceCertificates"/> enrolls each for a client certificate as the agent does, kept there; leaves
    /// its store (and its device CA) in <paramref name="template"/>.
    /// </summary>
    private static async Task<(string DeviceId, string Token)> RegisterAsync(string template, string credentialsFile, int count, string? deviceCertificates, CancellationToken ct)
    {
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory: template,
            extraArguments: [$"--Certificates:Directory={FleetCertificates.AuthorityDirectory(template)}"]);
        var clock = Stopwatch.StartNew();
        var lines = new string[count];
        using var enrollment = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, token) =>
        {
            var (deviceId, secret) = await cloud.RegisterAsync($"fleet-{i + 1:D6}", token);
            if (deviceCertificates is not null)
                await FleetCertificates.EnrollAsync(enrollment, cloud.BaseAddress, deviceCertificates, deviceId, secret, token);
            lines[i] = $"{deviceId} {secret}";
        });
        var probe = await cloud.RegisterAsync("fleet-probe", ct);
        await File.WriteAllLinesAsync(credentialsFile, lines, ct);
        Console.WriteLine($"registered {(deviceCertificates is null ? "" : "and enrolled ")}{count + 1} devices in {clock.Elapsed.TotalSeconds:N1} s ({(count + 1) / clock.Elapsed.TotalSeconds:N0}/s, 32 at a time)");
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

    private static async Task<Step> MeasureAsync(Run run, int size, Target target, bool proposalSamples, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory($"dx-fleet-{size}-").FullName;
        File.Copy(Path.Combine(run.Template, "diagnostics.db"), Path.Combine(directory, "diagnostics.db"));
        Console.WriteLine($"-- {size:N0} devices (load average {ProcessStats.LoadAverage()} before)");
        // External mode: Mosquitto with every fleet account, unbounded queues for the cloud's shared subscription (a connect
        // storm's presence and heartbeats past its default 1,000 queued messages would be dropped: see cloud/many-instances.md).
        await using var mosquitto = target.Broker == Broker.Mosquitto
            ? await MosquittoWithDynamicSecurity.StartAsync(ct, ["max_queued_messages 0", "sys_interval 1"], target.Accounts!.WriteIntoAsync)
            : null;
        string[] external = mosquitto is null ? [] :
        [
            "--Broker:Mode=External", "--Broker:External:Host=127.0.0.1", $"--Broker:External:Port={mosquitto.Port}",
            $"--Broker:External:UserName={MosquittoWithDynamicSecurity.AdminUser}", $"--Broker:External:Password={mosquitto.AdminPassword}",
        ];
        // Certificate devices: the cloud starts before its Mosquitto (it writes the CRL Mosquitto needs), so both start together.
        CloudProcess? started = null;
        MosquittoWithDeviceCertificates? certificates = null;
        if (target.Broker == Broker.MosquittoCertificates)
            (started, certificates) = await FleetCertificates.StartCloudAndBrokerAsync(directory, run.Template, target.CloudArguments, target.Environment, target.CloudDll, ct);
        await using var certificateBroker = certificates;
        await using var cloud = started ?? await CloudProcess.StartAsync(ct, dataDirectory: directory, extraArguments: [.. target.CloudArguments, .. external],
            environment: target.Environment, cloudDll: target.CloudDll);
        var brokerPort = certificates?.DevicePort ?? mosquitto?.Port ?? cloud.MqttPort;
        var brokerProcessId = certificates?.ProcessId ?? mosquitto?.ProcessId;
        Func<CancellationToken, Task<long>>? readBrokerHeap = certificates is not null
            ? token => MosquittoHeapBytesAsync(certificates.Port, MosquittoWithDeviceCertificates.CloudUser, certificates.CloudPassword, token)
            : mosquitto is not null ? token => MosquittoHeapBytesAsync(mosquitto.Port, MosquittoWithDynamicSecurity.AdminUser, mosquitto.AdminPassword, token) : null;
        // On Mosquitto the probe is registered through the cloud as a new device is in that mode (its account made by the
        // cloud's dynamic-security commands, or its certificate enrolled), which also checks the bulk-made accounts against the cloud's.
        var probeCredentials = target.Broker == Broker.Embedded
            ? run.ProbeCredentials ?? throw new InvalidOperationException($"{run.Template} has no probe.txt: the embedded broker's steps need the probe registered with the fleet.")
            : await cloud.RegisterAsync("fleet-probe-external", ct);
        MqttClientTlsOptions? probeTls = null;
        if (certificates is not null)
        {
            var probeCertificates = Path.Combine(directory, "probe-certificate");
            await FleetCertificates.EnrollAsync(cloud.Http, cloud.BaseAddress, probeCertificates, probeCredentials.DeviceId, probeCredentials.Token, ct);
            probeTls = FleetCertificates.DeviceTls(certificates.ServerCaPath, probeCertificates, probeCredentials.DeviceId);
        }
        await using var probe = await FleetProbe.ConnectAsync(brokerPort, probeCredentials.DeviceId, probeCredentials.Token, probeTls, ct);
        await probe.AckLatenciesAsync(50, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), ct); // warm-up: JIT, pools

        var clients = new List<ChildProcess>();
        var (cloudCpuBefore, brokerCpuBefore) = (ProcessStats.CpuSeconds(cloud.Process.Id), brokerProcessId is { } before ? ProcessStats.CpuSeconds(before) : 0);
        var clock = Stopwatch.StartNew();
        var perClient = (size + run.ClientProcesses - 1) / Math.Max(1, run.ClientProcesses);
        for (var k = 0; size > 0 && k < run.ClientProcesses && k * perClient < size; k++)
        {
            clients.Add(ChildProcess.StartDotnet($"fleet-client-{k}", typeof(FleetRun).Assembly.Location,
            [
                FleetClient.Name, "--credentials", run.Credentials, "--from", (k * perClient).ToString(CultureInfo.InvariantCulture),
                "--count", Math.Min(perClient, size - k * perClient).ToString(CultureInfo.InvariantCulture),
                "--host", "127.0.0.1", "--port", brokerPort.ToString(CultureInfo.InvariantCulture),
                "--local-address", $"127.0.0.{k + 2}", "--heartbeat", run.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture),
                "--connect-concurrency", "100",
                .. (certificates is null ? Array.Empty<string>() : ["--certificates", run.DeviceCertificates!, "--server-ca", certificates.ServerCaPath]),
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
            var connectCpu = new ConnectCpu(ProcessStats.CpuSeconds(cloud.Process.Id) - cloudCpuBefore,
                brokerProcessId is { } pid ? ProcessStats.CpuSeconds(pid) - brokerCpuBefore : 0, clients.Sum(c => ProcessStats.CpuSeconds(c.Id)));
            // Printed now, not only with the step's figures: a heap dump of the cloud holding the fleet is taken after this line.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   all online after {secondsToOnline:N1} s (cloud pid {cloud.Process.Id}; CPU-seconds until then: broker {connectCpu.Broker:N1}, cloud {connectCpu.Cloud:N1}, client processes {connectCpu.Clients:N1}); settling {run.HeartbeatSeconds} s, then the {run.WindowSeconds} s window"));

            // Steady state: the connect storm is over; heartbeats only (spread over the interval) and the probe.
            await Task.Delay(TimeSpan.FromSeconds(run.HeartbeatSeconds), ct);
            var cpu0 = ProcessStats.CpuSeconds(cloud.Process.Id);
            var brokerCpu0 = brokerProcessId is { } broker0 ? ProcessStats.CpuSeconds(broker0) : 0;
            var (sent0, stored0) = (Sum(clients, "sent"), Sum(clients, "stored"));
            var window = Stopwatch.StartNew();
            var samples = await probe.AckLatenciesAsync(int.MaxValue, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(run.WindowSeconds), ct);
            var seconds = window.Elapsed.TotalSeconds;
            var cpu = 100 * (ProcessStats.CpuSeconds(cloud.Process.Id) - cpu0) / seconds;
            var brokerCpu = brokerProcessId is { } broker1 ? 100 * (ProcessStats.CpuSeconds(broker1) - brokerCpu0) / seconds : 0;
            var (sent1, stored1) = (Sum(clients, "sent"), Sum(clients, "stored"));
            var resident = ProcessStats.ResidentBytes(cloud.Process.Id) / (1024.0 * 1024);
            var brokerResident = brokerProcessId is { } broker2 ? ProcessStats.ResidentBytes(broker2) / (1024.0 * 1024) : 0;
            var brokerHeap = readBrokerHeap is null ? 0 : await readBrokerHeap(ct) / (1024.0 * 1024);
            var connected = (int)Sum(clients, "connected");
            var online = await FleetOnlineAsync(cloud, ct);
            var proposals = proposalSamples ? await probe.ProposalLatenciesAsync(100, TimeSpan.FromMilliseconds(100), cloud.DatabasePath, ct) : null;
            var failures = Sum(clients, "failed");
            var acked = (int)Sum(clients, "acked");

            // Power cut for the whole fleet: every client process killed; the broker sees the connections drop.
            var kill = Stopwatch.StartNew();
            foreach (var client in clients)
                await client.KillHardAsync();
            var stillOnline = online;
            while (kill.Elapsed < TimeSpan.FromSeconds(90) && (stillOnline = await FleetOnlineAsync(cloud, ct)) > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            var step = new Step(size, secondsToOnline, resident, cpu, (sent1 - sent0) / seconds, (stored1 - stored0) / seconds,
                Percentile(samples, 50), Percentile(samples, 99), connected, online, kill.Elapsed.TotalSeconds, stillOnline, failures, proposals, brokerResident, brokerHeap,
                brokerCpu, connectCpu, acked);
            var brokerLine = brokerProcessId is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; Mosquitto RSS {brokerResident:N1} MiB, heap {brokerHeap:N1} MiB, CPU {brokerCpu:N0} %");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   online after {secondsToOnline:N1} s; RSS {resident:N0} MiB{brokerLine}; CPU {cpu:N0} %; offered {step.OfferedPerSecond:N0}/s, stored {step.StoredPerSecond:N0}/s; " +
                $"probe ack p50 {step.AckP50:N1} ms p99 {step.AckP99:N1} ms ({samples.Count}); connected {connected}, shown online {online}; after the kill {stillOnline} online after {kill.Elapsed.TotalSeconds:N1} s"));
            return step;
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    /// <summary>
    /// The bytes Mosquitto's allocator has handed out and not freed, as it publishes them (<c>$SYS/broker/heap/current</c>,
    /// every <c>sys_interval</c>). Its resident memory does not show connections: the plugin's file, parsed at start with
    /// every account, leaves freed memory that malloc keeps and the connections then reuse.
    /// </summary>
    private static async Task<long> MosquittoHeapBytesAsync(int port, string user, string password, CancellationToken ct)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var heap = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            heap.TrySetResult(long.Parse(e.ApplicationMessage.ConvertPayloadToString(), CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithClientId("fleet-heap-reader").WithCredentials(user, password).Build(), ct);
        await client.SubscribeAsync("$SYS/broker/heap/current", cancellationToken: ct);
        var bytes = await heap.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await client.DisconnectAsync(cancellationToken: ct);
        return bytes;
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

    /// <summary>A counter summed over the fleet client processes' last status lines.</summary>
    public static long Sum(List<ChildProcess> clients, string counter) =>
        clients.Sum(client => client.Output.LastOrDefault(l => l.StartsWith("status ", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ').Single(p => p.StartsWith(counter + "=", StringComparison.Ordinal))[(counter.Length + 1)..], CultureInfo.InvariantCulture)
            : 0);

    public static double Percentile(List<double> samples, int percentile)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
