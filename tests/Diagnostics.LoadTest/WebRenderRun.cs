using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace Diagnostics.LoadTest;

/// <summary>
/// The web apps with a large fleet: server-side time to first render of the dashboard's prerendered pages against
/// the cheapest endpoints of the same process (the reference), and what the companion app downloads on first load.
/// </summary>
internal static class WebRenderRun
{
    private const int WarmUps = 3;

    private static readonly string[] Models = ["Acme LaserPro 400", "Acme LaserPro 500", "Acme ColorJet 220", "Acme OfficeMax 9"];
    private static readonly string[] Firmware = ["2.0.3", "2.1.0", "2.1.0", "2.1.0", "2.2.0"];

    /// <summary>Conditions a device of the seeded fleet may show, with how often (per 1,000 devices).</summary>
    private static readonly (string Code, string Condition, Severity Severity, string Message, int PerThousand)[] Problems =
    [
        ("ipp:media-jam", Conditions.PaperJam, Severity.Error, "Paper jam in tray 1.", 30),
        ("ipp:media-empty", Conditions.OutOfPaper, Severity.Error, "Tray 1 is empty.", 25),
        ("ipp:media-low", Conditions.PaperLow, Severity.Warning, "Tray 1 is low.", 60),
        ("ipp:toner-low", Conditions.TonerLow, Severity.Warning, "Black toner is low.", 80),
        ("ipp:toner-empty", Conditions.TonerEmpty, Severity.Error, "Black toner is empty.", 15),
        ("ipp:door-open", Conditions.DoorOpen, Severity.Error, "Front door is open.", 10),
        ("acme:50.1", Conditions.FuserFault, Severity.Error, "50.1 Fuser error.", 8),
    ];

    public static async Task RunAsync(int deviceCount, int runs, CancellationToken ct)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("dx-web-").FullName;
        // The cloud creates its schema; the fleet is then written straight into its store, as years of ingestion would leave it.
        await using (var first = await CloudProcess.StartAsync(ct, dataDirectory))
            await first.Process.StopAsync(TimeSpan.FromSeconds(20));
        var seeding = Stopwatch.StartNew();
        var withConditions = SeedFleet(Path.Combine(dataDirectory, "diagnostics.db"), deviceCount);
        Console.WriteLine($"web: seeded {deviceCount:N0} devices ({withConditions:N0} with active conditions) in {seeding.Elapsed.TotalSeconds:N1} s");

