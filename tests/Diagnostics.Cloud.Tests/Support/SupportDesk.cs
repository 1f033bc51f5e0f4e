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
