using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Web;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Notifications;

/// <summary>Customers and their devices as the product makes them: the device shows a code, the customer types it.</summary>
internal static class Customers
{
    public sealed record Customer(HttpClient Http, string AccountId);

    public static async Task<Customer> SignInAsync(CloudHost host)
    {
        var http = await host.SignedInClientAsync(AccountRole.Customer);
        var me = await http.GetJsonAsync<AccountView>("/api/auth/me");
        return new Customer(http, me.Id);
    }

    /// <summary>The device reports a pairing code in a heartbeat; the customer pairs with it through the API.</summary>
    public static async Task PairAsync(this Customer customer, DeviceClient device)
    {
        var code = await ShowPairingCodeAsync(device);
        using var response = await customer.Http.PostAsJsonAsync("/api/me/devices/pair", new { code }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The same through the companion page's form (<c>/app/pair</c>), as a browser posts it.</summary>
    public static async Task PairThroughThePageAsync(this Customer customer, DeviceClient device)
    {
        var code = await ShowPairingCodeAsync(device);
        using var response = await SignInForm.PostFormAsync(customer.Http, "/app/pair", await SignInForm.TokenFromAsync(customer.Http, "/app/pair"), new()
        {
            ["_handler"] = "pair",
            ["Input.Code"] = code,
        });
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK && page.Contains("data-testid=\"pair-result\"", StringComparison.Ordinal), page);
    }

    /// <summary>Sends a heartbeat carrying a fresh pairing code and returns the code once the cloud has stored it.</summary>
    public static async Task<string> ShowPairingCodeAsync(DeviceClient device)
    {
        var code = PairingCodes.Create();
        var heartbeat = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30, PairingCode = code });
        await device.SendAsync(heartbeat);
        await device.WaitForAckAsync(heartbeat.Sequence);
        return code;
    }

    public static DeviceEvent Jam(EventKind kind = EventKind.Raised, Severity severity = Severity.Error) => new()
    {
        Kind = kind,
        Code = "ipp:media-jam",
        Condition = Conditions.PaperJam,
        Severity = severity,
        Message = "Paper jam in tray 2",
    };

    /// <summary>Publishes an event and waits until the cloud stored it.</summary>
    public static async Task<Envelope> RaiseAsync(this DeviceClient device, DeviceEvent @event)
    {
        var envelope = device.NewEnvelope(@event: @event);
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
        return envelope;
    }
}
