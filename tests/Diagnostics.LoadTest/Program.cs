using System.Diagnostics;
using System.Net.Http.Json;
using Diagnostics.LoadTest;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using MQTTnet.Server;

// Load runs. Usage: dotnet run -c Release --project tests/Diagnostics.LoadTest -- [ingest|memory|printers|printer-latency|web|downloads|support|support-bot|kb-search|kb-titles|kb-learn|flood|fleet|instances|all]
//     [--devices N] [--messages M] [--fleet F] [--printers P] [--poll-seconds S] [--minutes T] [--changes L] [--debounce-ms B] [--web-devices W] [--runs R]
//     [--download-devices D] [--image-mib I] [--sessions C] [--support-messages K] [--message-gap-ms G]
//     [--flood-devices N] [--flood-period-ms P] [--flood-seconds S] [--flood-window W]
//  ingest: N devices publish M events each, as fast as the broker takes them, first against a bare MQTTnet broker
//          whose publish hook only counts (the reference), then against the real cloud (embedded broker, ingestion,
//          SQLite), where a message counts only when the cloud's Ack says it is stored. Prints both rates and their ratio.
//          --engines sqlite,postgresql runs the cloud a second time on a PostgreSQL server of its own (durable commits).
//          --variant "NAME=ARGS" (repeatable) and --rounds R: an A/B of cloud settings instead; each round measures the
//          reference and then every variant (ARGS: cloud settings such as --Ingestion:AckDelivery=AtLeastOnce, and
//          ENV:NAME=VALUE for the cloud's environment), alternating their order, and prints each one's ratio per round.
//          A variant with BROKER:Mosquitto puts the devices on a Mosquitto with dynamic security and the cloud on it in
//          External mode (MOSQUITTO:key=value adds a line to that Mosquitto's configuration); each round then also
//          measures the same publishers against a bare Mosquitto (no subscriber), and prints both ratios.
//  memory: starts the cloud and `Diagnostics.Agent simulate --count F` as separate processes, waits until the cloud
//          sees all F devices online, and prints both processes' peak resident memory.
//  printers: the agent as a gateway watching P real ippeveprinters over IPP at an S-second poll for T minutes, and
//          the same agent watching P simulated printers (the reference): CPU, peak memory, status bytes on the wire.
//          --printer-collectors simulated runs only the reference; --agent-executable PATH runs a published agent instead;
//          repeated (NAME=PATH [ENV:VARIABLE=VALUE ...]), the agents run side by side against the same cloud and printers.
//  printer-latency: L changes (raise, clear, ...) on a real printer, each timed to the status the cloud stores: cupsd through
//          IPP notifications (poll every minute), the same cupsd polled every second (the reference), ippeveprinter polled;
//          the agent's condition debounce B ms (2000, its default).
//  web:    W devices written into the cloud's store; time to first render of /dashboard and /dashboard/devices against
//          /health and /api/fleet/summary (R runs each), and what the companion app downloads on first load (Chromium).
//  downloads: a signed I MiB package offered to D devices by a rollout; one device downloads it alone (the reference),
//          then all D at once with their own tokens: aggregate throughput and per-device p50/p99, every SHA-256 checked.
//  support: C support sessions handed to agents at once (10 per customer account, 50 per agent), a customer and an agent
//          long poll open on each all the time, K messages each way per session, one every G to 2.5 G ms (G 200 by
//          default; 4000 is a chat's pace): delivery latency (POST sent to
//          long poll returned) p50/p99/max against one session alone, and a check that nothing is lost, repeated or reordered.
//  support-bot: scripted sessions about every knowledge-base article with a code (device reports it; device and the
//          customer's words; the panel code typed without a device), the customer following the bot: the share the
//          cloud closes as resolved by the bot, per kind, and every miss with what the bot did. --bot-language zh|ja
//          plays the same in Chinese or Japanese (translated symptoms, the customer's answers in that language).
//  kb-search: knowledge search on labelled phrasings (--phrasings FILE.tsv, repeatable; the three tuning halves by
//          default): top-1 and top-3 per language, then search latency p50/p99 over HTTP against a code lookup
//          (--runs R times each phrasing, 5 by default). KB_SEARCH_MISSES=1 lists every miss.
//  kb-titles: in process, the article a stored line quotes by its title (ArticleWording.OfTitle) against the scan of every
//          article it replaced, in the same run (--copies C copies of the starter base, --runs R).
//  kb-learn: learning by two-fold cross-validation on the same phrasings: one half of each article's lines accepted as
//          training phrases through the API, the other half searched before and after; top-1/top-3 per language.
//          With --learn FILE (repeatable): every line of those files learnt, the --phrasings files (held out) scored
//          before and after, in one cloud.
//  flood:  N devices publish an event every P ms for S s alone, then S s beside one device keeping W publishes
//          outstanding: the N's publish-to-PUBACK p50/p99 in both phases and the ratio of the p99s, with the broker's
//          default per-device limits and again with them lifted (each in its own cloud process).
//  fleet:  for each N in --fleet-sizes (1000,5000,10000,18000), N lightweight devices (the agent's protocol, heartbeats every
//          --heartbeat-seconds, 30) over --fleet-clients (4) processes on 127.0.0.2.. against a fresh cloud: time to all
//          online, cloud RSS per device, CPU, offered vs stored msg/s, a probe's publish→ack p50/p99 against N = 0,
//          presence (connected vs shown online, and after every client is killed); error→proposal p50/p99 at
//          --proposals-at (10000). Each step measures for --window-seconds (60). --fleet-broker mosquitto: the fleet on a
//          Mosquitto (dynamic security) started per step, the cloud on it in External mode; its RSS per device too.
//          --fleet-broker MosquittoCertificates: every device enrolled for a client certificate (the agent's enrollment,
//          cached under the run's folder) and connected over TLS to a Mosquitto that requires it; CPU of the connect storm.
//          --fleet-template DIR: the devices an earlier run registered (and enrolled) there, instead of registering anew.
//          --variant "NAME=ARGS" (repeatable) --rounds R: an A/B of cloud settings (ENV:DOTNET_GCConserveMemory=7, …),
//          every variant at every size per round, RSS per device between consecutive sizes.
//  instances: PostgreSQL (durable) + Mosquitto with dynamic security, the cloud as External-broker instances: N devices
//          publish M events each with one instance, then N fresh devices with two: CPU-seconds per 10,000 stored messages
//          of each instance, Mosquitto and PostgreSQL; then --instance-fleet (2000) idle devices on Mosquitto (fleet
//          clients, heartbeats every --heartbeat-seconds): RSS per connected device of each instance and of Mosquitto.
if (args.FirstOrDefault() == FleetClient.Name)
    return await FleetClient.RunAsync(args);
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var devices = IntOption("--devices", 50);
var messages = IntOption("--messages", 2_000);
var fleet = IntOption("--fleet", 1_000);
var printerCount = IntOption("--printers", 20);
var pollSeconds = IntOption("--poll-seconds", 2);
var minutes = IntOption("--minutes", 3);
var changes = IntOption("--changes", 20);
var debounceMs = IntOption("--debounce-ms", 2_000);
var webDevices = IntOption("--web-devices", 10_000);
var runs = IntOption("--runs", 20);
var downloadDevices = IntOption("--download-devices", 200);
var imageMiB = IntOption("--image-mib", 16);
var supportSessions = IntOption("--sessions", 500);
var supportMessages = IntOption("--support-messages", 20);
var messageGapMs = IntOption("--message-gap-ms", 200);
var floodDevices = IntOption("--flood-devices", 50);
var floodPeriodMs = IntOption("--flood-period-ms", 200);
var floodSeconds = IntOption("--flood-seconds", 20);
var floodWindow = IntOption("--flood-window", 100);
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(scenario is "fleet" or "instances" ? 90 : 30));
var ct = cancellation.Token;

