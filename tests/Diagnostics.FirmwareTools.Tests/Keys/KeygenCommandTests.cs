using System.Security.Cryptography;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Tests.Keys;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly FwtoolHarness _fwtool = new();

    public void Dispose() => _fwtool.Dispose();

    [Fact]
    public async Task Writes_a_private_key_only_its_owner_reads_and_the_public_key_and_prints_the_key_id()
    {
        var result = await _fwtool.RunOkAsync("keygen", "--out", _fwtool.PathOf("release-2026"));

        var privatePem = await File.ReadAllTextAsync(_fwtool.PathOf("release-2026.key.pem"), TestContext.Current.CancellationToken);
        var publicPem = await File.ReadAllTextAsync(_fwtool.PathOf("release-2026.pub.pem"), TestContext.Current.CancellationToken);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privatePem, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", publicPem, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromPem(privatePem);
        using var trusted = TrustedKey.TryFromPem(publicPem, out var error);
        Assert.NotNull(trusted);
        Assert.Equal(ManifestSigning.KeyId(key), trusted.KeyId);
        Assert.Contains($"key id: {trusted.KeyId}", result.Out, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_fwtool.PathOf("release-2026.key.pem")));
    }

    [Fact]
    public async Task Makes_the_folder_the_keys_go_in_readable_by_its_owner_only()
    {
        var result = await _fwtool.RunOkAsync("keygen", "--out", _fwtool.PathOf(Path.Combine("keys", "nested", "release")));

        Assert.True(File.Exists(_fwtool.PathOf(Path.Combine("keys", "nested", "release.key.pem"))));
        Assert.True(File.Exists(_fwtool.PathOf(Path.Combine("keys", "nested", "release.pub.pem"))));
        Assert.Contains("key id: ", result.Out, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_fwtool.PathOf(Path.Combine("keys", "nested"))));
    }

    [Fact]
    public async Task Refuses_to_overwrite_a_key()
    {
        await _fwtool.RunOkAsync("keygen", "--out", _fwtool.PathOf("release"));
        var before = await File.ReadAllTextAsync(_fwtool.PathOf("release.key.pem"), TestContext.Current.CancellationToken);

        var again = await _fwtool.RunAsync("keygen", "--out", _fwtool.PathOf("release"));

        Assert.Equal(ExitCodes.Refused, again.ExitCode);
        Assert.Contains("never overwrites", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(_fwtool.PathOf("release.key.pem"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Refuses_when_only_the_public_half_exists_and_writes_nothing()
    {
        await File.WriteAllTextAsync(_fwtool.PathOf("release.pub.pem"), "kept", TestContext.Current.CancellationToken);

        var result = await _fwtool.RunAsync("keygen", "--out", _fwtool.PathOf("release"));

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.False(File.Exists(_fwtool.PathOf("release.key.pem")));
        Assert.Equal("kept", await File.ReadAllTextAsync(_fwtool.PathOf("release.pub.pem"), TestContext.Current.CancellationToken));
    }
}
