using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Instances;

/// <summary>
/// Two cloud instances (real hosts, each with its own loops) on one PostgreSQL database and one Mosquitto with dynamic
/// security, the devices on Mosquitto: work that must happen once happens once, and what one instance decides about a
/// device the other does not undo. Cheaper than <see cref="TwoInstancesBehindNginxTests"/> (no child processes), so the
/// checks that need no SIGKILL live here.
/// </summary>
[Trait("Engine", "PostgreSQL")]
public sealed class TwoInstancesOnOneDatabaseTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly TestReleases _releases = new();
    private MosquittoWithDynamicSecurity? _mosquitto;
    private TestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MosquittoWithDynamicSecurity Mosquitto => _mosquitto!;

    private TestDatabase Database => _database!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        _mosquitto = await MosquittoWithDynamicSecurity.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_mosquitto is not null)
            await _mosquitto.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    public void Dispose() => _releases.Dispose();

    [Fact(Timeout = 300_000)]
    public async Task A_rollout_opens_each_wave_once_and_halts_once_while_both_instances_run_their_rollout_loops()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        var supervisor = await first.SignedInClientAsync(AccountRole.Supervisor);
        var good = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var bad = await _releases.PublishFullAsync(supervisor, "3.0.0");
        var fleet = new List<DeviceClient>();
        try
        {
            for (var i = 0; i < 10; i++)
                fleet.Add(await DeviceOnAsync(first, $"two-wave-{i:00}", "1.0.0"));

            // Created on the second instance, its waves [1, 4, 5] opened by whichever instance holds the lease each pass.
            var rollout = await CreateRolloutAsync(second, new { packageId = good, waves = new[] { 10, 50, 100 }, waveWindowSeconds = 0 });
            Assert.Equal([1, 4, 5], rollout.Waves.Select(w => w.Devices));
            var offers = await DriveAsync(supervisor, rollout.Id, fleet, (device, offer) => TestReleases.InstallAsync(device, offer, "2.0.0"), "completed");

            // Each device was offered the update exactly once, and the trail holds each wave opening and the end once.
            Assert.All(fleet, device => Assert.Equal(1, offers.GetValueOrDefault(device.DeviceId)));
            Assert.Equal(["2", "3"], await WavesOpenedAsync(rollout.Id));
            Assert.Equal(1, await AuditCountAsync(rollout.Id, "rollout.completed"));
            foreach (var device in fleet)
                Assert.Equal(1, await AuditCountAsync(rollout.Id, "update.sent", device.DeviceId));

            // A release that fails in its first wave [2 of 10]: halted once, the other eight never offered it.
            var failing = await CreateRolloutAsync(first, new { packageId = bad, waves = new[] { 20, 100 }, waveWindowSeconds = 0, failureThresholdPercent = 20 });
            var badOffers = await DriveAsync(supervisor, failing.Id, fleet, (device, offer) => TestReleases.ReportAsync(device, update: new UpdateReport
            {
                OfferId = offer.OfferId, Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed, Detail = "did not reconnect", RunningVersion = "2.0.0",
            }), "halted");
            Assert.Equal(2, badOffers.Values.Sum());
            Assert.All(badOffers.Values, count => Assert.Equal(1, count));
            Assert.Equal(1, await AuditCountAsync(failing.Id, "rollout.halted"));
            Assert.Empty(await WavesOpenedAsync(failing.Id));
        }
        finally
        {
            foreach (var device in fleet)
                await device.DisposeAsync();
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task A_device_revoked_on_one_instance_is_dropped_and_refused_by_the_broker_and_the_other_instance_does_not_let_it_back()
    {
        await using var first = await StartInstanceAsync();
        var second = await StartInstanceAsync();
        try
        {
            var token = await first.RegisterAsync("two-revoked");
            var kept = await first.RegisterAsync("two-kept");
            await using var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "two-revoked", token);
            await TestReleases.ReportAsync(device, status: new DeviceStatus { Model = "TestModel", State = DeviceState.Idle });

            Assert.True(await first.Registry.RevokeAsync("two-revoked", DeviceRegistry.SystemActor, Ct));

            // Mosquitto drops the live session and refuses the next CONNECT: MQTT 5.0 (OASIS) 3.2.2.2, CONNACK reason
            // code 0x87 Not authorized (Mosquitto's answer for a client its dynamic security no longer knows).
            await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "two-revoked", "two-revoked", token));

            // The second instance reads the revocation from the shared trail, and a restart of it re-syncs nothing back.
            await second.Services.GetRequiredService<IDeviceSessions>().EndRevokedSessionsAsync(Ct);
            await second.DisposeAsync();
            second = await StartInstanceAsync();
            await second.Services.GetRequiredService<IDeviceSessions>().EndRevokedSessionsAsync(Ct);
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "two-revoked", "two-revoked", token));
            Assert.False(await second.Registry.VerifyAsync("two-revoked", token, Ct));

            // The control: the device that was not revoked still gets in, so the refusal above is about the revocation.
            await using var other = await DeviceClient.ConnectAsync(Mosquitto.Port, "two-kept", kept);
            Assert.True(other.IsConnected);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Failed_sign_ins_on_both_instances_count_together_and_the_fifth_locks_the_account_on_either()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        const string email = "two-instances@example.com";
        var (_, error) = await first.Services.GetRequiredService<AccountService>().CreateAsync(email, "Pat", AccountRole.Agent, CloudHost.TestPassword, Ct);
        Assert.Equal(AccountCreationError.None, error);
        using var throughFirst = first.CreateClient();
        using var throughSecond = second.CreateClient();

        // SignInThrottle:FailuresBeforeAccountLock is 5: three guesses on one instance and two on the other. Counted per
        // instance, neither would have seen five.
        for (var i = 1; i <= 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(i % 2 == 1 ? throughFirst : throughSecond, email, $"wrong-guess-{i}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(throughFirst, email, CloudHost.TestPassword));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(throughSecond, email, CloudHost.TestPassword));
    }

    [Fact(Timeout = 300_000)]
    public async Task Wrong_pairing_codes_on_both_instances_count_together_and_the_eleventh_is_refused_on_either()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        var cookie = await first.SignedInCookieAsync(AccountRole.Customer);
        using var throughFirst = first.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var throughSecond = second.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });

        // Pairing:MaxFailedAttempts is 10 within Pairing:AttemptWindow: five wrong codes on each instance.
        for (var i = 1; i <= 10; i++)
            Assert.Equal(HttpStatusCode.NotFound, await PairAsync(i % 2 == 1 ? throughFirst : throughSecond, cookie, $"WRONG-{i:00}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await PairAsync(throughFirst, cookie, "WRONG-11"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PairAsync(throughSecond, cookie, "WRONG-12"));
    }

    private static async Task<HttpStatusCode> SignInAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password }, Ct);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> PairAsync(HttpClient client, string cookie, string code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/me/devices/pair") { Content = JsonContent.Create(new { code }) };
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private async Task<CloudHost> StartInstanceAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(_releases.Settings())
        {
            ["Broker:Mode"] = "External",
            ["Broker:External:Host"] = "127.0.0.1",
            ["Broker:External:Port"] = Mosquitto.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:External:UserName"] = MosquittoWithDynamicSecurity.AdminUser,
            ["Broker:External:Password"] = Mosquitto.AdminPassword,
            ["Broker:External:ReconnectMinDelay"] = "00:00:00.050",
            ["Broker:External:ReconnectMaxDelay"] = "00:00:00.500",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        var host = new CloudHost(settings: settings, database: Database);
        var connection = host.Services.GetRequiredService<ExternalBrokerConnection>();
        await Eventually.TrueAsync(() => connection.IsReady, $"the instance is connected and subscribed to Mosquitto\n{Mosquitto.Log}");
        return host;
    }

    /// <summary>A device on Mosquitto, registered through <paramref name="host"/>, whose firmware report is stored.</summary>
    private async Task<DeviceClient> DeviceOnAsync(CloudHost host, string deviceId, string firmware)
    {
        var token = await host.RegisterAsync(deviceId, TestReleases.Model);
        var device = await DeviceClient.ConnectAsync(Mosquitto.Port, deviceId, token);
        await TestReleases.ReportAsync(device, new DeviceStatus { Model = TestReleases.Model, FirmwareVersion = firmware, State = DeviceState.Idle });
        return device;
    }

    private static async Task<RolloutView> CreateRolloutAsync(CloudHost host, object request)
    {
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        using var response = await supervisor.PostAsJsonAsync("/api/updates/rollouts", request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return System.Text.Json.JsonSerializer.Deserialize<RolloutView>(body, Json.Options)!;
    }

    /// <summary>
    /// Plays every device's side until the rollout is in <paramref name="until"/>: each offer (not a withdrawal) is
    /// counted per device and answered with <paramref name="answer"/>.
    /// </summary>
    private static async Task<Dictionary<string, int>> DriveAsync(
        HttpClient supervisor, string rolloutId, IReadOnlyList<DeviceClient> devices, Func<DeviceClient, UpdateOffer, Task> answer, string until)
    {
        var offers = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Eventually.TrueAsync(async () =>
        {
            foreach (var device in devices)
            {
                while (device.UpdateOffers.TryDequeue(out var offer))
                {
                    if (offer.Withdrawn)
                        continue;
                    offers.AddOrUpdate(device.DeviceId, 1, (_, n) => n + 1);
                    await answer(device, offer);
                }
            }
            return (await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rolloutId}")).State == until;
        }, $"rollout {rolloutId} {until}", Patience);
        return new Dictionary<string, int>(offers, StringComparer.Ordinal);
    }

    /// <summary>The waves (1-based) the trail says were opened, in order, one row per opening.</summary>
    private async Task<List<string>> WavesOpenedAsync(string rolloutId)
    {
        await using var connection = await Database.OpenAsync();
        var details = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT details FROM audit_log WHERE subject = @rolloutId AND action = 'rollout.wave' ORDER BY seq;", new { rolloutId }, cancellationToken: Ct));
        return [.. details.Select(d => System.Text.Json.JsonDocument.Parse(d).RootElement.GetProperty("wave").GetString()!)];
    }

    private async Task<long> AuditCountAsync(string rolloutId, string action, string? deviceId = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM audit_log WHERE subject = @rolloutId AND action = @action AND (@deviceId IS NULL OR device_id = @deviceId);",
            new { rolloutId, action, deviceId }, cancellationToken: Ct));
    }
}
