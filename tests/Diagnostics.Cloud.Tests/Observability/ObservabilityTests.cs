using System.Net;
using System.Text.Json;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Observability;

public sealed class ObservabilityTests
{
    [Theory, BothEngines]
    public async Task OpenApi_document_is_served(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        var document = await host.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(document);
        Assert.True(json.RootElement.GetProperty("paths").TryGetProperty("/api/devices/{deviceId}", out _));
        Assert.True(json.RootElement.GetProperty("paths").TryGetProperty("/api/fleet/summary", out _));
    }

    [Theory, BothEngines]
    public async Task Health_tells_anyone_only_whether_the_cloud_is_healthy(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("health-0");
        var customer = await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Customer);

        foreach (var client in new[] { host.CreateClient(), customer })
        {
            var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(body);
            Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(["status"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.DoesNotContain(host.Database.Name, body, StringComparison.Ordinal);
        }
    }

    [Theory, BothEngines]
    public async Task Health_reports_broker_storage_and_ingestion_healthy_with_details_for_staff(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("health-1");
        var staff = await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Agent);

        var response = await staff.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal(1, checks.GetProperty("broker").GetProperty("data").GetProperty("connectedClients").GetInt32());
        Assert.True(checks.GetProperty("ingestion").GetProperty("data").GetProperty("running").GetBoolean());
        Assert.Equal(0, checks.GetProperty("ingestion").GetProperty("data").GetProperty("queueDepth").GetInt32());
        Assert.Equal("Healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        // The store in use: the file on SQLite; on PostgreSQL, server and database (never the password).
        var location = checks.GetProperty("storage").GetProperty("data").GetProperty("path").GetString();
        if (engine == StorageProvider.Sqlite)
            Assert.Equal(host.DatabasePath, location);
        else
            Assert.EndsWith("/" + host.Database.Name, location, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Metrics_endpoint_exposes_the_ingestion_counters(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("metrics-1");
        var envelope = device.NewEnvelope(heartbeat: new Heartbeat());
        await device.SendAsync(envelope);
        await device.SendAsync(envelope);
        await device.PublishAsync($"dx/metrics-1/up/bogus", [1, 2, 3]);
        await Eventually.TrueAsync(() => host.Metrics.DuplicatesTotal == 1, "duplicate counted");

        var http = await host.SignedInClientAsync();
        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
            return text.Contains("dx_messages_duplicates", StringComparison.Ordinal);
        }, "counters on /metrics");

        Assert.Contains("dx_messages_received", text, StringComparison.Ordinal);
        Assert.Contains("dx_messages_stored", text, StringComparison.Ordinal);
        Assert.Contains("dx_acks_sent", text, StringComparison.Ordinal);
        Assert.Contains("dx_messages_rejected", text, StringComparison.Ordinal);
        Assert.Contains("reason=\"unknown_kind\"", text, StringComparison.Ordinal);
    }
}
