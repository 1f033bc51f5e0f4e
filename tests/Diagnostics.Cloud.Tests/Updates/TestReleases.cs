using System.Net.Http.Json;
using System.Security.Cryptography;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>A release key the test cloud trusts, and signed packages made with it, as fwtool makes them.</summary>
internal sealed class TestReleases : IDisposable
{
    public const string Model = "Acme LaserPro 500";

    public ECDsa Key { get; } = ManifestSigning.CreateKey();

    public string PublicPem => Key.ExportSubjectPublicKeyInfoPem();

    public void Dispose() => Key.Dispose();

    /// <summary>Settings for a cloud that trusts this key and looks at rollouts often.</summary>
    public Dictionary<string, string?> Settings(TimeSpan? healthObservation = null) => new()
    {
        ["Updates:TrustedKeys:0"] = PublicPem,
        ["Updates:CheckInterval"] = "00:00:00.200",
        ["Updates:HealthObservation"] = (healthObservation ?? TimeSpan.Zero).ToString("c"),
    };

    public static byte[] Image(string version, int size = 64 * 1024)
    {
        var image = new byte[size];
        new Random(version.GetHashCode(StringComparison.Ordinal)).NextBytes(image);
        return image;
    }

    public static UpdateManifest Manifest(string id, string version, byte[] image, string? deltaFrom = null, byte[]? payload = null) => new()
    {
        PackageId = id,
        Kind = PackageKind.Firmware,
        Version = version,
        Models = [Model],
        ImageSize = image.Length,
        ImageSha256 = SHA256.HashData(image),
        PayloadSize = (payload ?? image).Length,
        PayloadSha256 = SHA256.HashData(payload ?? image),
        DeltaFromVersion = deltaFrom ?? "",
        DeltaFromSha256 = deltaFrom is null ? [] : SHA256.HashData(Image(deltaFrom)),
        CreatedUnixMs = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(),
        ExpiresUnixMs = DateTimeOffset.UtcNow.AddDays(90).ToUnixTimeMilliseconds(),
        ReleaseNotes = $"Firmware {version}: fixes the tray sensor.",
    };

    /// <summary>A .dxpkg: the manifest signed by <paramref name="key"/> (this release key when null), then the payload.</summary>
    public async Task<byte[]> PackageAsync(UpdateManifest manifest, byte[] payload, ECDsa? key = null)
    {
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(manifest) };
        ManifestSigning.AddSignature(signedManifest, key ?? Key);
        using var file = new MemoryStream();
        await PackageArchive.WriteAsync(file, signedManifest, new MemoryStream(payload), null, TestContext.Current.CancellationToken);
        return file.ToArray();
    }

    public static async Task<HttpResponseMessage> PublishAsync(HttpClient supervisor, byte[] package)
    {
        using var content = new ByteArrayContent(package);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return await supervisor.PostAsync(new Uri("/api/updates/packages", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    /// <summary>Publishes the full package of <paramref name="version"/> and fails the test if the cloud refuses it.</summary>
    public async Task<string> PublishFullAsync(HttpClient supervisor, string version)
    {
        var id = $"lp500-fw-{version}";
        var image = Image(version);
        using var response = await PublishAsync(supervisor, await PackageAsync(Manifest(id, version, image), image));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return id;
    }

    /// <summary>A device on <paramref name="firmware"/> that has told the cloud so (stored before this returns).</summary>
    public static async Task<DeviceClient> DeviceOnAsync(CloudHost host, string deviceId, string firmware)
    {
        var device = await host.ConnectDeviceAsync(deviceId, Model);
        await ReportAsync(device, new DeviceStatus { Model = Model, FirmwareVersion = firmware, State = DeviceState.Idle });
        return device;
    }

    /// <summary>
    /// A rollout of <paramref name="packageId"/> to every device in one wave, halting when one install in five fails,
    /// started by <paramref name="supervisor"/>; returns once each of <paramref name="devices"/> has its offer.
    /// </summary>
    public static async Task<RolloutView> RolloutOfferedToAsync(HttpClient supervisor, string packageId, params DeviceClient[] devices)
    {
        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, waves = new[] { 100 }, waveWindowSeconds = 0, failureThresholdPercent = 20 },
            TestContext.Current.CancellationToken);
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, TestContext.Current.CancellationToken))!;
        await Eventually.TrueAsync(() => devices.All(d => !d.UpdateOffers.IsEmpty), $"an offer on each of the {devices.Length} devices");
        return rollout;
    }

    public static async Task ReportAsync(DeviceClient device, DeviceStatus? status = null, UpdateReport? update = null, DeviceEvent? @event = null)
    {
        var envelope = device.NewEnvelope(status: status, update: update, @event: @event);
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
    }

    /// <summary>What an agent reports for an offer that went well, ending on the new version.</summary>
    public static async Task InstallAsync(DeviceClient device, UpdateOffer offer, string version)
    {
        await ReportAsync(device, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Downloading, Percent = 50, RunningVersion = "old" });
        await ReportAsync(device, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Rebooting, RunningVersion = "old" });
        await ReportAsync(device, status: new DeviceStatus { Model = Model, FirmwareVersion = version, State = DeviceState.Idle },
            update: null);
        await ReportAsync(device, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = version });
    }
}
