using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

/// <summary>Why an upload was refused; the API turns each into its own status.</summary>
public enum PackageUploadError
{
    None,
    NotAPackage,
    /// <summary>The signature, the manifest's rules or the payload's hash and size fail.</summary>
    Invalid,
    TooLarge,
    /// <summary>The package id is taken by a different manifest.</summary>
    Conflict,
}

/// <param name="Detail">Why, in the reader's language.</param>
/// <param name="Check">
/// For a package a check refused, the check and its values as the signing tools print them, the same in every language
/// (<c>PayloadHashMismatch: the payload's SHA-256 is …</c>): what a program or a release engineer comparing with
/// <c>fwtool verify</c> matches on; empty otherwise.
/// </param>
public sealed record PackageUpload(UpdatePackage? Package, bool Created, PackageUploadError Error, string Detail, string Check = "");

/// <summary>
/// The update catalog: takes uploaded packages only when they pass every check a device will make of them (release
/// key, manifest rules, payload hash and size), keeps the payload as a file of its own for range downloads, and never
/// replaces a package that is there.
/// </summary>
public sealed partial class PackageCatalog : IDisposable
{
    private readonly UpdatePackageStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<PackageCatalog> _logger;
    private readonly IReadOnlyList<TrustedKey> _trustedKeys;
    private readonly long _maxBytes;

    public PackageCatalog(UpdatePackageStore store, IOptions<StorageOptions> storage, IOptions<UpdateOptions> options, TimeProvider time, ILogger<PackageCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _logger = logger;
        _maxBytes = options.Value.MaxPackageBytes;
        Directory = Path.GetFullPath(options.Value.PackageDirectory.Length > 0
            ? options.Value.PackageDirectory
            : Path.Combine(storage.Value.DataFolder, "packages"));
        _trustedKeys = [.. options.Value.TrustedKeys.Select(LoadKey)];
    }

    /// <summary>Where payload files are kept.</summary>
    public string Directory { get; }

    public IReadOnlyList<string> TrustedKeyIds => [.. _trustedKeys.Select(k => k.KeyId)];

    public void Dispose()
    {
        foreach (var key in _trustedKeys)
            key.Dispose();
    }

    /// <summary>Reads a key from configuration: PEM text, or the path of a PEM file. A bad key stops the start, with its reason.</summary>
    public static TrustedKey LoadKey(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var pem = configured.Contains("-----BEGIN", StringComparison.Ordinal) ? configured
            : File.Exists(configured) ? File.ReadAllText(configured)
            : throw new InvalidOperationException($"Updates:TrustedKeys: '{configured}' is neither a PEM public key nor a file that exists.");
        return TrustedKey.TryFromPem(pem, out var error)
            ?? throw new InvalidOperationException($"Updates:TrustedKeys: '{(configured.Length > 60 ? configured[..60] + "..." : configured)}' is {error}.");
    }

    /// <summary>Takes a package file from <paramref name="body"/>: spooled to disk, checked, then its payload kept.</summary>
    public async Task<PackageUpload> UploadAsync(Stream body, string uploadedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        System.IO.Directory.CreateDirectory(Directory);
        var spool = Path.Combine(Directory, $".upload-{Guid.NewGuid():N}{PackageArchive.Extension}");
        var payloadTemp = spool + ".payload";
        try
        {
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > _maxBytes)
                        return Refuse(PackageUploadError.TooLarge, "PackageTooLarge", _maxBytes);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            await using var package = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var (signedManifest, readError) = await PackageArchive.ReadManifestAsync(package, cancellationToken);
            if (signedManifest is null)
                return RefuseCheck(PackageUploadError.NotAPackage, UpdateExplanations.Text("NotAPackage", readError), readError!);
            if (_trustedKeys.Count == 0)
                return Refuse(PackageUploadError.Invalid, "NoTrustedKey");
            var check = ManifestChecks.CheckSigned(signedManifest, _trustedKeys);
            if (!check.IsAccepted)
                return RefuseCheck(PackageUploadError.Invalid, Explain(check, signedManifest), $"{check.Failure}: {check.Detail}");
            var manifest = check.Manifest!;
            if (manifest.ExpiresUnixMs <= _time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                var expiredAt = DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs);
                return RefuseCheck(PackageUploadError.Invalid, UpdateExplanations.Text("UploadExpired", expiredAt),
                    string.Create(CultureInfo.InvariantCulture, $"{UpdateFailure.Expired}: the package expired at {expiredAt:u}"));
            }