if (scenario is "ingest" or "all")
{
    var eventSeverity = Enum.Parse<Severity>(StringOption("--event-severity") ?? nameof(Severity.Error), ignoreCase: true);
    var variants = CloudVariant.ParseAll([.. args.Select((a, i) => (a, i)).Where(x => x.a == "--variant" && x.i + 1 < args.Length).Select(x => args[x.i + 1])]);
    if (variants.Count > 0)
        await IngestRun.CompareVariantsAsync(devices, messages, variants, IntOption("--rounds", 1), eventSeverity, ct);
    else
        await IngestRun.RunAsync(devices, messages, eventSeverity, (StringOption("--engines") ?? "sqlite").Split(','), ct);
    if (scenario is "ingest")
        return 0;
}
if (scenario is "memory" or "all")
    await MeasureFleetMemoryAsync(fleet, ct);
if (scenario is "printers" or "all")
{
    var agents = args.Select((a, i) => (a, i)).Where(x => x.a == "--agent-executable" && x.i + 1 < args.Length)
        .Select((x, index) => PrinterWatchRun.Agent.Parse(args[x.i + 1], index)).ToList();
    await PrinterWatchRun.RunAsync((StringOption("--printer-collectors") ?? "simulated,ipp").Split(','),
        agents.Count > 0 ? agents : [new PrinterWatchRun.Agent("agent", null, new Dictionary<string, string>())],
        StringOption("--reference-executable"), printerCount, TimeSpan.FromSeconds(pollSeconds), TimeSpan.FromMinutes(minutes), ct);
}
if (scenario is "printer-latency" or "all")
    await PrinterLatencyRun.RunAsync(changes, TimeSpan.FromMilliseconds(debounceMs), ct);
