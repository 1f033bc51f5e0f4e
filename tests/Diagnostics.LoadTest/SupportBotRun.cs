using System.Globalization;
using System.Buffers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>
/// The support bot's resolution rate on scripted sessions about the knowledge base's own error codes. For every
/// article with a code: (a) a paired device reports the code and its owner opens a session without a word, (b) the
/// same with a sentence from the article's symptoms, (c) no device, the customer types the vendor code as it shows on
/// the panel. The scripted customer follows the bot like a person would: a wrong article gets "That did not help", the
/// right one's fix card is approved (the scripted device runs the command and reports the problem gone) or its steps
/// are followed and the customer says it works. Only the cloud decides what counts: a session is resolved when the
/// cloud says it is closed with resolution Bot.
/// In Chinese or Japanese (<c>--bot-language zh|ja</c>) the customer's app asks in that language (Accept-Language), the
/// symptoms are the article translation's, the typed code comes in a sentence of that language, and the customer's
/// answers are what a person would write in it; the cloud's figures by language (GET /api/support/figures/assistant)
/// are printed beside the run's own.
/// </summary>
internal static class SupportBotRun
{
    /// <summary>What the scripted customer writes, per language: a code typed, a wrong article, the right one worked.</summary>
    private sealed record CustomerWords(string AppLanguage, string? TranslationSuffix, string TypedCode, string DidNotHelp, string Solved);

    private static readonly Dictionary<string, CustomerWords> Languages = new(StringComparer.Ordinal)
    {
        ["en"] = new("en", null, "my printer shows {0}", "That did not help.", "Solved, it works now"),
        ["zh"] = new("zh-CN", "zh-Hans", "打印机屏幕上显示{0}", "还是不行", "已解决，谢谢"),
        ["ja"] = new("ja-JP", "ja", "プリンターに{0}と表示されています", "まだ直らないです", "解決しました、ありがとう"),
    };

    private const string DefaultModel = "Acme LaserPro 500";
    private const int MaxTurns = 4;
    private static readonly TimeSpan CommandWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(string language, CancellationToken ct)
    {
        var words = Languages.GetValueOrDefault(language) ?? throw new ArgumentException($"--bot-language is one of {string.Join(", ", Languages.Keys)}", nameof(language));
        var folder = Path.Combine(RepositoryLayout.Root, "cloud", "knowledge-base");
        var articles = KbArticle.LoadAll(folder);
        var scripts = ScriptsFor(articles, words, folder);
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments:
        [
            "--Demo:Devices=0",
            // Outcomes are looked at as soon as a device changes anyway; a short tick only bounds the wait in between.
            "--Support:FixCheckInterval=00:00:00.500", "--Fixes:CheckInterval=00:00:00.500",
        ]);
        var admin = await cloud.AdminHttpAsync(ct);
        var known = await SupportAccounts.GetAsync<List<JsonElement>>(admin, "api/kb/articles", ct);
        var imported = known.Select(a => a.GetProperty("id").GetString()).ToHashSet(StringComparer.Ordinal);
        var customer = await new SupportAccounts(cloud.BaseAddress).SignInAsync(CloudProcess.SecondCustomerEmail, ct);
        customer.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(words.AppLanguage);

