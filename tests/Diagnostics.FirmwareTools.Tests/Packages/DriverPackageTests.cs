using System.Text;
using System.Text.Json;
using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Tests.Packages;

/// <summary><c>fwtool pack --kind driver</c>: the host platforms, and verify's host check.</summary>
public sealed class DriverPackageTests : IDisposable
{
    private static readonly byte[] Ppd = Encoding.ASCII.GetBytes("*PPD-Adobe: \"4.3\"\n*FileVersion: \"2.0\"\n*NickName: \"Acme LaserPro 500 Driver 2.0\"\n");
    private readonly FwtoolHarness _fwtool = new();

    public void Dispose() => _fwtool.Dispose();

    private async Task<FwtoolResult> PackAsync(params string[] platforms)
    {
        var payload = _fwtool.PathOf("driver.ppd");
        await File.WriteAllBytesAsync(payload, Ppd, TestContext.Current.CancellationToken);
        return await _fwtool.RunAsync([
            "pack", "--payload", payload, "--id", "acme-lp500-ppd-2.0", "--kind", "driver", "--version", "2.0", "--model", "Acme LaserPro 500",
            "--out", _fwtool.PathOf("driver.dxpkg"), .. platforms.SelectMany(p => new[] { "--platform", p })]);
    }

    [Fact]
    public async Task A_driver_package_names_its_host_platforms_and_inspect_shows_them()
    {
        var packed = await PackAsync("linux:cups-ppd", "macos/x64,arm64:cups-ppd");

        Assert.True(packed.ExitCode == 0, packed.ToString());
        Assert.Contains("packed acme-lp500-ppd-2.0: driver 2.0 for Acme LaserPro 500 on linux (CUPS PPD); macos/x64,arm64 (CUPS PPD)", packed.Out, StringComparison.Ordinal);
        var inspect = await _fwtool.RunOkAsync("inspect", _fwtool.PathOf("driver.dxpkg"), "--json");
        using var json = JsonDocument.Parse(inspect.Out);
        Assert.Equal(["linux:cups-ppd", "macos/x64,arm64:cups-ppd"], json.RootElement.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("driver", json.RootElement.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData(new string[0], "refused: a driver package must name its host platforms (os[/arch]:format, for example linux:cups-ppd)")]
    [InlineData(new[] { "linux:cups-ppd", "windows:windows-inf" }, "refused: a driver package carries one payload, so one driver form; it names CUPS PPD, Windows INF")]
    public async Task A_driver_package_without_platforms_or_with_two_forms_is_refused(string[] platforms, string message)
    {
        var result = await PackAsync(platforms);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains(message, result.Error + result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_platform_that_does_not_read_is_a_usage_error_saying_why()
    {
        var result = await PackAsync("linux/sparc:cups-ppd");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--platform linux/sparc:cups-ppd: architecture \"sparc\" is not one of x64, arm64, x86, arm.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_checks_a_driver_package_as_a_host_of_the_given_platform_would()
    {
        var key = await _fwtool.KeygenAsync("release");
        Assert.Equal(0, (await PackAsync("linux:cups-ppd")).ExitCode);
        await _fwtool.RunOkAsync("sign", _fwtool.PathOf("driver.dxpkg"), "--key", key + ".key.pem");

        var linux = await _fwtool.RunAsync("verify", _fwtool.PathOf("driver.dxpkg"), "--trusted", key + ".pub.pem", "--model", "Acme LaserPro 500", "--running-version", "1.0", "--host", "linux/arm64");
        var windows = await _fwtool.RunAsync("verify", _fwtool.PathOf("driver.dxpkg"), "--trusted", key + ".pub.pem", "--model", "Acme LaserPro 500", "--running-version", "1.0", "--host", "windows/x64");

        Assert.True(linux.ExitCode == 0, linux.ToString());
        Assert.Contains("OK      host       a host (linux/arm64 printing to Acme LaserPro 500 with driver 1.0) would install it as linux (CUPS PPD)", linux.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, windows.ExitCode);
        Assert.Contains("FAILED  host       WrongPlatform: the package is for linux (CUPS PPD); this host is windows/x64 and installs Windows INF", windows.Out, StringComparison.Ordinal);
    }
}