if (scenario is "web" or "all")
    await WebRenderRun.RunAsync(webDevices, runs, ct);
if (scenario is "downloads" or "all")
    await DownloadRun.RunAsync(downloadDevices, imageMiB, ct);
if (scenario is "support" or "all")
    await SupportRun.RunAsync(supportSessions, supportMessages, messageGapMs, ct);
if (scenario is "support-bot" or "all")
    await SupportBotRun.RunAsync(StringOption("--bot-language") ?? "en", ct);
if (scenario is "kb-search")
    await KbSearchRun.RunAsync([.. args.Select((a, i) => (a, i)).Where(x => x.a == "--phrasings" && x.i + 1 < args.Length).Select(x => args[x.i + 1])], IntOption("--runs", 5), ct);
if (scenario is "kb-titles")
    KbTitlesRun.Run(IntOption("--copies", 1), IntOption("--runs", 20));
if (scenario is "kb-learn")
{
    List<string> Files(string option) => [.. args.Select((a, i) => (a, i)).Where(x => x.a == option && x.i + 1 < args.Length).Select(x => args[x.i + 1])];
    if (Files("--learn") is { Count: > 0 } learnFiles)
        await KbLearnRun.HeldOutAsync(learnFiles, Files("--phrasings"), ct);
    else
        await KbLearnRun.RunAsync(Files("--phrasings"), ct);
}
if (scenario is "flood" or "all")
    await FloodRun.RunAsync(floodDevices, floodPeriodMs, floodSeconds, floodWindow, ct);
if (scenario is "fleet")
{
    var sizes = (StringOption("--fleet-sizes") ?? "1000,5000,10000,18000").Split(',').Select(int.Parse).ToList();
    await FleetRun.RunAsync(sizes, IntOption("--fleet-clients", 4), IntOption("--heartbeat-seconds", 30), IntOption("--window-seconds", 60),
        IntOption("--proposals-at", 10_000), Enum.Parse<FleetRun.Broker>(StringOption("--fleet-broker") ?? nameof(FleetRun.Broker.Embedded), ignoreCase: true),
        CloudVariant.ParseAll([.. args.Select((a, i) => (a, i)).Where(x => x.a == "--variant" && x.i + 1 < args.Length).Select(x => args[x.i + 1])]),
        IntOption("--rounds", 1), StringOption("--fleet-template"), ct);
}
if (scenario is "instances")
{
    await InstancesRun.RunAsync(devices, messages, Enum.Parse<Severity>(StringOption("--event-severity") ?? nameof(Severity.Error), ignoreCase: true),
        IntOption("--instance-fleet", 2_000), IntOption("--fleet-clients", 4), IntOption("--heartbeat-seconds", 30), ct);
}
return 0;

string? StringOption(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int IntOption(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : fallback;
}

static async Task MeasureFleetMemoryAsync(int fleetSize, CancellationToken ct)
{
    await using var cloud = await CloudProcess.StartAsync(ct);
    var dataDirectory = Directory.CreateTempSubdirectory("dx-fleet-").FullName;
    await using var simulator = ChildProcess.StartDotnet("simulate", RepositoryLayout.AgentDll,
    [
        "simulate", "--count", fleetSize.ToString(), "--cloud", cloud.BaseAddress.ToString(), "--enrollment-key", CloudProcess.EnrollmentKey,
        "--broker", $"127.0.0.1:{cloud.MqttPort}", "--data-dir", dataDirectory, "--seed", "1",
    ]);
    var clock = Stopwatch.StartNew();
    while (true)
    {
        var online = await cloud.OnlineDevicesAsync(ct);
        if (online >= fleetSize)
            break;
        if (simulator.HasExited)
            throw new InvalidOperationException("simulate exited early:\n" + simulator.Tail());
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
            throw new TimeoutException($"Only {online} of {fleetSize} devices came online in 5 minutes.\n" + simulator.Tail());
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
    }
    Console.WriteLine();
    Console.WriteLine($"memory: {fleetSize} simulated devices connected after {clock.Elapsed.TotalSeconds:N1} s");
    Console.WriteLine($"  cloud process peak RSS    : {cloud.Process.PeakResidentBytes() / (1024.0 * 1024),8:N0} MiB");
    Console.WriteLine($"  simulate process peak RSS : {simulator.PeakResidentBytes() / (1024.0 * 1024),8:N0} MiB");
}