        var devices = new List<ScriptedDevice>();
        try
        {
            for (var i = 0; i < scripts.Count; i++)
            {
                var script = scripts[i];
                if (script.Kind == 'c')
                    continue;
                var (deviceId, token) = await cloud.RegisterAsync($"bot-{script.Kind}-{i:000}", ct, script.Model);
                var device = await ScriptedDevice.ConnectAsync(cloud.MqttPort, deviceId, token, ct);
                devices.Add(device);
                var code = $"FFFF{i:0000}";
                await device.SendAsync(new Envelope { Heartbeat = new Heartbeat { IntervalSeconds = 30, PairingCode = code } }, ct);
                await SupportAccounts.PostAsync<JsonElement>(customer.Http, "api/me/devices/pair", new { code }, ct);
                await device.ReportAsync(script, active: true, ct);
                scripts[i] = script with { Device = device };
            }

            var outcomes = new Outcome[scripts.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, scripts.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
                outcomes[i] = imported.Contains(scripts[i].Article.Id)
                    ? await PlayAsync(customer.Http, scripts[i], articles, words, token)
                    : new Outcome(scripts[i], false, false, false, [], "the cloud did not import the article", ""));
            using var figures = JsonDocument.Parse(await admin.GetStringAsync(new Uri("api/support/figures", UriKind.Relative), ct));
            using var byLanguage = JsonDocument.Parse(await admin.GetStringAsync(new Uri("api/support/figures/assistant", UriKind.Relative), ct));
            Report(language, articles, outcomes, figures.RootElement, byLanguage.RootElement);
        }
        finally
        {
            foreach (var device in devices)
                await device.DisposeAsync();
        }
    }

    /// <summary>
    /// The sessions to play, per article with a code, on a device of a model and firmware it covers: (a) for each of its
    /// codes; (b) for each symptom line (the title when there is none), the device reporting the first code; (c) for
    /// each panel code, typed.
    /// </summary>
    private static List<Script> ScriptsFor(IReadOnlyList<KbArticle> articles, CustomerWords language, string folder)
    {
        var scripts = new List<Script>();
        foreach (var article in articles.Where(a => a.Codes.Count > 0))
        {
            var model = article.Models.Count > 0 ? article.Models[0] : DefaultModel;
            var firmware = new[] { "2.1.0", "2.5.0", "3.0.0", "1.0.0", "4.0.0" }.First(article.CoversFirmware);
            foreach (var code in article.Codes)
                scripts.Add(new Script('a', article, code, article.ConditionOf(code), SeverityOf(article, code), model, firmware, null, null));
            foreach (var words in SymptomsIn(article, language, folder))
                scripts.Add(new Script('b', article, article.Codes[0], article.ConditionOf(article.Codes[0]), SeverityOf(article, article.Codes[0]), model, firmware, words, null));
            foreach (var typed in article.TypeableCodes())
                scripts.Add(new Script('c', article, typed, "", Severity.Error, model, firmware, string.Format(CultureInfo.InvariantCulture, language.TypedCode, KbArticle.Bare(typed)), KbArticle.Bare(typed)));
        }
        return scripts;
    }

    /// <summary>The article's symptom lines (its title when it has none) as its translation into the customer's language says them.</summary>
    private static IEnumerable<string> SymptomsIn(KbArticle article, CustomerWords language, string folder)
    {
        if (language.TranslationSuffix is not { } suffix)
            return article.Symptoms.DefaultIfEmpty(article.Title);
        var path = Path.Combine(folder, $"{article.Id}.{suffix}.md");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{article.Id} has no {suffix} translation", path);
        var lines = File.ReadAllLines(path);
        var title = lines.FirstOrDefault(l => l.StartsWith("title:", StringComparison.Ordinal))?["title:".Length..].Trim().Trim('"') ?? article.Title;
        return KbArticle.SymptomLines(lines).DefaultIfEmpty(title);
    }

    private static Severity SeverityOf(KbArticle article, string code) =>
        new[] { "low", "near", "almost", "overdue", "humidity", "under-temperature" }.Any(w => $"{code} {article.ConditionOf(code)}".Contains(w, StringComparison.OrdinalIgnoreCase))
            ? Severity.Warning : Severity.Error;

    /// <summary>The scripted customer: follows the bot turn by turn, and says only what a person with that problem would.</summary>
    private static async Task<Outcome> PlayAsync(HttpClient customer, Script script, IReadOnlyList<KbArticle> articles, CustomerWords language, CancellationToken ct)
    {
        var byId = articles.ToDictionary(a => a.Id, StringComparer.Ordinal);
        var shown = new List<string>();
        var session = await SupportAccounts.PostAsync<SupportSessionView>(customer, "api/me/sessions", new { deviceId = script.Device?.DeviceId, text = script.Words }, ct);
        var url = $"api/me/sessions/{session.Id}";
        long last = 0;
        var note = "";
        var askedAgain = false;
        var viaFix = false;
        for (var turn = 0; turn < MaxTurns; turn++)
        {
            session = await SupportAccounts.GetAsync<SupportSessionView>(customer, url, ct);
            if (!Is(session.State, "bot"))
                break;
            var messages = await SupportAccounts.GetAsync<List<SupportMessageView>>(customer, $"{url}/messages?after={last}", ct);
            last = messages.Count > 0 ? messages[^1].Sequence : last;
            var articleAt = messages.FindLastIndex(m => Is(m.Kind, "article"));
            if (articleAt < 0)
            {
                // The bot asks what the panel shows when it has nothing to go on; a person would answer once.
                if (!askedAgain && script.Words is not null)
                {
                    askedAgain = true;
                    await SupportAccounts.PostAsync<JsonElement>(customer, $"{url}/messages", new { text = script.Words }, ct);
                    continue;
                }
                note = "the bot showed no article: " + (messages.LastOrDefault(m => Is(m.AuthorKind, "bot"))?.Body ?? "(nothing)");
                break;
            }
            var card = JsonSerializer.Deserialize<ArticleCardView>(messages[articleAt].Body, SupportAccounts.Json)!;
            shown.Add(card.ArticleId);
            if (!byId.TryGetValue(card.ArticleId, out var article) || !script.IsCoveredBy(article))
            {
                await SupportAccounts.PostAsync<JsonElement>(customer, $"{url}/messages", new { text = language.DidNotHelp }, ct);
                continue;
            }
            var fix = messages.Skip(articleAt).LastOrDefault(m => Is(m.Kind, "fix"));
            if (fix is not null && script.Device is { } device)
            {
                viaFix = true;
                var proposal = JsonSerializer.Deserialize<FixCardView>(fix.Body, SupportAccounts.Json)!;
                await SupportAccounts.PostAsync<JsonElement>(customer, $"{url}/fixes/{proposal.ProposalId}/approve", null, ct);
                var command = await device.NextCommandAsync(CommandWait, ct);
                if (command is null)
                {
                    note = $"the approved fix sent no command within {CommandWait.TotalSeconds:N0} s";
                    break;
                }
                if (command.Name != article.FixCommand)
                    note = $"the device got {command.Name}, the article says {article.FixCommand}; ";
                await device.SendAsync(new Envelope
                {
                    CommandResult = new CommandResult
                    {
                        CommandId = command.CommandId, Name = command.Name, Outcome = CommandOutcome.Succeeded, Detail = "done by the load script",
                        StartedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), FinishedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    },
                }, ct);
                await device.ReportAsync(script, active: false, ct);
                session = await WhenClosedAsync(customer, url, last, ct);
            }
            else
            {
                if (script.Device is { } cleared)
                    await cleared.ReportAsync(script, active: false, ct);
                await SupportAccounts.PostAsync<JsonElement>(customer, $"{url}/messages", new { text = language.Solved }, ct);
            }
            break;
        }
        session = await SupportAccounts.GetAsync<SupportSessionView>(customer, url, ct);
        var resolved = Is(session.State, "closed") && Is(session.Resolution ?? "", "bot");
        if (!resolved)
        {
            note += Is(session.State, "queued") || Is(session.State, "assigned") ? $"handed over: {session.HandoverReason}"
                : Is(session.State, "closed") ? $"closed as {session.Resolution}"
                : note.Length > 0 ? "" : $"still with the bot after {MaxTurns} turns";
        }
        var firstRight = shown.Count > 0 && byId.TryGetValue(shown[0], out var first) && script.IsCoveredBy(first);
        return new Outcome(script, resolved, firstRight, viaFix, shown, note, session.Id);
    }

    /// <summary>The customer's long poll until the session closes (the fix watcher closes it once the fix is verified).</summary>
    private static async Task<SupportSessionView> WhenClosedAsync(HttpClient customer, string url, long after, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + CloseWait;
        while (true)
        {
            var session = await SupportAccounts.GetAsync<SupportSessionView>(customer, url, ct);
            if (!Is(session.State, "bot") || DateTime.UtcNow > deadline)
                return session;
            var messages = await SupportAccounts.GetAsync<List<SupportMessageView>>(customer, $"{url}/messages?after={after}&waitSeconds=10", ct);
            after = messages.Count > 0 ? messages[^1].Sequence : after;
        }
    }

    private static bool Is(string value, string expected) => value.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static void Report(string language, IReadOnlyList<KbArticle> articles, Outcome[] outcomes, JsonElement figures, JsonElement byLanguage)
    {
        Console.WriteLine();
        Console.WriteLine($"support-bot ({language}): {outcomes.Length} scripted sessions over the {articles.Count(a => a.Codes.Count > 0)} knowledge-base articles with a code " +
            $"(of {articles.Count}); resolved = the cloud says closed, resolution Bot");
        Console.WriteLine($"  {"kind",-46} {"sessions",8} {"resolved by bot",16} {"rate",7} {"right article first",20} {"of them by a fix",17}");
        var kinds = new[]
        {
            ('a', "(a) device reports a code, no words"),
            ('b', "(b) device reports it, a symptom in words"),
            ('c', "(c) panel code typed, no device"),
        };
        foreach (var (kind, name) in kinds)
            Line(name, [.. outcomes.Where(o => o.Script.Kind == kind)]);
        Line("overall", outcomes);
        Console.WriteLine($"  the cloud's own figures (GET /api/support/figures): closed {figures.GetProperty("closed").GetInt32()}, " +
            $"resolved by the bot {figures.GetProperty("resolvedByBot").GetInt32()}, queued now {figures.GetProperty("queuedNow").GetInt32()}");
        foreach (var figure in byLanguage.EnumerateArray())
        {
            Console.WriteLine($"  by language (GET /api/support/figures/assistant): {figure.GetProperty("language").GetString()}: {figure.GetProperty("conversations").GetInt32()} ended, " +
                $"resolution {Rate(figure, "resolutionRate")}, hand-over {Rate(figure, "handoverRate")}, right article first {Rate(figure, "rightArticleFirst")} " +
                $"(of {figure.GetProperty("answerKnown").GetInt32()} with a known answer)");
        }
        var misses = outcomes.Where(o => !o.Resolved || !o.FirstRight).ToList();
        if (misses.Count == 0)
            Console.WriteLine("  every session was resolved by the bot, each with the right article first");
        else
        {
            Console.WriteLine("  not resolved, or not with the first article:");
            foreach (var o in misses)
            {
                Console.WriteLine($"    ({o.Script.Kind}) {o.Script.Article.Id} [{o.Script.Code}{(o.Script.Condition.Length > 0 ? ", " + o.Script.Condition : "")}]" +
                    $"{(o.Script.Words is null ? "" : $" \"{o.Script.Words}\"")}: {(o.Resolved ? "resolved" : "NOT resolved")}; " +
                    $"articles shown: {(o.Shown.Count == 0 ? "none" : string.Join(", ", o.Shown))}{(o.Note.Length > 0 ? "; " + o.Note : "")}");
            }
        }

        static string Rate(JsonElement figure, string name) =>
            figure.GetProperty(name) is { ValueKind: JsonValueKind.Number } rate ? rate.GetDouble().ToString("P1", CultureInfo.InvariantCulture) : "-";

        static void Line(string name, Outcome[] group)
        {
            var resolved = group.Count(o => o.Resolved);
            Console.WriteLine($"  {name,-46} {group.Length,8} {resolved,16} {(group.Length == 0 ? 0 : (double)resolved / group.Length),7:P1} {group.Count(o => o.FirstRight),20} " +
                $"{group.Count(o => o.Resolved && o.ViaFix),17}");
        }
    }

    /// <summary>One scripted session: the problem, the device that has it (none for kind c) and the customer's words.</summary>
    private sealed record Script(char Kind, KbArticle Article, string Code, string Condition, Severity Severity, string Model, string Firmware,
        string? Words, string? Typed, ScriptedDevice? Device = null)
    {
        /// <summary>Whether an article the bot showed is about this problem: it lists the device's code, or the typed one.</summary>
        public bool IsCoveredBy(KbArticle article) => Typed is null
            ? article.Codes.Contains(Code, StringComparer.OrdinalIgnoreCase)
            : article.Codes.Any(c => KbArticle.Bare(c).Equals(Typed, StringComparison.OrdinalIgnoreCase));
    }

    private sealed record Outcome(Script Script, bool Resolved, bool FirstRight, bool ViaFix, IReadOnlyList<string> Shown, string Note, string SessionId);

    private sealed record ArticleCardView(string ArticleId, string Title);

    private sealed record FixCardView(string ProposalId, string DeviceId, string Title);

    /// <summary>A device stand-in on MQTT: sends envelopes and waits for the cloud's ack, and takes the commands sent to it.</summary>
    private sealed class ScriptedDevice : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>();
        private readonly Lock _gate = new();
        private ulong _nextSequence = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        private ulong _acked;
        private TaskCompletionSource _ackArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private ScriptedDevice(IMqttClient client, string deviceId)
        {
            _client = client;
            DeviceId = deviceId;
            client.ApplicationMessageReceivedAsync += e =>
            {
                var payload = e.ApplicationMessage.Payload.ToArray();
                if (e.ApplicationMessage.Topic == Topics.Downlink(deviceId, Topics.AckKind) && WireCodec.Decode<Ack>(payload) is { IsSuccess: true } ack)
                {
                    TaskCompletionSource arrived;
                    lock (_gate)
                    {
                        _acked = Math.Max(_acked, ack.Value!.HighestContiguousSequence);
                        arrived = _ackArrived;
                        _ackArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    arrived.TrySetResult();
                }
                else if (e.ApplicationMessage.Topic == Topics.Downlink(deviceId, Topics.CommandKind) && WireCodec.Decode<Command>(payload) is { IsSuccess: true } command)
                {
                    _commands.Writer.TryWrite(command.Value!);
                }
                return Task.CompletedTask;
            };
        }

        public string DeviceId { get; }

        public static async Task<ScriptedDevice> ConnectAsync(int port, string deviceId, string token, CancellationToken ct)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var device = new ScriptedDevice(client, deviceId);
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(deviceId).WithCredentials(deviceId, token)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(30)).Build();
            var connected = await client.ConnectAsync(options, ct);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
                throw new InvalidOperationException($"{deviceId} could not connect: {connected.ResultCode} {connected.ReasonString}");
            await client.SubscribeAsync(Topics.DownlinkFilter(deviceId), MqttQualityOfServiceLevel.AtLeastOnce, ct);
            return device;
        }

        /// <summary>The status the scripted problem gives the device, or the same device with the problem gone.</summary>
        public Task ReportAsync(Script script, bool active, CancellationToken ct) => SendAsync(new Envelope
        {
            Status = new DeviceStatus
            {
                Model = script.Model, FirmwareVersion = script.Firmware, State = active && script.Severity == Severity.Error ? DeviceState.Stopped : DeviceState.Idle,
                Conditions = active
                    ? [new ActiveCondition { Code = script.Code, Condition = script.Condition, Severity = script.Severity, Message = script.Article.Title, SinceUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }]
                    : [],
            },
        }, ct);

        /// <summary>Publishes the envelope and returns once the cloud acknowledges it as stored.</summary>
        public async Task SendAsync(Envelope envelope, CancellationToken ct)
        {
            ulong sequence;
            lock (_gate)
                sequence = _nextSequence++;
            envelope.DeviceId = DeviceId;
            envelope.Sequence = sequence;
            envelope.DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            envelope.AgentVersion = "load-support-bot";
            envelope.SchemaVersion = Envelope.CurrentSchemaVersion;
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Uplink(DeviceId, envelope.Kind!.Value)).WithPayload(WireCodec.Encode(envelope))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (true)
            {
                Task arrived;
                lock (_gate)
                {
                    if (_acked >= sequence)
                        return;
                    arrived = _ackArrived.Task;
                }
                try
                {
                    await arrived.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"{DeviceId}: no ack for sequence {sequence} within 30 s");
                }
            }
        }

        public async Task<Command?> NextCommandAsync(TimeSpan wait, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(wait);
            try
            {
                return await _commands.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}

/// <summary>
/// What the load run needs of a knowledge-base article, read from its file: the header's id, title, <c>applies</c> and
/// <c>remediation</c> (a small reader for the header's fixed shape; see cloud/knowledge-base/README.md) and the symptoms.
/// </summary>
internal sealed record KbArticle(string Id, string Title, IReadOnlyList<string> Codes, IReadOnlyList<string> Conditions, IReadOnlyList<string> Models,
    string Firmware, string? FixCommand, IReadOnlyList<string> Symptoms)
{
    public static IReadOnlyList<KbArticle> LoadAll(string folder) =>
        [.. Directory.GetFiles(folder, "*.md").Where(f => Path.GetFileName(f) != "README.md" && !Path.GetFileNameWithoutExtension(f).Contains('.', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(f => Parse(File.ReadAllLines(f)))];

    public static KbArticle Parse(string[] lines)
    {
        var end = Array.IndexOf(lines, "---", 1);
        if (lines.Length == 0 || lines[0] != "---" || end < 0)
            throw new InvalidDataException("an article starts with a YAML header between --- lines");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var section = "";
        foreach (var line in lines[1..end])
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Trim().Length == 0 || colon < 0)
                continue;
            var indent = line.Length - line.TrimStart().Length;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (indent == 0)
                section = key;
            values[indent == 0 ? key : $"{section}.{key}"] = value;
        }
        var symptoms = SymptomLines(lines[end..]);
        return new KbArticle(Unquote(values["id"]), Unquote(values["title"]), List(values.GetValueOrDefault("applies.codes")),
            List(values.GetValueOrDefault("applies.conditions")), List(values.GetValueOrDefault("applies.models")),
            Unquote(values.GetValueOrDefault("applies.firmware") ?? ""), values.TryGetValue("remediation.command", out var command) ? Unquote(command) : null, symptoms);
    }

    /// <summary>The bullet lines of an article file's <c>## Symptoms</c> section (an article or a translation).</summary>
    public static List<string> SymptomLines(IEnumerable<string> lines) =>
        [.. lines.SkipWhile(l => l.Trim() != "## Symptoms").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..].Trim())];

    /// <summary>The part of a code after its source, as people type it: "13.20" of "acme:13.20".</summary>
    public static string Bare(string code) => code[(code.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>
    /// The codes a customer reads off the panel and types: the <c>panel:</c> spellings of vendor numbers (13.20,
    /// 13.20.00, 49.4C.02), or the vendor's own when there is no panel spelling; never protocol keywords like ipp:media-jam.
    /// </summary>
    public IReadOnlyList<string> TypeableCodes()
    {
        var numbers = Codes.Where(c => Bare(c) is [>= '0' and <= '9', ..] bare && bare.Contains('.', StringComparison.Ordinal)).ToList();
        var panel = numbers.Where(c => c.StartsWith("panel:", StringComparison.Ordinal)).ToList();
        return panel.Count > 0 ? panel : numbers;
    }

    /// <summary>The article's condition a device would report with the code: the one named like it, else the first (or none).</summary>
    public string ConditionOf(string code) =>
        Conditions.FirstOrDefault(c => Letters(c) == Letters(Bare(code))) ?? (Conditions.Count > 0 ? Conditions[0] : "");

    private static string Letters(string text) => new([.. text.Where(char.IsAsciiLetter).Select(char.ToLowerInvariant)]);

    /// <summary>The header's firmware range (space-separated comparisons, all must hold) against a dotted version.</summary>
    public bool CoversFirmware(string version)
    {
        foreach (var bound in Firmware.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var op = bound.StartsWith(">=", StringComparison.Ordinal) || bound.StartsWith("<=", StringComparison.Ordinal) ? bound[..2] : bound[0] is '<' or '>' or '=' ? bound[..1] : "";
            var order = Compare(version, bound[op.Length..]);
            var holds = op switch { ">=" => order >= 0, "<=" => order <= 0, ">" => order > 0, "<" => order < 0, _ => order == 0 };
            if (!holds)
                return false;
        }
        return true;
    }

    private static int Compare(string left, string right)
    {
        var a = left.Split('.').Select(int.Parse).ToArray();
        var b = right.Split('.').Select(int.Parse).ToArray();
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var order = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
            if (order != 0)
                return order;
        }
        return 0;
    }

    private static List<string> List(string? flow) =>
        flow is null ? [] : [.. flow.Trim().TrimStart('[').TrimEnd(']').Split(',').Select(Unquote).Where(v => v.Length > 0)];

    private static string Unquote(string value)
    {
        var text = value.Trim();
        return text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text[^1] == text[0] ? text[1..^1] : text;
    }
}
