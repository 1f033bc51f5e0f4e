using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>What support tests do through the real API: a jammed printer with its owner, opening, reading and acting on sessions.</summary>
internal static class SupportDesk
{
    public const string Model = "Acme LaserPro 500";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ActiveCondition Jam => new() { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1" };

    /// <summary>A connected device paired to a new customer, reporting <paramref name="conditions"/> (stored before this returns).</summary>
    public static async Task<(DeviceClient Device, HttpClient Owner)> PairedDeviceAsync(CloudHost host, string deviceId, string code, params ActiveCondition[] conditions)
    {
        var device = await PairedDevices.ConnectAnnouncingAsync(host, deviceId, code);
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, code);
        await ReportAsync(device, conditions);
        return (device, owner);
    }

    /// <summary>A jammed device paired to a new customer who asked for a person: the session waits in the queue.</summary>
    public static async Task<(DeviceClient Device, HttpClient Owner, SupportSession Session)> QueuedSessionAsync(CloudHost host, string deviceId, string code)
    {
        var (device, owner) = await PairedDeviceAsync(host, deviceId, code, Jam);
        return (device, owner, await OpenAsync(owner, deviceId, "The printer jams, please talk to a person"));
    }

    /// <summary>
    /// A printer that names its low black toner as printers do, in English ("Black Toner Cartridge"), paired to a customer
    /// who asks for a person in <paramref name="acceptLanguage"/>; an agent reading the same language takes the
    /// conversation and closes it as solved under "Paper handling". For tests of what each reader gets in their words.
    /// </summary>
    public static async Task<(DeviceClient Device, HttpClient Owner, HttpClient Agent, SupportSession Session)> ClosedLowTonerConversationAsync(
        CloudHost host, string deviceId, string code, string acceptLanguage)
    {
        var (device, owner) = await PairedDeviceAsync(host, deviceId, code);
        var status = device.NewEnvelope(status: new DeviceStatus
        {
            Model = Model, FirmwareVersion = "2.1.0", State = DeviceState.Idle,
            Supplies = [new SupplyLevel { Name = "Black Toner Cartridge", Type = "toner", Color = "black", LevelPercent = LowTonerPercent, Low = true }],
        });
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var session = await OpenAsync(owner, deviceId, "The printer is fading, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        await AvailableAsync(agent); // the waiting conversation is assigned to the agent who comes available
        await SessionWhenAsync(agent, session.Id, s => s.AgentId is not null, "the conversation is assigned", staff: true);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/close", new { summary = "Toner", category = "Paper handling", solution = "Replace the cartridge." });
        return (device, owner, agent, session);
    }

    /// <summary>The toner level <see cref="ClosedLowTonerConversationAsync"/> reports.</summary>
    public const int LowTonerPercent = 4;

    /// <summary>
    /// What a reader of <paramref name="language"/> should get for that conversation's supply and category, from the
    /// translators' resource files (Devices/PlainLanguage "{colour}{type}", Web/Dashboard/DashboardText "Category.*").
    /// </summary>
    public static (string Supply, string Category) LowTonerWords(string language)
    {
        var plain = RepositoryFiles.ResourceTexts("Devices/PlainLanguage", language);
        var supply = string.Format(System.Globalization.CultureInfo.GetCultureInfo(language), plain["SupplyNamed"], plain["Color.black"], plain["Supply.toner"]);
        return (supply, RepositoryFiles.ResourceTexts("Web/Dashboard/DashboardText", language)["Category.Paper handling"]);
    }

    public static async Task ReportAsync(DeviceClient device, params ActiveCondition[] conditions)
    {
        var status = device.NewEnvelope(status: new DeviceStatus
        {
            Model = Model, FirmwareVersion = "2.1.0", State = conditions.Length > 0 ? DeviceState.Stopped : DeviceState.Idle, Conditions = [.. conditions],
        });
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);
    }

    public static async Task<SupportSession> OpenAsync(HttpClient customer, string? deviceId, string? text, string? fixId = null, string? clientId = null)
    {
        using var opened = await customer.PostAsJsonAsync("/api/me/sessions", new { deviceId, text, fixId, clientId }, Ct);
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync(Ct));
        return (await opened.Content.ReadFromJsonAsync<SupportSession>(Json.Options, Ct))!;
    }

    public static Task<List<SupportMessage>> MessagesAsync(HttpClient client, string sessionId, bool staff = false, long after = 0) =>
        client.GetJsonAsync<List<SupportMessage>>($"/api/{(staff ? "" : "me/")}sessions/{sessionId}/messages?after={after}");

    public static Task<SupportSession> SessionAsync(HttpClient client, string sessionId, bool staff = false) =>
        client.GetJsonAsync<SupportSession>($"/api/{(staff ? "" : "me/")}sessions/{sessionId}");

    /// <summary>Waits until the session (read as staff or as its customer) is as <paramref name="wanted"/> says.</summary>
    public static async Task<SupportSession> SessionWhenAsync(HttpClient client, string sessionId, Func<SupportSession, bool> wanted, string what, bool staff = false)
    {
        SupportSession? session = null;
        await Eventually.TrueAsync(async () => wanted(session = await SessionAsync(client, sessionId, staff)), what);
        return session!;
    }

    /// <summary>POSTs JSON (or nothing) and returns the status with the body, for tests that check refusals.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, string url, object? body = null)
    {
        using var response = body is null
            ? await client.PostAsync(new Uri(url, UriKind.Relative), null, Ct)
            : await client.PostAsJsonAsync(url, body, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>PUTs JSON and returns the status with the body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PutAsync(HttpClient client, string url, object body)
    {
        using var response = await client.PutAsJsonAsync(url, body, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>POSTs and fails the test unless the answer is a success; returns the answer read as <typeparamref name="T"/>.</summary>
    public static async Task<T> OkAsync<T>(HttpClient client, string url, object? body = null)
    {
        using var response = body is null
            ? await client.PostAsync(new Uri(url, UriKind.Relative), null, Ct)
            : await client.PostAsJsonAsync(url, body, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json.Options, Ct))!;
    }

    public static async Task<SupportAgent> AvailableAsync(HttpClient agent, bool available = true)
    {
        using var response = await agent.PutAsJsonAsync("/api/support/agents/me", new { available }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SupportAgent>(Json.Options, Ct))!;
    }

    public static async Task<string> AccountIdAsync(HttpClient client) => (await client.GetJsonAsync<AccountView>("/api/auth/me")).Id;

    /// <summary>The signed-in person of <paramref name="client"/> as a page sees them: what the services are handed by a component.</summary>
    public static async Task<ClaimsPrincipal> PersonAsync(HttpClient client)
    {
        var me = await client.GetJsonAsync<AccountView>("/api/auth/me");
        return Principals.Of(me.Id, me.Role, me.DisplayName);
    }

    /// <summary>GETs and returns the status with the body, for tests that check refusals.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    public static T Card<T>(SupportMessage message) where T : class =>
        SupportCardText.Read<T>(message.Body) ?? throw new InvalidOperationException($"message {message.Sequence} is no {typeof(T).Name}: {message.Body}");

    public static async Task SendResultAsync(DeviceClient device, Command command, CommandOutcome outcome, string detail)
    {
        var envelope = device.NewEnvelope(result: DeviceClient.ResultOf(command, outcome, detail));
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
    }
}