        // Static assets are served as a published build serves them: from the build's manifest, compressed. With run-time
        // reloading (the default when run from the build output) a fresh checkout's files, whose timestamps carry fractions of
        // a second, no longer match the manifest and go out uncompressed: the same code measured 11 % heavier.
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory,
            extraArguments: ["--Demo:PairedWithDemoCustomer=0", "--ReloadStaticAssetsAtRuntime=false"]);
        using var agent = new HttpClient(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = cloud.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using (var login = await agent.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.AgentEmail, password = CloudProcess.DemoPassword }, ct))
            login.EnsureSuccessStatusCode();

        var health = await TimeGetsAsync(agent, "health", runs, ct);
        var summary = await TimeGetsAsync(agent, "api/fleet/summary", runs, ct);
        var overview = await TimeGetsAsync(agent, "dashboard", runs, ct);
        var list = await TimeGetsAsync(agent, "dashboard/devices", runs, ct);

        Console.WriteLine();
        Console.WriteLine($"web: time to first render with {deviceCount:N0} devices, signed in as an agent, {runs} GETs each after {WarmUps} warm-ups (ms)");
        Console.WriteLine($"  {"GET",-20} {"TTFB p50",9} {"TTFB p95",9} {"body p50",9} {"body p95",9} {"bytes",9} {"p50 / health",13} {"p50 / summary",14}");
        foreach (var (path, t) in new[] { ("/health", health), ("/api/fleet/summary", summary), ("/dashboard", overview), ("/dashboard/devices", list) })
        {
            Console.WriteLine($"  {path,-20} {t.FirstByteP50,9:N1} {t.FirstByteP95,9:N1} {t.BodyP50,9:N1} {t.BodyP95,9:N1} {t.Bytes,9:N0} " +
                $"{t.BodyP50 / health.BodyP50,12:N1}x {t.BodyP50 / summary.BodyP50,13:N1}x");
        }

        await MeasureCompanionFirstLoadAsync(cloud, ct);
    }

    /// <summary>Writes the fleet in one transaction: a health mix, several models and firmware versions, some conditions.</summary>
    private static int SeedFleet(string databasePath, int deviceCount)
    {
        var random = new Random(42);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var device = connection.CreateCommand();
        device.Transaction = transaction;
        device.CommandText = """
            INSERT INTO devices (id, model, serial, firmware, state, state_message, health, online, last_seen_ms,
                heartbeat_interval_s, status_seq, status_blob, contiguous_mark, token_hash, token_salt, registered_at_ms)
            VALUES ($id, $model, $serial, $firmware, $state, $message, $health, $online, $seen, 30, 1, $blob, 1, $hash, $salt, $registered);
            """;
        string[] names = ["$id", "$model", "$serial", "$firmware", "$state", "$message", "$health", "$online", "$seen", "$blob", "$hash", "$salt", "$registered"];
        var p = names.ToDictionary(n => n, n => device.Parameters.Add(new SqliteParameter { ParameterName = n }));
        using var condition = connection.CreateCommand();
        condition.Transaction = transaction;
        condition.CommandText = "INSERT INTO active_conditions (device_id, code, condition, severity, message, since_ms) VALUES ($id, $code, $condition, $severity, $message, $since);";
        string[] conditionNames = ["$id", "$code", "$condition", "$severity", "$message", "$since"];
        var c = conditionNames.ToDictionary(n => n, n => condition.Parameters.Add(new SqliteParameter { ParameterName = n }));

        var withConditions = 0;
        for (var i = 1; i <= deviceCount; i++)
        {
            var id = $"web-{i:D5}";
            var active = Problems.Where(x => random.Next(1000) < x.PerThousand).ToList();
            var online = random.Next(100) < 92;
            // A few devices have never reported a status: their health is unknown.
            var reported = random.Next(100) < 98;
            var health = !reported ? "unknown" : active.Any(x => x.Severity == Severity.Error) ? "critical" : active.Count > 0 ? "warning" : "healthy";
            var status = new DeviceStatus
            {
                Model = Models[random.Next(Models.Length)],
                Serial = "SN-" + id,
                FirmwareVersion = Firmware[random.Next(Firmware.Length)],
                State = active.Any(x => x.Severity == Severity.Error) ? DeviceState.Stopped : DeviceState.Idle,
                StateMessage = active.FirstOrDefault(x => x.Severity == Severity.Error).Message ?? "Ready.",
                Conditions = active.Select(x => new ActiveCondition { Code = x.Code, Condition = x.Condition, Severity = x.Severity, Message = x.Message, SinceUnixMs = now - random.Next(3_600_000) }).ToList(),
                Supplies =
                [
                    new SupplyLevel { Name = "Black Toner Cartridge", Type = "toner", Color = "black", LevelPercent = random.Next(0, 101) },
                    new SupplyLevel { Name = "Tray 1", Type = "media", Color = "white", LevelPercent = random.Next(0, 101) },
                ],
                Counters = [new Counter { Name = "pages-printed", Value = random.Next(1_000, 250_000) }],
            };
            p["$id"].Value = id;
            p["$model"].Value = status.Model;
            p["$serial"].Value = status.Serial;
            p["$firmware"].Value = reported ? status.FirmwareVersion : "";
            p["$state"].Value = reported ? status.State.ToString() : "Unknown";
            p["$message"].Value = reported ? status.StateMessage : "";
            p["$health"].Value = health;
            p["$online"].Value = online ? 1 : 0;
            p["$seen"].Value = now - (online ? random.Next(30_000) : random.Next(86_400_000));
            p["$blob"].Value = reported ? WireCodec.Encode(status) : DBNull.Value;
            p["$hash"].Value = RandomNumberGenerator.GetBytes(32);
            p["$salt"].Value = RandomNumberGenerator.GetBytes(16);
            p["$registered"].Value = now - random.Next(1, 365) * 86_400_000L;
            device.ExecuteNonQuery();
            if (!reported)
                continue;
            foreach (var problem in status.Conditions)
            {
                c["$id"].Value = id;
                c["$code"].Value = problem.Code;
                c["$condition"].Value = problem.Condition;
                c["$severity"].Value = problem.Severity.ToString();
                c["$message"].Value = problem.Message;
                c["$since"].Value = problem.SinceUnixMs;
                condition.ExecuteNonQuery();
            }
            if (status.Conditions.Count > 0)
                withConditions++;
        }
        transaction.Commit();
        return withConditions;
    }

    private sealed record Timings(double FirstByteP50, double FirstByteP95, double BodyP50, double BodyP95, long Bytes);

    private static async Task<Timings> TimeGetsAsync(HttpClient client, string path, int runs, CancellationToken ct)
    {
        var firstByte = new List<double>();
        var body = new List<double>();
        long bytes = 0;
        for (var i = 0; i < WarmUps + runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            var headers = clock.Elapsed.TotalMilliseconds;
            var content = await response.Content.ReadAsByteArrayAsync(ct);
            var full = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}.");
            if (i < WarmUps)
                continue;
            firstByte.Add(headers);
            body.Add(full);
            bytes = content.Length;
        }
        return new Timings(Percentile(firstByte, 50), Percentile(firstByte, 95), Percentile(body, 50), Percentile(body, 95), bytes);
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="percent"/> % of samples at or below it.</summary>
    private static double Percentile(List<double> samples, int percent)
    {
        var sorted = samples.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>
    /// A customer on a phone opens the app with an empty cache: every response of that load, by kind, as sent over
    /// the wire (compressed where the server compresses) and as decoded. The manifest and its icons are fetched the
    /// way an install would fetch them when the page load itself did not.
    /// </summary>
    private static async Task MeasureCompanionFirstLoadAsync(CloudProcess cloud, CancellationToken ct)
    {
        await using var chromium = await Chromium.LaunchAsync();
        string signedIn;
        await using (var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone))
        {
            await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);
            signedIn = await customer.Page.Context.StorageStateAsync();
        }
        await using var fresh = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = cloud.BaseAddress.ToString().TrimEnd('/'),
            StorageState = signedIn,
            ViewportSize = new ViewportSize { Width = Viewport.Phone.Width, Height = Viewport.Phone.Height },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await fresh.NewPageAsync();
        var responses = new List<IResponse>();
        page.Response += (_, response) => responses.Add(response);
        await page.GotoAsync("/app", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });

        var rows = new List<(string Kind, string Url, long Wire, long Decoded)>();
        foreach (var response in responses.ToList())
        {
            var sizes = await response.Request.SizesAsync();
            var decoded = response.Status is >= 300 and < 400 ? 0 : (await response.BodyAsync()).Length;
            rows.Add((KindOf(response.Request.ResourceType, response.Url), response.Url, sizes.ResponseBodySize + sizes.ResponseHeadersSize, decoded));
        }
        var manifestHref = await page.Locator("link[rel=manifest]").GetAttributeAsync("href");
        if (manifestHref is not null && !rows.Exists(r => r.Kind == "manifest"))
            await AddManifestAndIconsAsync(fresh.APIRequest, new Uri(new Uri(page.Url), manifestHref), rows);

        Console.WriteLine();
        Console.WriteLine("web: what the companion app downloads on a first load of /app (375 x 812, empty cache, signed in)");
        Console.WriteLine($"  {"kind",-10} {"files",6} {"over the wire (B)",18} {"decoded (B)",12}");
        foreach (var group in rows.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {group.Key,-10} {group.Count(),6} {group.Sum(r => r.Wire),18:N0} {group.Sum(r => r.Decoded),12:N0}");
        Console.WriteLine($"  {"total",-10} {rows.Count,6} {rows.Sum(r => r.Wire),18:N0} {rows.Sum(r => r.Decoded),12:N0}");
        foreach (var row in rows)
            Console.WriteLine($"    {row.Kind,-9} {row.Wire,9:N0} {row.Decoded,9:N0}  {new Uri(row.Url).PathAndQuery}");
        ct.ThrowIfCancellationRequested();
    }

    private static async Task AddManifestAndIconsAsync(IAPIRequestContext http, Uri manifestUrl, List<(string Kind, string Url, long Wire, long Decoded)> rows)
    {
        var manifest = await http.GetAsync(manifestUrl.ToString());
        if (!manifest.Ok)
        {
            Console.WriteLine($"web: the companion app links a manifest that answers {manifest.Status}: {manifestUrl}");
            return;
        }
        var manifestBody = await manifest.BodyAsync();
        rows.Add(("manifest", manifestUrl.ToString(), manifestBody.Length, manifestBody.Length));
        using var json = System.Text.Json.JsonDocument.Parse(manifestBody);
        if (!json.RootElement.TryGetProperty("icons", out var icons))
            return;
        foreach (var icon in icons.EnumerateArray())
        {
            var iconUrl = new Uri(manifestUrl, icon.GetProperty("src").GetString());
            if (rows.Exists(r => r.Url == iconUrl.ToString()))
                continue;
            var body = await (await http.GetAsync(iconUrl.ToString())).BodyAsync();
            rows.Add(("icons", iconUrl.ToString(), body.Length, body.Length));
        }
    }

    private static string KindOf(string resourceType, string url) => resourceType switch
    {
        "document" => "html",
        "script" => "js",
        "stylesheet" => "css",
        "manifest" => "manifest",
        "image" => "icons",
        "font" => "fonts",
        _ when url.EndsWith(".webmanifest", StringComparison.Ordinal) => "manifest",
        _ => "other",
    };
}
