using System.IO.Compression;
using System.Text.Json;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;

namespace Diagnostics.FirmwareTools.Tests.Packages;

public sealed class SignAndVerifyTests : IDisposable
{
    private static readonly byte[] Image = FirmwareImages.Create(256 * 1024, seed: 3).Bytes;
    private readonly FwtoolHarness _fwtool = new();

    public void Dispose() => _fwtool.Dispose();

    private async Task<(string Package, string Key)> SignedPackageAsync(string version = "2.4.1", params string[] packOptions)
    {
        var key = await _fwtool.KeygenAsync("release");
        var package = await _fwtool.PackAsync(Image, version, packOptions);
        await _fwtool.RunOkAsync("sign", package, "--key", key + ".key.pem");
        return (package, key);
    }

    [Fact]
    public async Task Keygen_pack_sign_verify_passes_every_check_including_the_device_check()
    {
        var (package, key) = await SignedPackageAsync();

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem",
            "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.4.0");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var check in new[] { "signature", "manifest", "expiry", "payload", "image", "device" })
            Assert.Contains($"OK      {check}", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_changed_inside_the_package_fails_with_both_hashes()
    {
        var (package, key) = await SignedPackageAsync();
        var tampered = Image.ToArray();
        tampered[4096] ^= 0x01;
        ReplacePayload(package, tampered);

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("OK      signature", result.Out, StringComparison.Ordinal);
        Assert.Contains("FAILED  payload    PayloadHashMismatch: the payload's SHA-256 is "
            + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tampered))
            + "; the manifest says " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Image)), result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_signed_by_an_untrusted_key_fails_naming_both_keys()
    {
        var (package, key) = await SignedPackageAsync();
        var stranger = await _fwtool.KeygenAsync("stranger");

        var result = await _fwtool.RunAsync("verify", package, "--trusted", stranger + ".pub.pem");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains($"FAILED  signature  UntrustedKey: signed only by key(s) {await KeyIdAsync(key)}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"trusted: {await KeyIdAsync(stranger)}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_package_fails_verification()
    {
        var key = await _fwtool.KeygenAsync("release");
        var package = await _fwtool.PackAsync(Image, "2.4.1");

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("FAILED  signature  SignatureInvalid: the manifest is not signed", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_package_fails_with_its_expiry_date()
    {
        var (package, key) = await SignedPackageAsync("2.4.1", "--expires", "2026-12-31");

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem", "--now", "2027-01-15",
            "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.4.0");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("FAILED  expiry     Expired: the package expired at 2026-12-31 00:00:00Z; checked at 2027-01-15 00:00:00Z", result.Out, StringComparison.Ordinal);
        Assert.Contains("device     not checked", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_older_than_what_the_device_runs_fails_as_a_downgrade()
    {
        var (package, key) = await SignedPackageAsync();

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem", "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.5.0");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("FAILED  device     Downgrade: 2.4.1 is older than the running 2.5.0, and the package is not a signed rollback release", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rollback_release_may_replace_a_newer_version()
    {
        var (package, key) = await SignedPackageAsync("2.4.1", "--rollback");

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem", "--model", "LX-500", "--hardware-revision", "B", "--running-version", "2.5.0");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task A_package_for_another_model_fails_naming_both_models()
    {
        var (package, key) = await SignedPackageAsync();

        var result = await _fwtool.RunAsync("verify", package, "--trusted", key + ".pub.pem", "--model", "LX-900", "--running-version", "2.4.0");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("FAILED  device     WrongModel: the package is for LX-500; this device is a LX-900", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_signature_lets_devices_trusting_either_key_verify_it()
    {
        var (package, oldKey) = await SignedPackageAsync();
        var newKey = await _fwtool.KeygenAsync("release-2027");

        var signed = await _fwtool.RunOkAsync("sign", package, "--key", newKey + ".key.pem");

        Assert.Contains($"signatures: {await KeyIdAsync(oldKey)}, {await KeyIdAsync(newKey)}", signed.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await _fwtool.RunAsync("verify", package, "--trusted", oldKey + ".pub.pem")).ExitCode);
        Assert.Equal(0, (await _fwtool.RunAsync("verify", package, "--trusted", newKey + ".pub.pem")).ExitCode);
        var both = await _fwtool.RunAsync("verify", package, "--trusted", newKey + ".pub.pem", "--trusted", oldKey + ".pub.pem");
        Assert.Equal(0, both.ExitCode);
    }

    [Fact]
    public async Task Signing_rewrites_the_package_in_place_and_keeps_the_payload()
    {
        var (package, _) = await SignedPackageAsync();

        await using var file = File.OpenRead(package);
        var (archive, payload, _) = await PackageArchive.OpenPayloadAsync(file, TestContext.Current.CancellationToken);
        await using (archive)
        await using (payload)
        {
            using var copy = new MemoryStream();
            await payload.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.Equal(Image, copy.ToArray());
        }
        Assert.Single(Directory.EnumerateFiles(_fwtool.Directory, "*.dxpkg"));
        Assert.Empty(Directory.EnumerateFiles(_fwtool.Directory, "*.tmp"));
    }

    [Fact]
    public async Task Signing_with_a_public_key_is_refused()
    {
        var key = await _fwtool.KeygenAsync("release");
        var package = await _fwtool.PackAsync(Image, "2.4.1");

        var result = await _fwtool.RunAsync("sign", package, "--key", key + ".pub.pem");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("is not a private signing key", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2.x", "version \"2.x\" is not dotted numbers such as 2.4.1")]
    [InlineData("2.4.1-beta", "version \"2.4.1-beta\" is not dotted numbers")]
    [InlineData("1.2.3.4.5", "version \"1.2.3.4.5\" is not dotted numbers")]
    public async Task Pack_refuses_a_version_devices_could_not_order(string version, string reason)
    {
        await File.WriteAllBytesAsync(_fwtool.PathOf("image.bin"), Image, TestContext.Current.CancellationToken);

        var result = await _fwtool.RunAsync("pack", "--payload", _fwtool.PathOf("image.bin"), "--id", "lx500-fw", "--kind", "firmware",
            "--version", version, "--model", "LX-500", "--out", _fwtool.PathOf("out.dxpkg"));

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_fwtool.PathOf("out.dxpkg")));
    }

    [Fact]
    public async Task Pack_reports_a_missing_payload_as_an_io_error()
    {
        var result = await _fwtool.RunAsync("pack", "--payload", _fwtool.PathOf("missing.bin"), "--id", "lx500-fw", "--kind", "firmware",
            "--version", "2.4.1", "--model", "LX-500", "--out", _fwtool.PathOf("out.dxpkg"));

        Assert.Equal(ExitCodes.IoOrNetwork, result.ExitCode);
        Assert.Contains("missing.bin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_shows_every_manifest_field_and_the_signatures()
    {
        await File.WriteAllTextAsync(_fwtool.PathOf("notes.txt"), "Fixes paper jams in tray 2.", TestContext.Current.CancellationToken);
        var (package, key) = await SignedPackageAsync("2.4.1", "--model", "LX-510", "--min-from-version", "2.0", "--expires-in", "90d", "--notes", "@" + _fwtool.PathOf("notes.txt"));

        var json = await _fwtool.RunOkAsync("inspect", package, "--json");
        var text = await _fwtool.RunOkAsync("inspect", package);

        using var document = JsonDocument.Parse(json.Out);
        var root = document.RootElement;
        Assert.Equal("lx500-fw-2.4.1", root.GetProperty("packageId").GetString());
        Assert.Equal("firmware", root.GetProperty("kind").GetString());
        Assert.Equal("2.4.1", root.GetProperty("version").GetString());
        Assert.Equal(["LX-500", "LX-510"], root.GetProperty("models").EnumerateArray().Select(model => model.GetString()));
        Assert.Equal(["B"], root.GetProperty("hardwareRevisions").EnumerateArray().Select(revision => revision.GetString()));
        Assert.Equal("2.0", root.GetProperty("minimumFromVersion").GetString());
        Assert.Equal(Image.Length, root.GetProperty("imageSize").GetInt64());
        Assert.Equal(Image.Length, root.GetProperty("payloadEntrySize").GetInt64());
        Assert.False(root.GetProperty("isDelta").GetBoolean());
        Assert.Equal(FwtoolHarness.Today, root.GetProperty("created").GetDateTimeOffset());
        Assert.Equal(FwtoolHarness.Today.AddDays(90), root.GetProperty("expires").GetDateTimeOffset());
        Assert.Equal("Fixes paper jams in tray 2.", root.GetProperty("releaseNotes").GetString());
        Assert.Equal(await KeyIdAsync(key), root.GetProperty("signatures")[0].GetProperty("keyId").GetString());
        Assert.Contains($"key {await KeyIdAsync(key)} (EcdsaP256Sha256)", text.Out, StringComparison.Ordinal);
        Assert.Contains("updates from   2.0", text.Out, StringComparison.Ordinal);
        Assert.Contains("delta          no", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Something_that_is_not_a_package_is_refused_by_every_package_command()
    {
        var key = await _fwtool.KeygenAsync("release");
        await File.WriteAllBytesAsync(_fwtool.PathOf("image.bin"), Image, TestContext.Current.CancellationToken);

        foreach (var args in new[]
        {
            new[] { "inspect", _fwtool.PathOf("image.bin") },
            ["verify", _fwtool.PathOf("image.bin"), "--trusted", key + ".pub.pem"],
            ["sign", _fwtool.PathOf("image.bin"), "--key", key + ".key.pem"],
        })
        {
            var result = await _fwtool.RunAsync(args);
            Assert.Equal(ExitCodes.Refused, result.ExitCode);
            Assert.Contains("is not a package", result.Error, StringComparison.Ordinal);
        }
    }

    private static async Task<string> KeyIdAsync(string key)
    {
        using var trusted = TrustedKey.TryFromPem(await File.ReadAllTextAsync(key + ".pub.pem", TestContext.Current.CancellationToken), out _)!;
        return trusted.KeyId;
    }

    /// <summary>Swaps payload.bin as an attacker would: a well-formed zip (right CRC) with other bytes.</summary>
    private static void ReplacePayload(string package, byte[] payload)
    {
        using var zip = ZipFile.Open(package, ZipArchiveMode.Update);
        zip.GetEntry(PackageArchive.PayloadEntry)!.Delete();
        using var stream = zip.CreateEntry(PackageArchive.PayloadEntry, CompressionLevel.NoCompression).Open();
        stream.Write(payload);
    }
}
