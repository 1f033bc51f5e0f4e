using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.LoadTest;

/// <summary>
/// Update downloads: a signed package published to the real cloud, offered to N devices by a rollout, then fetched by
/// one device alone (the reference) and by all N at once, each with its own token, each download's SHA-256 checked.
/// </summary>
internal static class DownloadRun
{
    private const string Model = "Acme LaserPro 500";

    public static async Task RunAsync(int deviceCount, int imageMiB, CancellationToken ct)
    {
        using var key = ManifestSigning.CreateKey();
        var dataDirectory = Directory.CreateTempSubdirectory("dx-downloads-").FullName;
        var keyFile = Path.Combine(dataDirectory, "release.pub.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportSubjectPublicKeyInfoPem(), ct);
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory, extraArguments: [$"--Updates:TrustedKeys:0={keyFile}", "--Demo:Devices=0"]);
        var admin = await cloud.AdminHttpAsync(ct);

        var image = FirmwareImages.Create(imageMiB * 1024 * 1024, seed: 7).Bytes;
        var sha256 = SHA256.HashData(image);
        var manifest = new UpdateManifest
        {
            PackageId = "load-fw-2.0.0", Kind = PackageKind.Firmware, Version = "2.0.0", Models = [Model],
            ImageSize = image.Length, ImageSha256 = sha256, PayloadSize = image.Length, PayloadSha256 = sha256,
            CreatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ExpiresUnixMs = DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds(),
        };
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(manifest) };
        ManifestSigning.AddSignature(signedManifest, key);
        using var package = new MemoryStream();
        await PackageArchive.WriteAsync(package, signedManifest, new MemoryStream(image), null, ct);
        using (var content = new ByteArrayContent(package.ToArray()))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var published = await admin.PostAsync(new Uri("api/updates/packages", UriKind.Relative), content, ct);
            if (!published.IsSuccessStatusCode)
                throw new InvalidOperationException($"publish: {(int)published.StatusCode} {await published.Content.ReadAsStringAsync(ct)}");
        }

        var devices = new List<(string Id, string Token)>();
        for (var i = 0; i < deviceCount; i++)
            devices.Add(await cloud.RegisterAsync($"dl-{i:0000}", ct, Model));
        // The firmware they run, as their first status would have left it.
        await using (var connection = new SqliteConnection($"Data Source={cloud.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE devices SET firmware = '1.0.0' WHERE id LIKE 'dl-%';";
            await update.ExecuteNonQueryAsync(ct);
        }
        using (var created = await admin.PostAsJsonAsync("api/updates/rollouts", new { packageId = manifest.PackageId, deviceIds = devices.Select(d => d.Id), waves = new[] { 100 }, waveWindowSeconds = 0 }, ct))
        {
            if (!created.IsSuccessStatusCode)
                throw new InvalidOperationException($"rollout: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            using var rollout = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
            var id = rollout.RootElement.GetProperty("id").GetString();
            // Offers go out on the scheduler's next pass; downloads are allowed once a device has its offer.
            while (true)
            {
                using var state = JsonDocument.Parse(await admin.GetStringAsync($"api/updates/rollouts/{id}", ct));
                if (state.RootElement.GetProperty("counts").TryGetProperty("approved", out var approved) && approved.GetInt32() == deviceCount)
                    break;
                await Task.Delay(200, ct);
            }
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = deviceCount }) { BaseAddress = cloud.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var alone = new List<double>();
        for (var run = 0; run < 3; run++)
            alone.Add(await DownloadAsync(http, devices[0], manifest.PackageId, sha256, ct));
        var reference = image.Length / alone.Order().ElementAt(1) / (1024 * 1024);

        var wall = Stopwatch.StartNew();
        var times = await Task.WhenAll(devices.Select(d => DownloadAsync(http, d, manifest.PackageId, sha256, ct)));
        wall.Stop();
        var aggregate = (double)image.Length * deviceCount / wall.Elapsed.TotalSeconds / (1024 * 1024);
        var sorted = times.Order().ToArray();

        Console.WriteLine();
        Console.WriteLine($"downloads: a {image.Length / (1024.0 * 1024):N0} MiB image, range-capable payload endpoint, device tokens, SHA-256 checked");
        Console.WriteLine($"  one device alone (reference, median of 3): {reference,9:N0} MiB/s");
        Console.WriteLine($"  {deviceCount} devices at once: all done in {wall.Elapsed.TotalSeconds:N1} s, {aggregate:N0} MiB/s in all ({aggregate / reference:N2}x the reference)");
        Console.WriteLine($"  per device: p50 {Percentile(sorted, 0.50):N2} s, p99 {Percentile(sorted, 0.99):N2} s, slowest {sorted[^1]:N2} s " +
            $"({image.Length / Percentile(sorted, 0.50) / (1024 * 1024):N1} MiB/s each at p50)");
    }

    private static async Task<double> DownloadAsync(HttpClient http, (string Id, string Token) device, string packageId, byte[] sha256, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/devices/{device.Id}/updates/packages/{packageId}/payload");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var (_, hash) = await ManifestChecks.HashAsync(body, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        if (!hash.AsSpan().SequenceEqual(sha256))
            throw new InvalidDataException($"{device.Id} downloaded a payload with another SHA-256");
        return seconds;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
