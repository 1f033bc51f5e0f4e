using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Notifications;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Ingestion;
using Diagnostics.Cloud.Tests.Notifications;

namespace Diagnostics.Cloud.Tests.Web.Companion;

/// <summary>The companion pages as first served (prerendered HTML): the contract's test ids and plain words.</summary>
public sealed partial class CompanionPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task My_devices_shows_the_customers_devices_in_plain_words(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-mine");
        await using var other = await host.ConnectDeviceAsync("app-not-mine");
        await owner.PairAsync(device);
        var status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var page = await GetPageAsync(owner.Http, "/app");

        var card = Element(page, "my-device");
        Assert.Contains("data-device-id=\"app-mine\"", card, StringComparison.Ordinal);
        Assert.DoesNotContain("app-not-mine", page, StringComparison.Ordinal);
        Assert.Equal("Not working", Text(page, "device-health-text"));
        Assert.Equal("Paper jam", Text(page, "device-main-problem"));
        Assert.Equal("Black toner: 7 % — order a replacement soon", Text(page, "device-supplies"));
        Assert.Contains("LaserJet 4000", page, StringComparison.Ordinal);
        Assert.DoesNotContain("media-jam", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"live-status\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"notification-badge\"", page, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Without_devices_my_devices_leads_to_pairing(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await Customers.SignInAsync(host);

        var page = await GetPageAsync(customer.Http, "/app");

        Assert.Contains("data-testid=\"no-devices\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/app/pair\"", Element(page, "start-pairing"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"my-device\"", page, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_device_page_shows_problems_with_what_to_do_and_supply_bars(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-detail");
        await owner.PairAsync(device);
        var status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var page = await GetPageAsync(owner.Http, "/app/devices/app-detail");

        var problems = Elements(page, "device-problem");
        Assert.Equal(2, problems.Count);
        Assert.Contains("Paper jam", problems[0], StringComparison.Ordinal);
        Assert.Contains("Open the cover and gently remove the jammed paper.", problems[0], StringComparison.Ordinal);
        Assert.Contains("Toner is running low", problems[1], StringComparison.Ordinal);
        var supply = Element(page, "supply-level");
        Assert.Contains("data-supply=\"Black\"", supply, StringComparison.Ordinal);
        Assert.Contains("width: 7%", page, StringComparison.Ordinal);
        Assert.Equal("Not working", Text(page, "device-health-text"));
        Assert.Matches("Online · last report (just now|1 minute ago)", Text(page, "device-presence-text"));
        Assert.DoesNotContain("critical", page.Replace("--critical", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Theory, BothEngines]
    public async Task A_low_supply_links_to_the_operators_shop_only_when_one_is_configured(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine, settings: new Dictionary<string, string?>
        {
            ["Companion:SupplyOrderUrl"] = "https://shop.example.com/search?q={model}+{supply}",
        });
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-order");
        await owner.PairAsync(device);
        var status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var page = await GetPageAsync(owner.Http, "/app/devices/app-order");

        // The model and the supply's plain name are escaped into the operator's address (RFC 3986 percent-encoding).
        var order = Element(page, "supply-order");
        Assert.Contains("href=\"https://shop.example.com/search?q=LaserJet%204000+Black%20toner\"", order, StringComparison.Ordinal);
        Assert.Contains("rel=\"noopener\"", order, StringComparison.Ordinal);

        await using var plain = new CloudHost(engine: engine);
        var other = await Customers.SignInAsync(plain);
        await using var unlinked = await plain.ConnectDeviceAsync("app-no-shop");
        await other.PairAsync(unlinked);
        var same = unlinked.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await unlinked.SendAsync(same);
        await unlinked.WaitForAckAsync(same.Sequence);
        Assert.DoesNotContain("data-testid=\"supply-order\"", await GetPageAsync(other.Http, "/app/devices/app-no-shop"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Someone_elses_device_reads_like_a_missing_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        var neighbour = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-private");
        await owner.PairAsync(device);

        var notMine = await GetPageAsync(neighbour.Http, "/app/devices/app-private");
        var missing = await GetPageAsync(neighbour.Http, "/app/devices/app-nothing");

        Assert.Contains("data-testid=\"device-not-found\"", notMine, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"device-not-found\"", missing, StringComparison.Ordinal);
        Assert.DoesNotContain("device-health-text", notMine, StringComparison.Ordinal);
        Assert.Equal(
            WithoutPerResponseValues(notMine.Replace("app-private", "ID", StringComparison.Ordinal)),
            WithoutPerResponseValues(missing.Replace("app-nothing", "ID", StringComparison.Ordinal)),
            ignoreLineEndingDifferences: true);
    }

    [Theory, BothEngines]
    public async Task Pairing_accepts_the_code_as_people_type_it(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-pair");
        var code = await Customers.ShowPairingCodeAsync(device);
        var typed = $" {code[..4].ToLowerInvariant()}-{code[4..].ToLowerInvariant()} ";

        var form = await GetPageAsync(customer.Http, "/app/pair");
        Assert.Contains("data-testid=\"pairing-code\"", form, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"pair-submit\"", form, StringComparison.Ordinal);
        var wrong = await PostPairAsync(customer.Http, form, "0000-0000");
        Assert.Contains("No device is showing this code", Text(wrong, "pair-error"), StringComparison.Ordinal);
        var result = await PostPairAsync(customer.Http, wrong, typed);

        Assert.Contains("app-pair", Text(result, "pair-result"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"pair-error\"", result, StringComparison.Ordinal);
        Assert.Equal(["app-pair"], (await customer.Http.GetJsonAsync<List<Diagnostics.Cloud.Devices.DeviceSummary>>("/api/me/devices")).Select(d => d.DeviceId));
    }

    [Theory, BothEngines]
    public async Task Pairing_says_so_when_there_were_too_many_wrong_codes(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Pairing:MaxFailedAttempts"] = "1" }, engine: engine);
        var customer = await Customers.SignInAsync(host);
        var form = await GetPageAsync(customer.Http, "/app/pair");

        var first = await PostPairAsync(customer.Http, form, "0000-0000");
        var second = await PostPairAsync(customer.Http, first, "0000-0001");

        Assert.Contains("Too many wrong codes", Text(second, "pair-error"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Notifications_list_problems_of_the_customers_devices_newest_first(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-alerts");
        await owner.PairAsync(device);
        await device.RaiseAsync(Customers.Jam(severity: Diagnostics.Protocol.Severity.Warning));
        await device.RaiseAsync(new Diagnostics.Protocol.DeviceEvent
        {
            Kind = Diagnostics.Protocol.EventKind.Raised, Code = "ipp:door-open", Condition = Diagnostics.Protocol.Conditions.DoorOpen,
            Severity = Diagnostics.Protocol.Severity.Error, Message = "door-open-error",
        });

        var page = await GetPageAsync(owner.Http, "/app/notifications");

        var items = Elements(page, "notification");
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Contains("data-device-id=\"app-alerts\"", item, StringComparison.Ordinal));
        Assert.Contains("A door is open", items[0], StringComparison.Ordinal);
        Assert.Contains("Paper jam", items[1], StringComparison.Ordinal);
        Assert.All(items, item => Assert.Contains("unread", item, StringComparison.Ordinal));
        Assert.Equal("2", Text(page, "notification-badge"));
        Assert.DoesNotContain("door-open-error", page, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Each_alert_names_the_device_and_a_cleared_problem_is_marked_cleared(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-named");
        await owner.PairAsync(device);
        using (var named = await owner.Http.PutAsJsonAsync("/api/me/devices/app-named/nickname", new { nickname = "  Office   printer " }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, named.StatusCode);
        await device.RaiseAsync(Customers.Jam());
        var door = new Diagnostics.Protocol.DeviceEvent
        {
            Kind = Diagnostics.Protocol.EventKind.Raised, Code = "ipp:door-open", Condition = Diagnostics.Protocol.Conditions.DoorOpen,
            Severity = Diagnostics.Protocol.Severity.Error, Message = "door open",
        };
        await device.RaiseAsync(door);
        // The door was closed again: the status the device reports now has only the jam.
        var status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var page = await GetPageAsync(owner.Http, "/app/notifications");

        Assert.Equal(["Office printer: A door is open", "Office printer: Paper jam"], Texts(page, "notification-title"));
        Assert.Equal(["true", "false"], Attributes(page, "notification", "data-cleared"));
        Assert.Contains("Cleared", Text(page, "notification-cleared"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_device_named_at_pairing_is_called_by_its_name_and_can_be_renamed(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        var neighbour = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("app-nick");
        var code = await Customers.ShowPairingCodeAsync(device);
        using (var paired = await owner.Http.PostAsJsonAsync("/api/me/devices/pair", new { code, nickname = "Kitchen printer" }, Ct))
            Assert.Equal(HttpStatusCode.OK, paired.StatusCode);

        Assert.Equal("Kitchen printer", Text(await GetPageAsync(owner.Http, "/app"), "device-name"));
        Assert.Equal("Kitchen printer", Text(await GetPageAsync(owner.Http, "/app/devices/app-nick"), "device-name"));

        using (var renamed = await owner.Http.PutAsJsonAsync("/api/me/devices/app-nick/nickname", new { nickname = "Office printer" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, renamed.StatusCode);
        Assert.Equal("Office printer", Text(await GetPageAsync(owner.Http, "/app"), "device-name"));
        // Not theirs: the same answer as for a device that does not exist; and no second line, no control characters.
        using (var stolen = await neighbour.Http.PutAsJsonAsync("/api/me/devices/app-nick/nickname", new { nickname = "Mine now" }, Ct))
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        using (var twoLines = await owner.Http.PutAsJsonAsync("/api/me/devices/app-nick/nickname", new { nickname = "Office\nprinter" }, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, twoLines.StatusCode);
        using (var tooLong = await owner.Http.PutAsJsonAsync("/api/me/devices/app-nick/nickname", new { nickname = new string('x', DeviceNickname.MaxLength + 1) }, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("Office printer", Text(await GetPageAsync(owner.Http, "/app"), "device-name"));
        // Removing the name: the model again.
        using (var removed = await owner.Http.PutAsJsonAsync("/api/me/devices/app-nick/nickname", new { nickname = "" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.DoesNotContain("Office printer", await GetPageAsync(owner.Http, "/app"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task The_badge_is_hidden_when_nothing_is_unread(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await Customers.SignInAsync(host);

        var page = await GetPageAsync(customer.Http, "/app/notifications");

        var badge = Element(page, "notification-badge");
        Assert.Contains("hidden", badge, StringComparison.Ordinal);
        Assert.Equal("0", Text(page, "notification-badge"));
        Assert.Contains("data-testid=\"no-notifications\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [BothEngines("/app")]
    [BothEngines("/app/pair")]
    [BothEngines("/app/notifications")]
    [BothEngines("/app/devices/anything")]
    public async Task Staff_and_anonymous_users_do_not_get_the_companion(string path, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Supervisor);
        using var anonymous = host.CreateClient();

        using var forStaff = await staff.GetAsync(new Uri(path, UriKind.Relative), Ct);
        using var forAnonymous = await anonymous.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.NotEqual(path, forStaff.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.DoesNotContain("notification-badge", await forStaff.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("/account/login", forAnonymous.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.DoesNotContain("notification-badge", await forAnonymous.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<string> GetPageAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} -> {(int)response.StatusCode}");
        Assert.Equal(path, response.RequestMessage!.RequestUri!.AbsolutePath);
        return WebUtility.HtmlDecode(body);
    }

    /// <summary>Submits the pairing form found in <paramref name="page"/>, with its anti-forgery token, as a browser would.</summary>
    private static async Task<string> PostPairAsync(HttpClient http, string page, string code)
    {
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, "the form carries an anti-forgery token");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "pair",
            ["__RequestVerificationToken"] = token.Groups["value"].Value,
            ["Input.Code"] = code,
        });
        using var response = await http.PostAsync(new Uri("/app/pair", UriKind.Relative), content, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /app/pair -> {(int)response.StatusCode}: {body}");
        return WebUtility.HtmlDecode(body);
    }

    /// <summary>The opening tag of every element with that test id, with what follows up to the next test id of that name.</summary>
    private static List<string> Elements(string page, string testId)
    {
        var marker = $"data-testid=\"{testId}\"";
        var result = new List<string>();
        var at = page.IndexOf(marker, StringComparison.Ordinal);
        while (at >= 0)
        {
            var start = page.LastIndexOf('<', at);
            var next = page.IndexOf(marker, at + marker.Length, StringComparison.Ordinal);
            result.Add(page[start..(next < 0 ? Math.Min(page.Length, at + 2000) : page.LastIndexOf('<', next))]);
            at = next;
        }
        return result;
    }

    private static string Element(string page, string testId)
    {
        var elements = Elements(page, testId);
        Assert.True(elements.Count > 0, $"no element with data-testid=\"{testId}\"");
        return elements[0];
    }

    /// <summary>The text inside the first element with that test id, its children's included.</summary>
    private static string Text(string page, string testId)
    {
        var element = Element(page, testId);
        var name = element[1..element.IndexOfAny([' ', '>'])];
        // The element ends where its own closing tag balances the ones of the same name opened inside it.
        var depth = 0;
        var position = 0;
        while (true)
        {
            var nextOpen = element.IndexOf($"<{name}", position + 1, StringComparison.Ordinal);
            var nextClose = element.IndexOf($"</{name}>", position, StringComparison.Ordinal);
            if (nextClose < 0)
                break;
            if (nextOpen >= 0 && nextOpen < nextClose)
            {
                depth++;
                position = nextOpen;
                continue;
            }
            if (depth == 0)
            {
                element = element[..nextClose];
                break;
            }
            depth--;
            position = nextClose + 1;
        }
        var open = element.IndexOf('>', StringComparison.Ordinal);
        return System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(Tags().Replace(element[(open + 1)..], " "), @"\s+", " ")).Trim();
    }

    /// <summary>The text of every element with that test id, in page order.</summary>
    private static List<string> Texts(string page, string testId) => [.. Elements(page, testId).Select(element => Text(element, testId))];

    /// <summary>An attribute of every element with that test id, in page order.</summary>
    private static List<string> Attributes(string page, string testId, string attribute) =>
        [.. Elements(page, testId).Select(element => Regex.Match(element[..element.IndexOf('>', StringComparison.Ordinal)], $"""{attribute}="([^"]*)" """.TrimEnd()).Groups[1].Value)];

    [GeneratedRegex("""<input[^>]*name="__RequestVerificationToken"[^>]*value="(?<value>[^"]+)"|<input[^>]*value="(?<value>[^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    /// <summary>The page without what differs on every response anyway: anti-forgery tokens and Blazor's circuit markers.</summary>
    private static string WithoutPerResponseValues(string html) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(html, "name=\"__RequestVerificationToken\"[^>]*>", "token>"),
            "<!--Blazor[^>]*-->", "<!--Blazor-->");
}
