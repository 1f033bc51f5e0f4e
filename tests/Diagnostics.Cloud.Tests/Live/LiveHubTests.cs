using System.Collections.Concurrent;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Ingestion;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Diagnostics.Cloud.Tests.Live;

/// <summary>The live channel obeys the same rule as the API: a customer hears only their own devices.</summary>
public sealed class LiveHubTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_hears_their_own_devices_and_never_another_customers(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var mine = await PairedDevices.ConnectAnnouncingAsync(host, "live-mine", "KKKK1111");
        await using var theirs = await PairedDevices.ConnectAnnouncingAsync(host, "live-theirs", "HHHH2222");
        var them = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(them, "HHHH2222");
        var cookie = await host.SignedInCookieAsync(AccountRole.Customer);
        await using var hub = await ConnectAsync(host, cookie);
        // Paired after connecting: the app then asks the hub to watch the new device.
        await PairedDevices.PairAsync(ClientWithCookie(host, cookie), "KKKK1111");
        Assert.True((await hub.Connection.InvokeAsync<LiveWatchResult>("WatchDevice", "live-mine", Ct)).Watching);

        // Another customer's device changes first, then mine: had theirs been forwarded, it would arrive before mine.
        await SendJamAsync(theirs);
        await SendJamAsync(mine);

        await Eventually.TrueAsync(() => hub.Received.Any(c => c.DeviceId == "live-mine" && c.Health == "critical"), "my device's change to arrive");
        Assert.DoesNotContain(hub.Received, c => c.DeviceId == "live-theirs");
        Assert.Contains(hub.Received, c => c.DeviceId == "live-mine" && c.Events.Any(e => e.Condition == Conditions.PaperJam && e.Kind == "raised"));
    }

    [Theory, BothEngines]
    public async Task A_customer_hears_devices_paired_before_connecting_without_asking(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var mine = await PairedDevices.ConnectAnnouncingAsync(host, "live-early", "JJJJ3333");
        var cookie = await host.SignedInCookieAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(ClientWithCookie(host, cookie), "JJJJ3333");
        await using var hub = await ConnectAsync(host, cookie);

        await SendJamAsync(mine);

        await Eventually.TrueAsync(() => hub.Received.Any(c => c.DeviceId == "live-early"), "the paired device's change to arrive");
    }

    [Theory, BothEngines]
    public async Task Watching_another_customers_device_is_refused_and_counted(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var theirs = await PairedDevices.ConnectAnnouncingAsync(host, "watch-theirs", "WWWW1111");
        var them = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(them, "WWWW1111");
        await using var hub = await ConnectAsync(host, await host.SignedInCookieAsync(AccountRole.Customer));

        var refused = await hub.Connection.InvokeAsync<LiveWatchResult>("WatchDevice", "watch-theirs", Ct);
        var missing = await hub.Connection.InvokeAsync<LiveWatchResult>("WatchDevice", "no-such-device", Ct);

        Assert.False(refused.Watching);
        Assert.False(missing.Watching);
        Assert.Equal("No device 'watch-theirs' is available to you.", refused.Error);
        Assert.True(host.Logged(LiveEventIds.LiveWatchRefused, "watch-theirs"));
    }

    [Theory]
    [InlineData("zh-CN", "您无法查看设备“watch-elsewhere”。")]
    [InlineData("ja-JP", "デバイス「watch-elsewhere」は利用できません。")]
    [InlineData("en-US", "No device 'watch-elsewhere' is available to you.")]
    public async Task A_refusal_reads_in_the_callers_language(string acceptLanguage, string expected)
    {
        await using var host = new CloudHost();
        await using var hub = await ConnectAsync(host, await host.SignedInCookieAsync(AccountRole.Customer), acceptLanguage);

        var refused = await hub.Connection.InvokeAsync<LiveWatchResult>("WatchDevice", "watch-elsewhere", Ct);

        Assert.Equal((false, expected), (refused.Watching, refused.Error));
        // The log keeps one language for whoever reads it.
        Assert.True(host.Logged(LiveEventIds.LiveWatchRefused, "watch-elsewhere"));
    }

    [Theory, BothEngines]
    public async Task Staff_hear_the_whole_fleet(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var hub = await ConnectAsync(host, await host.SignedInCookieAsync(AccountRole.Agent));
        await using var one = await host.ConnectDeviceAsync("staff-1");
        await using var two = await host.ConnectDeviceAsync("staff-2");

        await SendJamAsync(one);
        await SendJamAsync(two);

        await Eventually.TrueAsync(() => hub.Received.Any(c => c.DeviceId == "staff-1") && hub.Received.Any(c => c.DeviceId == "staff-2"), "both devices' changes");
    }

    [Theory, BothEngines]
    public async Task Anonymous_clients_cannot_connect(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await ConnectAsync(host, cookie: null));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static HttpClient ClientWithCookie(CloudHost host, string cookie)
    {
        var http = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        http.DefaultRequestHeaders.Add("Cookie", cookie);
        return http;
    }

    private static async Task SendJamAsync(DeviceClient device)
    {
        var jam = device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Jam" });
        var status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await device.SendAsync(jam);
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);
    }

    private static async Task<LiveConnection> ConnectAsync(CloudHost host, string? cookie, string? acceptLanguage = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(host.Server.BaseAddress, LiveHub.Path.TrimStart('/')), options =>
            {
                options.HttpMessageHandlerFactory = _ => host.Server.CreateHandler();
                // The in-memory test server speaks plain HTTP only.
                options.Transports = HttpTransportType.LongPolling;
                if (cookie is not null)
                    options.Headers["Cookie"] = cookie;
                if (acceptLanguage is not null)
                    options.Headers["Accept-Language"] = acceptLanguage;
            })
            .Build();
        var live = new LiveConnection(connection);
        connection.On<LiveDeviceChange>(nameof(ILiveClient.DeviceChanged), change => live.Received.Enqueue(change));
        await connection.StartAsync(Ct);
        return live;
    }

    private sealed class LiveConnection(HubConnection connection) : IAsyncDisposable
    {
        public HubConnection Connection { get; } = connection;

        public ConcurrentQueue<LiveDeviceChange> Received { get; } = new();

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