            package.Position = 0;
            try
            {
                var (archive, payload, _) = await PackageArchive.OpenPayloadAsync(package, cancellationToken);
                await using (archive)
                await using (payload)
                await using (var target = new FileStream(payloadTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    var (size, sha256) = await ManifestChecks.HashAsync(new CopyingReader(payload, target), cancellationToken);
                    var payloadCheck = ManifestChecks.CheckPayload(manifest, size, sha256);
                    if (!payloadCheck.IsAccepted)
                        return RefuseCheck(PackageUploadError.Invalid, ExplainPayload(payloadCheck.Failure, manifest, size, sha256), $"{payloadCheck.Failure}: {payloadCheck.Detail}");
                    await target.FlushAsync(cancellationToken);
                    target.Flush(flushToDisk: true);
                }
            }
            catch (InvalidDataException exception)
            {
                return RefuseCheck(PackageUploadError.NotAPackage, UpdateExplanations.Text("PayloadUnreadable", exception.Message), exception.Message);
            }

            var payloadFile = Path.Combine(Directory, $"{manifest.PackageId}.{Convert.ToHexStringLower(manifest.PayloadSha256)[..16]}.bin");
            var stored = new UpdatePackage(manifest, signedManifest, SigningKey(signedManifest), payloadFile, _time.GetUtcNow(), uploadedBy);
            // The file's name carries the payload's hash, so an existing one holds these very bytes.
            var moved = !File.Exists(payloadFile);
            if (moved)
                File.Move(payloadTemp, payloadFile);
            var inserted = await _store.InsertPackageAsync(stored, cancellationToken);
            switch (inserted)
            {
                case PackageInsert.Conflict:
                    if (moved)
                        File.Delete(payloadFile);
                    return Refuse(PackageUploadError.Conflict, "PackageIdTaken", manifest.PackageId);
                case PackageInsert.AlreadyThere:
                    return new PackageUpload(await _store.GetPackageAsync(manifest.PackageId, cancellationToken), Created: false, PackageUploadError.None, "the same package is already in the catalog");
                default:
                    LogPublished(manifest.PackageId, manifest.Version, manifest.IsDelta, manifest.PayloadSize, uploadedBy);
                    return new PackageUpload(await _store.GetPackageAsync(manifest.PackageId, cancellationToken), Created: true, PackageUploadError.None, "published");
            }
        }
        finally
        {
            File.Delete(spool);
            File.Delete(payloadTemp);
        }
    }

    private string SigningKey(SignedManifest signedManifest) => ManifestSigning.Verify(signedManifest, _trustedKeys).KeyId ?? "";

    /// <summary>Refuses with the text <paramref name="name"/> in the reader's language; the log keeps its English (one language for whoever reads logs).</summary>
    private PackageUpload Refuse(PackageUploadError error, string name, params object?[] args)
    {
        LogRefused(error, UpdateExplanations.Invariant(name, args));
        return new PackageUpload(null, Created: false, error, UpdateExplanations.Text(name, args));
    }

    /// <summary>Refuses a package a check failed: <paramref name="detail"/> for the reader, the check as the signing tools print it for the log and for programs.</summary>
    private PackageUpload RefuseCheck(PackageUploadError error, string detail, string check)
    {
        LogRefused(error, check);
        return new PackageUpload(null, Created: false, error, detail, check);
    }

    /// <summary>
    /// A signature or manifest check's refusal in the reader's language, with the values the cloud holds (the keys that
    /// signed, the trusted ones). The manifest's rules are the signing tool's (<see cref="ManifestChecks.FindProblem"/>,
    /// shared with fwtool and the agent), said in the reader's language from the rule's code and values; the tool's own
    /// words stay in the problem's <c>check</c> and the log.
    /// </summary>
    private string Explain(ManifestCheck check, SignedManifest signedManifest) => check.Failure switch
    {
        UpdateFailure.UntrustedKey => UpdateExplanations.Text("Check.UntrustedKey",
            LocalizedTexts.List(signedManifest.Signatures.Select(s => s.KeyId).Distinct(StringComparer.Ordinal)), LocalizedTexts.List(TrustedKeyIds)),
        UpdateFailure.SignatureInvalid => UpdateExplanations.Text("Check.SignatureInvalid", check.Detail),
        UpdateFailure.ManifestMalformed when check.Problem is { } rule => UpdateExplanations.Rule(rule),
        UpdateFailure.ManifestMalformed => UpdateExplanations.Text("Check.ManifestMalformed", check.Detail),
        _ => UpdateExplanations.Text("Check.Other", check.Failure, check.Detail),
    };

    private static string ExplainPayload(UpdateFailure failure, UpdateManifest manifest, long size, byte[] sha256) => failure switch
    {
        UpdateFailure.PayloadSizeMismatch => UpdateExplanations.Text("Check.PayloadSizeMismatch", size, manifest.PayloadSize),
        _ => UpdateExplanations.Text("Check.PayloadHashMismatch", Convert.ToHexStringLower(sha256), Convert.ToHexStringLower(manifest.PayloadSha256)),
    };

    public Task<UpdatePackage?> GetAsync(string id, CancellationToken cancellationToken) => _store.GetPackageAsync(id, cancellationToken);

    public Task<IReadOnlyList<UpdatePackage>> ListAsync(CancellationToken cancellationToken) => _store.ListPackagesAsync(cancellationToken);

    [LoggerMessage(EventId = UpdatesEventIds.PackagePublished, Level = LogLevel.Information, Message = "Package {PackageId} {Version} published (delta {IsDelta}, {PayloadBytes} bytes) by {Actor}")]
    private partial void LogPublished(string packageId, string version, bool isDelta, long payloadBytes, string actor);

    [LoggerMessage(EventId = UpdatesEventIds.PackageRefused, Level = LogLevel.Warning, Message = "Package upload refused ({Error}): {Check}")]
    private partial void LogRefused(PackageUploadError error, string check);

    /// <summary>Writes what is read through it to another stream, so the payload is hashed and copied in one pass.</summary>
    private sealed class CopyingReader(Stream source, Stream copy) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await source.ReadAsync(buffer, cancellationToken);
            if (read > 0)
                await copy.WriteAsync(buffer[..read], cancellationToken);
            return read;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
