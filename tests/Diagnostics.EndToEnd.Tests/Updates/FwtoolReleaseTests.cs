using System.Diagnostics;
using System.Text;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Updates;

/// <summary>
/// A release engineer's whole path with the real tools: fwtool makes a key, packs, signs and verifies a firmware
/// image, publishes it to a real cloud process and starts a rollout, whose status it watches until the cloud's demo
/// printers (real agents pinning that key) run the new version.
/// </summary>
public sealed class FwtoolReleaseTests
{
    private const string Model = "Acme LaserPro 400";

    [Fact(Timeout = 300_000)]
    public async Task Fwtool_keys_packs_signs_publishes_and_rolls_out_a_release_that_the_demo_printers_install()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("dx-fwtool-e2e-").FullName;
        var key = Path.Combine(work, "release");
        Assert.Equal(0, (await FwtoolAsync(ct, "keygen", "--out", key)).ExitCode);

        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments:
        [
            $"--Updates:TrustedKeys:0={key}.pub.pem", "--Demo:Devices=2", "--Demo:PairedWithDemoCustomer=0", "--Demo:UpdateHealthCheckStableFor=00:00:02",
            "--Updates:HealthObservation=00:00:02", "--Updates:CheckInterval=00:00:00.500",
        ]);
        await Eventually.TrueAsync(async () => await cloud.OnlineDevicesAsync(ct) == 2, "the demo printers are online", TimeSpan.FromSeconds(60));

        // A simulated printer's image: its header names the version it boots into.
        var image = Path.Combine(work, "lp400-2.3.0.img");
        var filler = new byte[256 * 1024];
        new Random(3).NextBytes(filler);
        await File.WriteAllBytesAsync(image, [.. Encoding.UTF8.GetBytes($"DXSIMFW1\n{{\"version\":\"2.3.0\",\"model\":\"{Model}\",\"faults\":[]}}\n"), .. filler], ct);
        var package = Path.Combine(work, "lp400-2.3.0.dxpkg");
        var packed = await FwtoolAsync(ct, "pack", "--payload", image, "--id", "e2e-lp400-fw-2.3.0", "--kind", "firmware", "--version", "2.3.0",
            "--model", Model, "--expires-in", "30d", "--notes", "End-to-end release", "--out", package);
        Assert.True(packed.ExitCode == 0, packed.Output);
        Assert.Equal(0, (await FwtoolAsync(ct, "sign", package, "--key", $"{key}.key.pem")).ExitCode);
        var verified = await FwtoolAsync(ct, "verify", package, "--trusted", $"{key}.pub.pem", "--model", Model, "--running-version", "2.1.0");
        Assert.True(verified.ExitCode == 0, verified.Output);

        string[] cloudArguments = ["--cloud", cloud.BaseAddress.ToString(), "--email", CloudProcess.SupervisorEmail];
        var published = await FwtoolAsync(ct, ["publish", package, .. cloudArguments]);
        Assert.True(published.ExitCode == 0, published.Output);
        var again = await FwtoolAsync(ct, ["publish", package, .. cloudArguments]);
        Assert.True(again.ExitCode == 0, again.Output);

        var created = await FwtoolAsync(ct, ["rollout", "create", .. cloudArguments, "--package", "e2e-lp400-fw-2.3.0", "--waves", "50,100",
            "--wave-window", "2s", "--failure-threshold", "50", "--health-check", "60s"]);
        Assert.True(created.ExitCode == 0, created.Output);
        var rolloutId = System.Text.RegularExpressions.Regex.Match(created.Output, @"ro-\d{8}-[0-9a-f]{8}").Value;
        Assert.False(string.IsNullOrEmpty(rolloutId), created.Output);

        var watched = await FwtoolAsync(ct, ["rollout", "status", rolloutId, .. cloudArguments, "--watch"]);
        Assert.True(watched.ExitCode == 0, watched.Output);
        Assert.Contains("completed", watched.Output, StringComparison.Ordinal);
        var paused = await FwtoolAsync(ct, ["rollout", "pause", rolloutId, .. cloudArguments]);
        Assert.True(paused.ExitCode == 1, paused.Output);
    }

    /// <summary>Runs the built fwtool as a release engineer would (the password in DX_PASSWORD); its exit code and everything it printed.</summary>
    internal static async Task<(int ExitCode, string Output)> FwtoolAsync(CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryLayout.FwtoolDll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DX_PASSWORD"] = CloudProcess.DemoPassword;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, $"$ fwtool {string.Join(' ', arguments)}\n{await output}{await error}");
    }
}
