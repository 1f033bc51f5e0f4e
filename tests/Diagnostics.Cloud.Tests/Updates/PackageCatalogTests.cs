using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Updates;

public sealed class PackageCatalogTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string Body)> PublishAsync(HttpClient client, byte[] package)
    {
        using var response = await TestReleases.PublishAsync(client, package);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory, BothEngines]
    public async Task A_signed_package_is_published_once_and_publishing_it_again_is_harmless(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var image = TestReleases.Image("2.0.0");
        var package = await _releases.PackageAsync(TestReleases.Manifest("lp500-fw-2.0.0", "2.0.0", image), image);

        var first = await PublishAsync(supervisor, package);
        var again = await PublishAsync(supervisor, package);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        var view = await supervisor.GetJsonAsync<PackageView>("/api/updates/packages/lp500-fw-2.0.0");
        Assert.Equal(("2.0.0", image.Length, ManifestSigning.KeyId(_releases.Key)), (view.Version, (int)view.PayloadSize, view.KeyId));
        Assert.Single(await supervisor.GetJsonAsync<List<PackageView>>("/api/updates/packages"));
    }

    [Theory, BothEngines]
    public async Task Tampered_untrusted_expired_malformed_and_conflicting_packages_are_refused_with_their_reason(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var image = TestReleases.Image("2.0.0");
        var manifest = TestReleases.Manifest("lp500-fw-2.0.0", "2.0.0", image);

        var tamperedImage = (byte[])image.Clone();
        tamperedImage[1000] ^= 0xFF;
        var tampered = await PublishAsync(supervisor, await _releases.PackageAsync(manifest, tamperedImage));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tampered.Status);
        Assert.Contains("PayloadHashMismatch", tampered.Body, StringComparison.Ordinal);

        using var stranger = ManifestSigning.CreateKey();
        var untrusted = await PublishAsync(supervisor, await _releases.PackageAsync(manifest, image, stranger));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, untrusted.Status);
        Assert.Contains("UntrustedKey", untrusted.Body, StringComparison.Ordinal);
        Assert.Contains(ManifestSigning.KeyId(stranger), untrusted.Body, StringComparison.Ordinal);

        var old = TestReleases.Manifest("lp500-fw-old", "2.0.0", image);
        old.CreatedUnixMs = DateTimeOffset.UtcNow.AddDays(-400).ToUnixTimeMilliseconds();
        old.ExpiresUnixMs = DateTimeOffset.UtcNow.AddDays(-35).ToUnixTimeMilliseconds();
        var expired = await PublishAsync(supervisor, await _releases.PackageAsync(old, image));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, expired.Status);
        Assert.Contains("Expired", expired.Body, StringComparison.Ordinal);

        var notAZip = await PublishAsync(supervisor, "hello, not a package"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, notAZip.Status);

        Assert.Equal(HttpStatusCode.Created, (await PublishAsync(supervisor, await _releases.PackageAsync(manifest, image))).Status);
        var other = TestReleases.Image("2.0.1");
        var conflict = await PublishAsync(supervisor, await _releases.PackageAsync(TestReleases.Manifest("lp500-fw-2.0.0", "2.0.1", other), other));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        // The refusals left nothing behind: one package, and its payload is the original.
        Assert.Single(await supervisor.GetJsonAsync<List<PackageView>>("/api/updates/packages"));
        Assert.Single(Directory.GetFiles(host.Services.GetRequiredService<PackageCatalog>().Directory));
    }

    [Theory, BothEngines]
    public async Task A_signed_package_whose_payload_is_compressed_is_refused_before_it_is_expanded(StorageProvider engine)
    {
        // A package stores its payload as it is. A deflated payload.bin under a genuine signed manifest was expanded
        // to disk in full before its size was compared with the manifest's: a zip bomb fills the package directory.
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var image = TestReleases.Image("2.0.0");
        var genuine = await _releases.PackageAsync(TestReleases.Manifest("lp500-fw-2.0.0", "2.0.0", image), image);
        using var repacked = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(genuine), ZipArchiveMode.Read))
        using (var zip = new ZipArchive(repacked, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var from = await source.GetEntry(PackageArchive.ManifestEntry)!.OpenAsync(Ct))
            await using (var to = await zip.CreateEntry(PackageArchive.ManifestEntry, CompressionLevel.NoCompression).OpenAsync(Ct))
                await from.CopyToAsync(to, Ct);
            await using (var to = await zip.CreateEntry(PackageArchive.PayloadEntry, CompressionLevel.Optimal).OpenAsync(Ct))
                await to.WriteAsync(image, Ct);
        }

        var refused = await PublishAsync(supervisor, repacked.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("compressed", refused.Body, StringComparison.Ordinal);
        Assert.Empty(await supervisor.GetJsonAsync<List<PackageView>>("/api/updates/packages"));
    }

    [Theory, BothEngines]
    public async Task Only_supervisors_publish_and_a_customer_cannot_read_the_catalog(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var image = TestReleases.Image("2.0.0");
        var package = await _releases.PackageAsync(TestReleases.Manifest("lp500-fw-2.0.0", "2.0.0", image), image);
        Assert.Equal(HttpStatusCode.Forbidden, (await PublishAsync(await host.SignedInClientAsync(AccountRole.Agent), package)).Status);
        using var customerReads = await (await host.SignedInClientAsync(AccountRole.Customer)).GetAsync(new Uri("/api/updates/packages", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, customerReads.StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_payload_downloads_in_ranges_so_a_broken_download_resumes(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var id = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var image = TestReleases.Image("2.0.0");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/updates/packages/{id}/payload");
        request.Headers.Range = new RangeHeaderValue(60_000, null);
        using var response = await supervisor.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(image[60_000..], await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory, BothEngines]
    public async Task A_device_downloads_only_with_its_own_token_and_only_what_it_was_offered(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var id = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var device = await TestReleases.DeviceOnAsync(host, "upd-dl-1", "1.0.0");
        var url = new Uri($"/api/devices/upd-dl-1/updates/packages/{id}/payload", UriKind.Relative);
        var anonymous = host.CreateClient();

        using var noToken = await anonymous.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var notOffered = new HttpRequestMessage(HttpMethod.Get, url);
        notOffered.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        using var refused = await anonymous.SendAsync(notOffered, Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);

        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId = id, deviceIds = new[] { "upd-dl-1" }, waves = new[] { 100 }, waveWindowSeconds = 0 }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer reaches the device");
        var offer = Assert.Single(device.UpdateOffers);
        Assert.Equal(url.OriginalString, offer.PayloadUrl);
        using var offered = new HttpRequestMessage(HttpMethod.Get, url);
        offered.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        using var download = await anonymous.SendAsync(offered, Ct);
        Assert.Equal(TestReleases.Image("2.0.0"), await download.Content.ReadAsByteArrayAsync(Ct));
    }
}
