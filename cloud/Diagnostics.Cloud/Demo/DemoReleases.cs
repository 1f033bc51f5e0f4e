using System.Security.Cryptography;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Demo;

/// <summary>
/// Firmware releases for the demo fleet, so updates can be tried without fwtool: a release key of the demo's own (kept
/// beside the fleet's data, trusted by the cloud and pinned by the simulated printers), and three signed packages for
/// the simulated model — a good release, its delta from the factory version, and a release with a planted fuser fault
/// that a rollout should stop by itself.
/// </summary>
public static partial class DemoReleases
{
    public const string KeyFileName = "release.key.pem";
    public const string PublicKeyFileName = "release.pub.pem";
    public const string GoodVersion = "2.1.1";

    /// <summary>The demo's release key, made on first use; returns the public key's path.</summary>
    public static string EnsureKey(string demoDataDirectory)
    {
        Directory.CreateDirectory(demoDataDirectory);
        var privatePath = Path.Combine(demoDataDirectory, KeyFileName);
        var publicPath = Path.Combine(demoDataDirectory, PublicKeyFileName);
        if (!File.Exists(privatePath))
        {
            using var key = ManifestSigning.CreateKey();
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(privatePath, System.Text.Encoding.ASCII, options))
                writer.Write(key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem());
        }
        return publicPath;
    }

    /// <summary>Publishes the demo packages that are not in the catalog yet.</summary>
    public static async Task PublishAsync(PackageCatalog catalog, string demoDataDirectory, SimulatorOptions simulator, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(simulator);
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(demoDataDirectory, KeyFileName), cancellationToken));
        var model = simulator.Model;
        var slug = new string([.. model.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        var seed = SimulatedFirmwareImage.FactorySeed(model);
        var factory = SimulatedFirmwareImage.Create(simulator.FirmwareVersion, model, [], simulator.FirmwareImageBytes, seed);
        var good = SimulatedFirmwareImage.Create(GoodVersion, model, [], simulator.FirmwareImageBytes, seed);
        var faulty = SimulatedFirmwareImage.Create(simulator.FaultyFirmwareVersion, model, [SimulatedFirmwareImage.FuserFault], simulator.FirmwareImageBytes, seed);
        var now = time.GetUtcNow();

        await PublishOneAsync(catalog, key, Manifest($"demo-{slug}-fw-{GoodVersion}", GoodVersion, model, good, good, now,
            "Demo release: better paper handling. Safe to roll out."), good, logger, cancellationToken);
        var delta = BinaryDelta.Create(factory, good, cancellationToken: cancellationToken);
        var deltaManifest = Manifest($"demo-{slug}-fw-{GoodVersion}-from-{simulator.FirmwareVersion}", GoodVersion, model, good, delta, now,
            $"Demo release {GoodVersion}, as a delta from {simulator.FirmwareVersion}.");
        deltaManifest.DeltaFromVersion = simulator.FirmwareVersion;
        deltaManifest.DeltaFromSha256 = SHA256.HashData(factory);
        await PublishOneAsync(catalog, key, deltaManifest, delta, logger, cancellationToken);
        await PublishOneAsync(catalog, key, Manifest($"demo-{slug}-fw-{simulator.FaultyFirmwareVersion}", simulator.FaultyFirmwareVersion, model, faulty, faulty, now,
            "Demo release with a planted fault: printers that take it report fuser errors, and a rollout of it halts itself."), faulty, logger, cancellationToken);
    }

    private static UpdateManifest Manifest(string id, string version, string model, byte[] image, byte[] payload, DateTimeOffset now, string notes) => new()
    {
        PackageId = id,
        Kind = PackageKind.Firmware,
        Version = version,
        Models = [model],
        ImageSize = image.Length,
        ImageSha256 = SHA256.HashData(image),
        PayloadSize = payload.Length,
        PayloadSha256 = SHA256.HashData(payload),
        CreatedUnixMs = now.ToUnixTimeMilliseconds(),
        ExpiresUnixMs = now.AddYears(1).ToUnixTimeMilliseconds(),
        ReleaseNotes = notes,
    };

    private static async Task PublishOneAsync(PackageCatalog catalog, ECDsa key, UpdateManifest manifest, byte[] payload, ILogger logger, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(manifest.PackageId, cancellationToken) is not null)
            return;
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(manifest) };
        ManifestSigning.AddSignature(signedManifest, key);
        using var package = new MemoryStream();
        await PackageArchive.WriteAsync(package, signedManifest, new MemoryStream(payload), null, cancellationToken);
        package.Position = 0;
        var upload = await catalog.UploadAsync(package, "demo", cancellationToken);
        if (upload.Error != PackageUploadError.None)
            LogRefused(logger, manifest.PackageId, upload.Detail);
    }

    [LoggerMessage(EventId = DemoEventIds.DemoFleetFailed, Level = LogLevel.Error, Message = "Demo release {PackageId} was refused: {Detail}")]
    private static partial void LogRefused(ILogger logger, string packageId, string detail);
}
