using System.IO.Compression;
using System.Security.Cryptography;

using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

public sealed class ManifestChecksTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _releaseKey = ManifestSigning.CreateKey();
    private readonly TrustedKey _trusted;

    public ManifestChecksTests()
    {
        _trusted = TrustedKey.TryFromPem(_releaseKey.ExportSubjectPublicKeyInfoPem(), out var error) ?? throw new InvalidOperationException(error);
    }

    public void Dispose()
    {
        _trusted.Dispose();
        _releaseKey.Dispose();
    }

    private static UpdateManifest Manifest(string version = "2.1.0", bool rollback = false)
    {
        var image = SHA256.HashData("image"u8);
        return new UpdateManifest
        {
            PackageId = $"lx500-fw-{version}",
            Kind = PackageKind.Firmware,
            Version = version,
            Models = ["LX-500"],
            HardwareRevisions = ["B"],
            ImageSize = 5,
            ImageSha256 = image,
            PayloadSize = 5,
            PayloadSha256 = image,
            CreatedUnixMs = Now.AddDays(-1).ToUnixTimeMilliseconds(),
            ExpiresUnixMs = Now.AddDays(30).ToUnixTimeMilliseconds(),
            IsRollbackRelease = rollback,
        };
    }

    private SignedManifest Sign(UpdateManifest manifest, ECDsa? key = null)
    {
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(manifest) };
        ManifestSigning.AddSignature(signedManifest, key ?? _releaseKey);
        return signedManifest;
    }

    private static readonly DeviceFacts Device = new("LX-500", "B", "2.0.3");

    [Fact]
    public void A_signed_compatible_newer_manifest_is_accepted()
    {
        var check = ManifestChecks.CheckSigned(Sign(Manifest()), [_trusted]);
        Assert.True(check.IsAccepted, check.Detail);
        Assert.True(ManifestChecks.CheckForDevice(check.Manifest!, Device, Now).IsAccepted);
    }

    [Fact]
    public void A_manifest_altered_after_signing_is_refused()
    {
        var signedManifest = Sign(Manifest());
        signedManifest.Manifest[^3] ^= 0x01;
        var check = ManifestChecks.CheckSigned(signedManifest, [_trusted]);
        Assert.Equal(UpdateFailure.SignatureInvalid, check.Failure);
        Assert.Contains(_trusted.KeyId, check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_signed_by_an_untrusted_key_names_that_key()
    {
        using var stranger = ManifestSigning.CreateKey();
        var check = ManifestChecks.CheckSigned(Sign(Manifest(), stranger), [_trusted]);
        Assert.Equal(UpdateFailure.UntrustedKey, check.Failure);
        Assert.Contains(ManifestSigning.KeyId(stranger), check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_release_signed_by_old_and_new_keys_verifies_with_either()
    {
        using var next = ManifestSigning.CreateKey();
        var signedManifest = Sign(Manifest());
        ManifestSigning.AddSignature(signedManifest, next);
        using var nextTrusted = TrustedKey.TryFromPem(next.ExportSubjectPublicKeyInfoPem(), out _)!;
        Assert.True(ManifestChecks.CheckSigned(signedManifest, [_trusted]).IsAccepted);
        Assert.True(ManifestChecks.CheckSigned(signedManifest, [nextTrusted]).IsAccepted);
    }

    [Theory]
    [InlineData("2.0.3", UpdateFailure.Downgrade)]
    [InlineData("1.9", UpdateFailure.Downgrade)]
    public void The_same_or_an_older_version_is_refused_unless_a_signed_rollback_release(string version, UpdateFailure failure)
    {
        Assert.Equal(failure, ManifestChecks.CheckForDevice(Manifest(version), Device, Now).Failure);
        Assert.True(ManifestChecks.CheckForDevice(Manifest(version, rollback: true), Device, Now).IsAccepted);
    }

    [Fact]
    public void Expired_wrong_model_wrong_revision_and_too_old_are_each_named()
    {
        Assert.Equal(UpdateFailure.Expired, ManifestChecks.CheckForDevice(Manifest(), Device, Now.AddDays(31)).Failure);
        Assert.Equal(UpdateFailure.WrongModel, ManifestChecks.CheckForDevice(Manifest(), Device with { Model = "LX-900" }, Now).Failure);
        Assert.Equal(UpdateFailure.WrongHardwareRevision, ManifestChecks.CheckForDevice(Manifest(), Device with { HardwareRevision = "A" }, Now).Failure);
        var needsTwo = Manifest();
        needsTwo.MinimumFromVersion = "2.0.5";
        var check = ManifestChecks.CheckForDevice(needsTwo, Device, Now);
        Assert.Equal(UpdateFailure.VersionTooOld, check.Failure);
        Assert.Contains("2.0.5", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_applies_only_to_the_image_it_was_made_from()
    {
        var delta = Manifest();
        delta.DeltaFromVersion = "2.0.3";
        delta.DeltaFromSha256 = SHA256.HashData("old image"u8);
        delta.PayloadSize = 3;
        delta.PayloadSha256 = SHA256.HashData("dlt"u8);
        Assert.Null(ManifestChecks.DescribeProblem(delta));
        Assert.True(ManifestChecks.CheckForDevice(delta, Device with { RunningImageSha256 = SHA256.HashData("old image"u8) }, Now).IsAccepted);
        Assert.Equal(UpdateFailure.DeltaBaseMismatch, ManifestChecks.CheckForDevice(delta, Device with { RunningVersion = "2.0.2" }, Now).Failure);
        Assert.Equal(UpdateFailure.DeltaBaseMismatch, ManifestChecks.CheckForDevice(delta, Device with { RunningImageSha256 = SHA256.HashData("other"u8) }, Now).Failure);
    }

    [Fact]
    public void Payload_size_and_hash_are_checked_against_the_manifest()
    {
        var manifest = Manifest();
        Assert.True(ManifestChecks.CheckPayload(manifest, 5, SHA256.HashData("image"u8)).IsAccepted);
        Assert.Equal(UpdateFailure.PayloadSizeMismatch, ManifestChecks.CheckPayload(manifest, 6, SHA256.HashData("image"u8)).Failure);
        Assert.Equal(UpdateFailure.PayloadHashMismatch, ManifestChecks.CheckPayload(manifest, 5, SHA256.HashData("imagf"u8)).Failure);
    }

    [Fact]
    public async Task A_package_file_round_trips_its_manifest_and_payload()
    {
        var signedManifest = Sign(Manifest());
        using var file = new MemoryStream();
        await PackageArchive.WriteAsync(file, signedManifest, new MemoryStream("image"u8.ToArray()), null, TestContext.Current.CancellationToken);
        file.Position = 0;
        var (read, error) = await PackageArchive.ReadManifestAsync(file, TestContext.Current.CancellationToken);
        Assert.Null(error);
        Assert.Equal(signedManifest.Manifest, read!.Manifest);
        file.Position = 0;
        var (archive, payload, length) = await PackageArchive.OpenPayloadAsync(file, TestContext.Current.CancellationToken);
        await using (archive)
        await using (payload)
        {
            var (size, sha) = await ManifestChecks.HashAsync(payload, TestContext.Current.CancellationToken);
            Assert.Equal(5, length);
            Assert.True(ManifestChecks.CheckPayload(ManifestChecks.CheckSigned(read, [_trusted]).Manifest!, size, sha).IsAccepted);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_a_package_gets_a_clear_error()
    {
        var (manifest, error) = await PackageArchive.ReadManifestAsync(new MemoryStream("not a zip at all"u8.ToArray()), TestContext.Current.CancellationToken);
        Assert.Null(manifest);
        Assert.Contains("not a package", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_entry_whose_field_claims_more_bytes_than_it_holds_gets_a_clear_error()
    {
        // Found by fuzzing: field 1 (the manifest's bytes) claims 177,583 bytes and carries 3. protobuf-net reports that
        // as an InvalidOperationException, which the reader let through to the cloud's upload and to fwtool.
        using var package = new MemoryStream();
        using (var zip = new ZipArchive(package, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = zip.CreateEntry(PackageArchive.ManifestEntry, CompressionLevel.NoCompression).Open())
                stream.Write([0x0A, 0xAF, 0xEB, 0x0A, 0x01, 0x02, 0x03]);
            using (var stream = zip.CreateEntry(PackageArchive.PayloadEntry, CompressionLevel.NoCompression).Open())
                stream.Write("image"u8);
        }
        package.Position = 0;

        var (manifest, error) = await PackageArchive.ReadManifestAsync(package, TestContext.Current.CancellationToken);

        Assert.Null(manifest);
        Assert.StartsWith($"{PackageArchive.ManifestEntry} does not decode", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(long.MinValue, long.MinValue + 1)]
    [InlineData(-62_135_596_800_001, 0)]
    [InlineData(0, long.MaxValue)]
    public void A_signed_manifest_dated_outside_the_calendar_is_malformed_not_a_crash_later(long created, long expires)
    {
        // DateTimeOffset (the checks' and the cloud's clock) spans the years 1 to 9999; a signed manifest that expires
        // outside it passed the checks and then threw ArgumentOutOfRangeException where its expiry was written out.
        var manifest = Manifest();
        manifest.CreatedUnixMs = created;
        manifest.ExpiresUnixMs = expires;

        var check = ManifestChecks.CheckSigned(Sign(manifest), [_trusted]);

        Assert.Equal(UpdateFailure.ManifestMalformed, check.Failure);
        Assert.Contains("1970", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_rule_carries_its_code_and_values_beside_the_words_the_signing_tools_print()
    {
        // The cloud words a rule in its reader's language from the code and values; fwtool and logs keep the text.
        var manifest = Manifest();
        manifest.Version = "2.x";

        var check = ManifestChecks.CheckSigned(Sign(manifest), [_trusted]);

        Assert.Equal(UpdateFailure.ManifestMalformed, check.Failure);
        Assert.Equal("version \"2.x\" is not dotted numbers such as 2.4.1", check.Detail);
        Assert.Equal(ManifestProblem.Version, check.Problem!.Code);
        Assert.Equal(["2.x"], check.Problem.Values);
        Assert.Equal(check.Detail, check.Problem.Text);
        Assert.Equal(check.Detail, ManifestChecks.DescribeProblem(manifest));
    }

    [Theory]
    [InlineData("package", ManifestProblem.PackageId, "bad id!")]
    [InlineData("models", ManifestProblem.NoModel)]
    [InlineData("minimum", ManifestProblem.MinimumFromVersion, "one")]
    [InlineData("image", ManifestProblem.ImageUndescribed)]
    [InlineData("payload", ManifestProblem.PayloadUndescribed)]
    [InlineData("dates", ManifestProblem.DatesOutOfRange)]
    [InlineData("expiry", ManifestProblem.ExpiresBeforeCreated)]
    [InlineData("delta", ManifestProblem.DeltaBaseUnnamed)]
    [InlineData("full", ManifestProblem.FullPayloadNotImage)]
    public void Each_manifest_rule_has_its_own_code(string broken, string code, params string[] values)
    {
        var manifest = Manifest();
        switch (broken)
        {
            case "package": manifest.PackageId = "bad id!"; break;
            case "models": manifest.Models = []; break;
            case "minimum": manifest.MinimumFromVersion = "one"; break;
            case "image": manifest.ImageSha256 = []; break;
            case "payload": manifest.PayloadSize = 0; break;
            case "dates": manifest.CreatedUnixMs = -1; break;
            case "expiry": manifest.ExpiresUnixMs = manifest.CreatedUnixMs; break;
            case "delta": manifest.DeltaFromVersion = "2.0.3"; break;
            case "full": manifest.PayloadSize = 6; break;
        }

        var problem = ManifestChecks.FindProblem(manifest);

        Assert.Equal(code, problem?.Code);
        Assert.Equal(values, problem!.Values);
        Assert.Equal(ManifestChecks.DescribeProblem(manifest), problem.Text);
    }

    [Fact]
    public void An_empty_signed_manifest_names_its_size_and_the_limit()
    {
        var check = ManifestChecks.CheckSigned(new SignedManifest(), [_trusted]);

        Assert.Equal(ManifestProblem.ManifestSize, check.Problem?.Code);
        Assert.Equal(["0", "65536"], check.Problem!.Values);
        Assert.Equal("the manifest is 0 bytes; it must be 1 to 65536", check.Detail);
    }
}
