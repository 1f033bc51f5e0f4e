using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;

namespace Diagnostics.FirmwareTools.Tests.Packages;

public sealed class DeltaCommandTests : IDisposable
{
    private readonly FwtoolHarness _fwtool = new();
    private readonly FirmwareImage _old = FirmwareImages.Create(1 << 20, seed: 41);
    private readonly FirmwareImage _new;

    public DeltaCommandTests()
    {
        _new = FirmwareImages.NextRelease(_old, seed: 42);
    }

    public void Dispose() => _fwtool.Dispose();

    [Fact]
    public async Task A_delta_package_applied_to_the_old_image_gives_the_new_image_byte_for_byte()
    {
        var oldPackage = await _fwtool.PackAsync(_old.Bytes, "2.4.0");
        var newPackage = await _fwtool.PackAsync(_new.Bytes, "2.4.1");
        var deltaPackage = _fwtool.PathOf("delta.dxpkg");

        var result = await _fwtool.RunOkAsync("delta", "--from", oldPackage, "--to", newPackage, "--out", deltaPackage);

        await using var file = File.OpenRead(deltaPackage);
        var (signed, error) = await PackageArchive.ReadManifestAsync(file, TestContext.Current.CancellationToken);
        var manifest = PackageArchive.TryDecodeUnverified(signed ?? throw new InvalidOperationException(error), out _)!;
        Assert.Empty(signed.Signatures);
        Assert.Equal("lx500-fw-2.4.1-from-2.4.0", manifest.PackageId);
        Assert.Equal("2.4.1", manifest.Version);
        Assert.Equal("2.4.0", manifest.DeltaFromVersion);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(_old.Bytes), manifest.DeltaFromSha256);
        Assert.Equal(_new.Bytes.Length, manifest.ImageSize);
        Assert.Null(ManifestChecks.DescribeProblem(manifest));

        file.Position = 0;
        var (archive, payload, length) = await PackageArchive.OpenPayloadAsync(file, TestContext.Current.CancellationToken);
        using var applied = new MemoryStream();
        await using (archive)
        await using (payload)
            await BinaryDelta.ApplyAsync(new MemoryStream(_old.Bytes, writable: false), payload, applied, TestContext.Current.CancellationToken);
        Assert.Equal(_new.Bytes, applied.ToArray());

        Assert.Equal(manifest.PayloadSize, length);
        Assert.True(length < _new.Bytes.Length / 4, $"delta {length} bytes for a {_new.Bytes.Length}-byte image");
        Assert.Matches(@"delta \d+ bytes, \d+\.\d% of the full image \(\d+ bytes\) \(saves \d+\.\d%\)", result.Out);
        Assert.Contains("unsigned", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_delta_package_verifies_its_delta_header_against_the_manifest()
    {
        var key = await _fwtool.KeygenAsync("release");
        var oldImage = _fwtool.PathOf("old.bin");
        await File.WriteAllBytesAsync(oldImage, _old.Bytes, TestContext.Current.CancellationToken);
        var newPackage = await _fwtool.PackAsync(_new.Bytes, "2.4.1");
        var deltaPackage = _fwtool.PathOf("delta.dxpkg");
        await _fwtool.RunOkAsync("delta", "--from", oldImage, "--from-version", "2.4.0", "--to", newPackage, "--out", deltaPackage, "--id", "lx500-2.4.1-delta");
        await _fwtool.RunOkAsync("sign", deltaPackage, "--key", key + ".key.pem");

        var verified = await _fwtool.RunAsync("verify", deltaPackage, "--trusted", key + ".pub.pem", "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.4.0");
        var otherBase = await _fwtool.RunAsync("verify", deltaPackage, "--trusted", key + ".pub.pem", "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.3.9");

        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("OK      delta      from 2.4.0", verified.Out, StringComparison.Ordinal);
        Assert.Contains("image      not checked", verified.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, otherBase.ExitCode);
        Assert.Contains("DeltaBaseMismatch: the delta applies to 2.4.0; the device runs 2.3.9", otherBase.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_as_the_base_needs_its_version()
    {
        var oldImage = _fwtool.PathOf("old.bin");
        await File.WriteAllBytesAsync(oldImage, _old.Bytes, TestContext.Current.CancellationToken);
        var newPackage = await _fwtool.PackAsync(_new.Bytes, "2.4.1");

        var result = await _fwtool.RunAsync("delta", "--from", oldImage, "--to", newPackage, "--out", _fwtool.PathOf("delta.dxpkg"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--from-version", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_fwtool.PathOf("delta.dxpkg")));
    }

    [Fact]
    public async Task A_delta_is_not_made_from_a_delta()
    {
        var oldPackage = await _fwtool.PackAsync(_old.Bytes, "2.4.0");
        var newPackage = await _fwtool.PackAsync(_new.Bytes, "2.4.1");
        await _fwtool.RunOkAsync("delta", "--from", oldPackage, "--to", newPackage, "--out", _fwtool.PathOf("delta.dxpkg"));

        var result = await _fwtool.RunAsync("delta", "--from", oldPackage, "--to", _fwtool.PathOf("delta.dxpkg"), "--out", _fwtool.PathOf("again.dxpkg"));

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("is itself a delta", result.Error, StringComparison.Ordinal);
    }
}
