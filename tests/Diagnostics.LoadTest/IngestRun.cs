using System.Diagnostics;
using System.Globalization;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using MQTTnet.Server;

namespace Diagnostics.LoadTest;

/// <summary>Where the devices of an ingest run connect.</summary>
internal enum IngestBroker
{
    /// <summary>The cloud's embedded MQTTnet broker: the devices' connections, the broker and the cloud in one process.</summary>
    Embedded,

    /// <summary>
    /// Mosquitto with dynamic security, the cloud in External mode reading one shared subscription (the production shape
    /// of cloud/many-instances.md): the devices' connections and the broker in Mosquitto's process, the cloud a client.
    /// </summary>
    Mosquitto,
}

/// <summary>
/// Ingest: N devices publish M events each, as fast as the broker takes them, first against a bare broker (the
/// reference), then against the real cloud, where a message counts only when the cloud's ack says it is stored.
/// The rates are compared within one run; CPU per message of each process says where a two-core machine's time goes.
/// </summary>
internal static class IngestRun
{
    /// <summary>Mosquitto's queue to the cloud's subscription is unbounded: these publishers do not re-send what a full queue would drop.</summary>
    private static readonly string[] MosquittoForIngest = ["max_queued_messages 0"];

    public static async Task RunAsync(int devices, int messages, Severity severity, IReadOnlyCollection<string> engines, CancellationToken ct)
    {
        var loadBefore = ProcessStats.LoadAverage();
        var reference = await MeasureCountingHookAsync(devices, messages, severity, ct);
        var stored = await MeasureCloudRunAsync(devices, messages, severity, [], null, IngestBroker.Embedded, [], ct);
        CloudRun? onPostgres = null;
        if (engines.Contains("postgresql", StringComparer.OrdinalIgnoreCase))
        {
            // Durable commits (fsync, synchronous_commit on), as SQLite's synchronous=FULL: the cloud acks only what is on disk.
            await using var postgres = await PostgresServer.StartAsync(durable: true, ct);
            var connectionString = await postgres.CreateDatabaseAsync("diagnostics", ct);
            onPostgres = await MeasureCloudRunAsync(devices, messages, severity, ["--Storage:Provider=PostgreSQL", $"--Storage:ConnectionString={connectionString}"],
                null, IngestBroker.Embedded, [], ct);
        }
        Console.WriteLine();
        Console.WriteLine($"ingest: {devices} devices x {messages} events = {(long)devices * messages} messages of severity {severity} (load average {loadBefore} before, {ProcessStats.LoadAverage()} after)");
        Console.WriteLine($"  count-only publish hook       : {reference.Rate,12:N0} msg/s (reference)");
        Console.WriteLine($"  cloud on SQLite, stored+acked : {stored.Rate,12:N0} msg/s  {stored.Rate / reference.Rate,8:P1} of the reference");
        if (onPostgres is { } pg)
            Console.WriteLine($"  cloud on PostgreSQL, same     : {pg.Rate,12:N0} msg/s  {pg.Rate / reference.Rate,8:P1} of the reference, {pg.Rate / stored.Rate:N2}x SQLite");
        // The reference's process holds both the bare broker and the publishers; in the cloud run the load tool holds
        // the publishers alone and the cloud everything else.
        Console.WriteLine($"  CPU per message, reference (bare broker + publishers): {reference.ToolCpuMicroseconds,8:N1} µs");
        Console.WriteLine($"  CPU per message, cloud on SQLite: publishers {stored.ToolCpuMicroseconds,8:N1} µs, cloud {stored.CloudCpuMicroseconds,8:N1} µs");
        if (onPostgres is { } pgCpu)
            Console.WriteLine($"  CPU per message, cloud on PostgreSQL: publishers {pgCpu.ToolCpuMicroseconds,8:N1} µs, cloud {pgCpu.CloudCpuMicroseconds,8:N1} µs");
    }

