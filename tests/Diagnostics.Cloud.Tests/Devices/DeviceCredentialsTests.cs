using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>Revoking and rotating device credentials, tokens and certificates alike, from the API and the command line.</summary>
public sealed class DeviceCredentialsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Revoking_a_token_device_ends_its_live_session_at_once_refuses_it_after_and_is_audited(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var token = await host.RegisterAsync("revoke-token");
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "revoke-token", token);
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);

        using var response = await admin.DeleteAsync("/api/devices/revoke-token/credentials", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        // Ended before the answer: no waiting for a poll.
        await Eventually.TrueAsync(() => !device.IsConnected, "the revoked device's session is gone", TimeSpan.FromSeconds(1));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectRefusedAsync(host.BrokerPort, "revoke-token", token));
        var record = Assert.Single(await AuditAsync(host, "revoke-token"), r => r.Action == CredentialAuditActions.Revoked);
        Assert.Contains("Test Admin", record.Actor, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Revoking_a_certificate_device_ends_its_session_and_the_certificate_is_refused_though_still_within_its_validity(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (certificate, _) = await DeviceTls.EnrollAsync(host, "revoke-cert");
        using var _certificate = certificate;
        await using var device = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "revoke-cert", null, tls: DeviceTls.Options(host.DevelopmentCaPath, certificate));
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);

        using var response = await admin.DeleteAsync("/api/devices/revoke-cert/credentials", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.TrueAsync(() => !device.IsConnected, "the revoked device's session is gone", TimeSpan.FromSeconds(1));
        Assert.True(certificate.NotAfter > DateTime.Now.AddDays(30), "the certificate's own dates still hold");
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
            await ConnectRefusedAsync(host.BrokerTlsPort, "revoke-cert", null, DeviceTls.Options(host.DevelopmentCaPath, certificate)));
        using var view = JsonDocument.Parse(await admin.GetStringAsync("/api/devices/revoke-cert/credentials", Ct));
        Assert.Equal("revoked", view.RootElement.GetProperty("certificates")[0].GetProperty("revocationReason").GetString());
    }

    [Theory, BothEngines]
    public async Task Rotating_shows_a_new_token_once_ends_the_session_and_the_old_token_stops_working(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var old = await host.RegisterAsync("rotate-1");
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "rotate-1", old);
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);

        using var response = await admin.PostAsync("/api/devices/rotate-1/credentials/rotate", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var rotated = (await response.Content.ReadFromJsonAsync<RegisteredDevice>(Json.Options, Ct))!;
        Assert.Equal("rotate-1", rotated.DeviceId);
        Assert.NotEqual(old, rotated.Token);
        await Eventually.TrueAsync(() => !device.IsConnected, "the session that used the old token is gone", TimeSpan.FromSeconds(1));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectRefusedAsync(host.BrokerPort, "rotate-1", old));
        await using (var again = await DeviceClient.ConnectAsync(host.BrokerPort, "rotate-1", rotated.Token))
            Assert.True(again.IsConnected);
        // Shown once: nothing the cloud answers later carries it.
        Assert.DoesNotContain(rotated.Token, await admin.GetStringAsync("/api/devices/rotate-1", Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.Token, await admin.GetStringAsync("/api/devices/rotate-1/credentials", Ct), StringComparison.Ordinal);
        Assert.Single(await AuditAsync(host, "rotate-1"), r => r.Action == CredentialAuditActions.Rotated);
    }

    [Theory, BothEngines]
    public async Task A_decommissioned_device_keeps_its_history_and_registering_its_id_again_gives_it_new_credentials(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var first = await host.RegisterAsync("again-1");
        await using (var device = await DeviceClient.ConnectAsync(host.BrokerPort, "again-1", first))
        {
            var envelope = device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Severity = Severity.Error });
            await device.SendAsync(envelope);
            await device.WaitForAckAsync(envelope.Sequence);
        }
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        using var live = await RegisterAsync(host, "again-1");
        Assert.Equal(HttpStatusCode.Conflict, live.StatusCode);

        (await admin.DeleteAsync("/api/devices/again-1/credentials", Ct)).Dispose();
        using var again = await RegisterAsync(host, "again-1");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var second = (await again.Content.ReadFromJsonAsync<RegisteredDevice>(Json.Options, Ct))!.Token;
        Assert.NotEqual(first, second);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectRefusedAsync(host.BrokerPort, "again-1", first));
        await using (var device = await DeviceClient.ConnectAsync(host.BrokerPort, "again-1", second))
            Assert.True(device.IsConnected);
        using var events = JsonDocument.Parse(await admin.GetStringAsync("/api/devices/again-1/events", Ct));
        Assert.Equal(1, events.RootElement.GetProperty("total").GetInt64());
        Assert.Contains(await AuditAsync(host, "again-1"), r => r.Action == CredentialAuditActions.Reregistered);
    }

    [Theory, BothEngines]
    public async Task Only_admins_revoke_or_rotate(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.RegisterAsync("not-yours");
        using var agent = await host.SignedInClientAsync(AccountRole.Agent);
        using var anonymous = host.CreateClient();

        using var revoke = await agent.DeleteAsync("/api/devices/not-yours/credentials", Ct);
        using var rotate = await anonymous.PostAsync("/api/devices/not-yours/credentials/rotate", null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rotate.StatusCode);
        Assert.Empty(await AuditAsync(host, "not-yours"));
    }

    [Theory, BothEngines]
    public async Task Revoke_command_ends_the_session_on_the_running_cloud_and_the_rotate_command_prints_a_token_that_connects(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:RevocationCheckInterval"] = "00:00:00.100" }, engine: engine);
        var token = await host.RegisterAsync("cli-revoke");
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "cli-revoke", token);
        using var output = new StringWriter();

        var revoked = await DevicesCli.RunAsync(["devices", "revoke", "cli-revoke", .. host.Database.CliArguments], output, TextWriter.Null, BrokerExtensions.ForDeviceCommands, Ct);

        Assert.Equal(0, revoked);
        await Eventually.TrueAsync(() => !device.IsConnected, "the running cloud ended the session the command line revoked");
        Assert.Contains(await AuditAsync(host, "cli-revoke"), r => r.Action == CredentialAuditActions.Revoked && r.Actor.StartsWith("command line", StringComparison.Ordinal));

        using var rotateOutput = new StringWriter();
        Assert.Equal(0, await DevicesCli.RunAsync(["devices", "rotate", "cli-revoke", .. host.Database.CliArguments], rotateOutput, TextWriter.Null, BrokerExtensions.ForDeviceCommands, Ct));
        var rotated = rotateOutput.ToString().Split('\n').Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        // The running cloud ends the device's session for the rotation too: let it follow the trail up to the rotation
        // first, or it may end the new session it finds there (a race the test, not the product, would lose).
        await host.Services.GetRequiredService<Diagnostics.Cloud.Broker.RevokedSessions>().EndRevokedSessionsAsync(Ct);
        await using var back = await DeviceClient.ConnectAsync(host.BrokerPort, "cli-revoke", rotated);
        Assert.True(back.IsConnected);
        Assert.Equal(1, await DevicesCli.RunAsync(["devices", "revoke", "nobody", .. host.Database.CliArguments], TextWriter.Null, TextWriter.Null, BrokerExtensions.ForDeviceCommands, Ct));
    }

    private static async Task<HttpResponseMessage> RegisterAsync(CloudHost host, string deviceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/devices") { Content = JsonContent.Create(new { deviceId, model = "M" }) };
        DeviceTls.WithEnrollmentKey(request);
        return await host.CreateClient().SendAsync(request, Ct);
    }

    internal static async Task<IReadOnlyList<AuditRecord>> AuditAsync(CloudHost host, string deviceId)
    {
        await using var session = await host.Services.GetRequiredService<Database>().OpenAsync(Ct);
        return await AuditTrail.ReadAsync(session, deviceId, null, 100, Ct);
    }

    internal static Task<MqttClientConnectResultCode> ConnectRefusedAsync(int port, string deviceId, string? token, MqttClientTlsOptions? tls = null) =>
        DeviceClient.ConnectRefusedAsync(port, deviceId, deviceId, token, tls);
}
