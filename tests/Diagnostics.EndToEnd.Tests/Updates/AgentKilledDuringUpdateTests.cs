using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.EndToEnd.Tests.Updates;

/// <summary>
/// Power loss in the middle of a download, with real processes: the agent is killed (SIGKILL) while it fetches a
/// large payload from the cloud, starts again on its data, goes on from where its partial file ends and finishes the
/// update; the cloud's record of its reports shows the download never went back to the start.
/// </summary>
public sealed class AgentKilledDuringUpdateTests
{
    private const string Model = "Acme LaserPro 400";
    private const string DeviceId = "e2e-kill-printer";

    [Fact(Timeout = 300_000)]
    public async Task An_agent_killed_mid_download_resumes_where_it_stopped_and_installs_the_update()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("dx-kill-e2e-").FullName;
        using var key = ManifestSigning.CreateKey();
        var publicKey = Path.Combine(work, "release.pub.pem");
        await File.WriteAllTextAsync(publicKey, key.ExportSubjectPublicKeyInfoPem(), ct);
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: [$"--Updates:TrustedKeys:0={publicKey}", "--Updates:CheckInterval=00:00:00.500"]);
        // Small chunks make the download take seconds on loopback, long enough to be cut in the middle.
        await using var printer = SimulatedPrinterProcess.Start(cloud, DeviceId, extraArguments:
            [$"--Updates:TrustedKeys:0={publicKey}", "--Updates:DownloadChunkBytes=8192", "--Updates:HealthCheckStableFor=00:00:02"]);
        var admin = await cloud.AdminHttpAsync(ct);
        await Eventually.TrueAsync(async () =>
        {
            // 404 until the printer has enrolled.
            using var response = await admin.GetAsync(new Uri($"api/devices/{DeviceId}", UriKind.Relative), ct);
            return response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("firmware").GetString() == "2.1.0";
        }, "the printer reports its factory version", TimeSpan.FromSeconds(60));

        var image = new byte[48 * 1024 * 1024];
        new Random(11).NextBytes(image);
        Encoding.UTF8.GetBytes($"DXSIMFW1\n{{\"version\":\"2.3.0\",\"model\":\"{Model}\",\"faults\":[]}}\n").CopyTo(image, 0);
        var sha = SHA256.HashData(image);
        var manifest = new UpdateManifest
        {
            PackageId = "e2e-kill-2.3.0", Kind = PackageKind.Firmware, Version = "2.3.0", Models = [Model],
            ImageSize = image.Length, ImageSha256 = sha, PayloadSize = image.Length, PayloadSha256 = sha,
            CreatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ExpiresUnixMs = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(),
        };
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(manifest) };
        ManifestSigning.AddSignature(signedManifest, key);
        using (var package = new MemoryStream())
        {
            await PackageArchive.WriteAsync(package, signedManifest, new MemoryStream(image), null, ct);
            using var content = new ByteArrayContent(package.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var published = await admin.PostAsync(new Uri("api/updates/packages", UriKind.Relative), content, ct);
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }
        using (var created = await admin.PostAsJsonAsync("api/updates/rollouts", new { packageId = manifest.PackageId, deviceIds = new[] { DeviceId }, waves = new[] { 100 }, waveWindowSeconds = 0 }, ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await Eventually.TrueAsync(async () => await StateAsync(admin, ct) is ("downloading", >= 20 and < 80), "the download is under way", TimeSpan.FromSeconds(90));
        await printer.KillAndStartAgainAsync();
        await Eventually.TrueAsync(async () => await StateAsync(admin, ct) is ("succeeded", _), $"the update completes after the restart\n{printer.Tail()}", TimeSpan.FromSeconds(120));

        var downloading = await DownloadReportsAsync(cloud.DatabasePath, ct);
        Assert.True(downloading.Count >= 3, string.Join(", ", downloading));
        Assert.Equal(downloading.Order(), downloading);
        Assert.Equal(100, downloading[^1]);
    }

    private static async Task<(string State, int Percent)> StateAsync(HttpClient admin, CancellationToken ct)
    {
        var updates = await admin.GetFromJsonAsync<List<JsonElement>>($"api/devices/{DeviceId}/updates", ct);
        return updates is [var update, ..] ? (update.GetProperty("state").GetString()!, update.GetProperty("percent").GetInt32()) : ("none", 0);
    }

    /// <summary>The percent of every Downloading report the cloud stored from the device, in the device's order.</summary>
    private static async Task<List<int>> DownloadReportsAsync(string databasePath, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM telemetry WHERE device_id = $device AND kind = 'update' ORDER BY seq;";
        command.Parameters.AddWithValue("$device", DeviceId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var percents = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            if (WireCodec.DecodeUplink((byte[])reader.GetValue(0)).Value?.UpdateReport is { Phase: UpdatePhase.Downloading } report)
                percents.Add(report.Percent);
        }
        return percents;
    }
}