    /// <summary>
    /// A/B in one run: each round measures the reference (and, when a variant runs on Mosquitto, a bare Mosquitto) and
    /// then every variant's cloud, in turn, alternating their order, so load from elsewhere on the machine falls on all
    /// of them alike; the ratio of each to the reference of its own round is what compares.
    /// </summary>
    /// <returns>Per variant, its ratio to the reference in each round, and to the bare Mosquitto when one was measured.</returns>
    public static async Task<IReadOnlyList<VariantRatios>> CompareVariantsAsync(int devices, int messages, IReadOnlyList<CloudVariant> variants, int rounds,
        Severity severity, CancellationToken ct)
    {
        var ratios = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var mosquittoRatios = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var measureBareMosquitto = variants.Any(v => v.Broker == IngestBroker.Mosquitto);
        for (var round = 1; round <= rounds; round++)
        {
            var load = ProcessStats.LoadAverage();
            var reference = await MeasureCountingHookAsync(devices, messages, severity, ct);
            Console.WriteLine($"round {round} (load average {load}): reference {reference.Rate:N0} msg/s, {reference.ToolCpuMicroseconds:N1} µs/msg");
            BareMosquittoRun? bareMosquitto = null;
            if (measureBareMosquitto)
            {
                bareMosquitto = await MeasureBareMosquittoAsync(devices, messages, severity, ct);
                Console.WriteLine($"  bare Mosquitto  : {bareMosquitto.Rate,10:N0} msg/s {bareMosquitto.Rate / reference.Rate,7:N2}x  Mosquitto {bareMosquitto.BrokerCpuMicroseconds,6:N1} µs/msg, " +
                    $"publishers {bareMosquitto.ToolCpuMicroseconds,6:N1} µs/msg");
            }
            foreach (var variant in round % 2 == 1 ? variants : variants.Reverse())
            {
                var run = await MeasureCloudRunAsync(devices, messages, variant.Severity ?? severity, variant.Arguments, variant.Environment, variant.Broker,
                    variant.MosquittoConfiguration ?? [], ct, variant.CloudDll);
                ratios[variant.Name].Add(run.Rate / reference.Rate);
                if (bareMosquitto is not null)
                    mosquittoRatios[variant.Name].Add(run.Rate / bareMosquitto.Rate);
                var broker = variant.Broker == IngestBroker.Mosquitto
                    ? $", Mosquitto {run.BrokerCpuMicroseconds,6:N1} µs/msg, {run.Rate / bareMosquitto!.Rate:N2}x bare Mosquitto"
                    : "";
                Console.WriteLine($"  {variant.Name,-16}: {run.Rate,10:N0} msg/s {run.Rate / reference.Rate,7:N2}x  cloud {run.CloudCpuMicroseconds,6:N1} µs/msg, " +
                    $"publishers {run.ToolCpuMicroseconds,6:N1} µs/msg{broker}, acks {run.AcksPerMessage:N3} per message ({run.AcksAtMostOnce:N0} at QoS 0)");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"ingest A/B: {devices} devices x {messages} events, {rounds} round(s), severity {severity} (load average {ProcessStats.LoadAverage()} at the end)");
        foreach (var variant in variants)
        {
            var r = ratios[variant.Name];
            var againstMosquitto = mosquittoRatios[variant.Name] is { Count: > 0 } m
                ? $"; to the bare Mosquitto {Join(m)} (median {Median(m):N2})"
                : "";
            Console.WriteLine($"  {variant.Name,-16}: ratio to the reference {Join(r)} (median {Median(r):N2}){againstMosquitto}  [{variant.Description}]");
        }
        return [.. variants.Select(v => new VariantRatios(v.Name, ratios[v.Name], mosquittoRatios[v.Name]))];

        static string Join(List<double> values) => string.Join(", ", values.Select(x => x.ToString("N2", CultureInfo.InvariantCulture)));
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    }

    /// <summary>The reference: a bare MQTTnet broker whose publish hook only counts and drops, the publishers in this process.</summary>
    private static async Task<(double Rate, double ToolCpuMicroseconds)> MeasureCountingHookAsync(int deviceCount, int messagesPerDevice, Severity severity, CancellationToken ct)
    {
        var port = FreePort.Next();
        long counted = 0;
        var server = new MqttServerFactory().CreateMqttServer(
            new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(port).Build());
        server.InterceptingPublishAsync += args =>
        {
            Interlocked.Increment(ref counted);
            args.ProcessPublish = false;
            return Task.CompletedTask;
        };
        await server.StartAsync();
        try
        {
            var identities = Enumerable.Range(1, deviceCount).Select(i => ($"ref-{i:D4}", "unused")).ToList();
            var publishers = new Publishers("127.0.0.1", port, identities, messagesPerDevice, severity);
            await publishers.ConnectAsync(listenForAcks: false, ct);
            var cpu0 = ProcessStats.CpuSeconds(Environment.ProcessId);
            var clock = Stopwatch.StartNew();
            await publishers.PublishAllAsync(ct);
            clock.Stop();
            var cpu = ProcessStats.CpuSeconds(Environment.ProcessId) - cpu0;
            await publishers.DisconnectAsync();
            if (Interlocked.Read(ref counted) != publishers.TotalMessages)
                throw new InvalidOperationException($"The counting hook saw {counted} of {publishers.TotalMessages} messages.");
            return (publishers.TotalMessages / clock.Elapsed.TotalSeconds, cpu * 1e6 / publishers.TotalMessages);
        }
        finally
        {
            await server.StopAsync();
            server.Dispose();
        }
    }

    public sealed record VariantRatios(string Name, IReadOnlyList<double> ToReference, IReadOnlyList<double> ToBareMosquitto);

    private sealed record BareMosquittoRun(double Rate, double ToolCpuMicroseconds, double BrokerCpuMicroseconds);

    /// <summary>
    /// The same publishers against a Mosquitto with the same accounts and settings as the cloud's and no subscriber: it
    /// PUBACKs and drops every message, as the MQTTnet reference's hook does. What Mosquitto alone costs and allows.
    /// </summary>
    private static async Task<BareMosquittoRun> MeasureBareMosquittoAsync(int deviceCount, int messagesPerDevice, Severity severity, CancellationToken ct)
    {
        var identities = Enumerable.Range(1, deviceCount).Select(i => ($"ref-{i:D4}", Guid.NewGuid().ToString("N"))).ToList();
        await using var mosquitto = await MosquittoWithDynamicSecurity.StartAsync(ct, MosquittoForIngest, FleetAccounts.Of(identities).WriteIntoAsync);
        var publishers = new Publishers("127.0.0.1", mosquitto.Port, identities, messagesPerDevice, severity);
        await publishers.ConnectAsync(listenForAcks: false, ct);
        var toolCpu0 = ProcessStats.CpuSeconds(Environment.ProcessId);
        var brokerCpu0 = ProcessStats.CpuSeconds(mosquitto.ProcessId);
        var clock = Stopwatch.StartNew();
        await publishers.PublishAllAsync(ct);
        clock.Stop();
        var toolCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - toolCpu0;
        var brokerCpu = ProcessStats.CpuSeconds(mosquitto.ProcessId) - brokerCpu0;
        await publishers.DisconnectAsync();
        return new BareMosquittoRun(publishers.TotalMessages / clock.Elapsed.TotalSeconds, toolCpu * 1e6 / publishers.TotalMessages,
            brokerCpu * 1e6 / publishers.TotalMessages);
    }

    private static async Task<CloudRun> MeasureCloudRunAsync(int deviceCount, int messagesPerDevice, Severity severity, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment, IngestBroker broker, IReadOnlyList<string> brokerConfiguration, CancellationToken ct, string? cloudDll = null)
    {
        await using var mosquitto = broker == IngestBroker.Mosquitto
            ? await MosquittoWithDynamicSecurity.StartAsync(ct, [.. MosquittoForIngest, .. brokerConfiguration])
            : null;
        string[] external = mosquitto is null ? [] :
        [
            "--Broker:Mode=External", "--Broker:External:Host=127.0.0.1", $"--Broker:External:Port={mosquitto.Port}",
            $"--Broker:External:UserName={MosquittoWithDynamicSecurity.AdminUser}", $"--Broker:External:Password={mosquitto.AdminPassword}",
        ];
        // The publishers send as fast as the broker answers, far past one device's limits: this run measures capacity.
        var cloud = await StartCloudAsync([.. FloodRun.LimitsLifted, .. arguments, .. external], environment, ct, cloudDll);
        try
        {
            return await MeasureOnCloudAsync(cloud, mosquitto, deviceCount, messagesPerDevice, severity, ct);
        }
        finally
        {
            // Each run's store is 20-250 MB; an A/B of many rounds must not fill the disk.
            await cloud.DisposeAsync();
            Directory.Delete(cloud.DataDirectory, recursive: true);
        }
    }

    private static async Task<CloudRun> MeasureOnCloudAsync(CloudProcess cloud, MosquittoWithDynamicSecurity? mosquitto, int deviceCount, int messagesPerDevice,
        Severity severity, CancellationToken ct)
    {
        // On Mosquitto each registration also makes the device's client and role there (the cloud's dynamic-security commands).
        var identities = new List<(string, string)>();
        for (var i = 1; i <= deviceCount; i++)
            identities.Add(await cloud.RegisterAsync($"load-{i:D4}", ct));
        var publishers = new Publishers("127.0.0.1", mosquitto?.Port ?? cloud.MqttPort, identities, messagesPerDevice, severity);
        await publishers.ConnectAsync(listenForAcks: true, ct);
        var toolCpu0 = ProcessStats.CpuSeconds(Environment.ProcessId);
        var cloudCpu0 = ProcessStats.CpuSeconds(cloud.Process.Id);
        var brokerCpu0 = mosquitto is null ? 0 : ProcessStats.CpuSeconds(mosquitto.ProcessId);
        var clock = Stopwatch.StartNew();
        await publishers.PublishAllAsync(ct);
        await publishers.WaitForAllStoredAsync(TimeSpan.FromMinutes(10), ct);
        clock.Stop();
        var toolCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - toolCpu0;
        var cloudCpu = ProcessStats.CpuSeconds(cloud.Process.Id) - cloudCpu0;
        var brokerCpu = mosquitto is null ? 0 : ProcessStats.CpuSeconds(mosquitto.ProcessId) - brokerCpu0;
        var acks = publishers.Acks;
        await publishers.DisconnectAsync();
        Console.WriteLine($"cloud process peak memory after ingest: {cloud.Process.PeakResidentBytes() / (1024.0 * 1024):N0} MiB");
        return new CloudRun(publishers.TotalMessages / clock.Elapsed.TotalSeconds, toolCpu * 1e6 / publishers.TotalMessages, cloudCpu * 1e6 / publishers.TotalMessages,
            (double)acks.Received / publishers.TotalMessages, acks.AtMostOnce, brokerCpu * 1e6 / publishers.TotalMessages);
    }

    // On a machine loaded by other work a cloud can take longer than CloudProcess's 60 s to answer /health: try again
    // (a fresh process and store) rather than lose the whole run.
    private static async Task<CloudProcess> StartCloudAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken ct,
        string? cloudDll = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            // A start that fails leaves no store behind (the caller deletes the store of one that started).
            var dataDirectory = Directory.CreateTempSubdirectory("dx-cloud-").FullName;
            try
            {
                return await CloudProcess.StartAsync(ct, dataDirectory, extraArguments: arguments, environment: environment, cloudDll: cloudDll);
            }
            catch (TimeoutException) when (attempt < 3)
            {
                Directory.Delete(dataDirectory, recursive: true);
                Console.WriteLine($"the cloud did not answer /health in time (attempt {attempt}, load average {ProcessStats.LoadAverage()}; DX_CLOUD_START_SECONDS raises the limit); starting another");
            }
            catch
            {
                Directory.Delete(dataDirectory, recursive: true);
                throw;
            }
        }
    }
}
