using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>
/// <c>Updates:Installer=Command</c> with shell scripts standing in for RAUC: the install script copies the image, the
/// reboot script "boots" it (the device then reports the image's version), the mark-good script leaves a mark.
/// </summary>
public sealed class CommandInstallerTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();
    private readonly string _device;

    public CommandInstallerTests()
    {
        _device = Path.Combine(_rig.Directory.Path, "device");
        Directory.CreateDirectory(_device);
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    private string Script(string name, string body)
    {
        var path = Path.Combine(_device, name);
        File.WriteAllText(path, "#!/bin/sh\nset -e\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private void UseScripts(string installBody)
    {
        _rig.Options.Installer = UpdateInstallerKind.Command;
        _rig.Options.InstallCommand = $"{Script("install.sh", installBody)} --bundle '{UpdateOptions.ImagePlaceholder}'";
        _rig.Options.RebootCommand = Script("reboot.sh", $"cp '{_device}/installed.img' '{_device}/booted.img'");
        _rig.Options.MarkGoodCommand = Script("mark-good.sh", $"echo good > '{_device}/marked-good'");
    }

    [Fact]
    public async Task The_installer_hook_gets_the_image_the_reboot_hook_boots_it_and_mark_good_commits_it()
    {
        UseScripts($"test \"$1\" = --bundle\ncp \"$2\" '{_device}/installed.img'\necho \"installed $2\"");
        await _rig.StartAgentAsync(new BootedImageDevice(_device));
        var release = _rig.MakeRelease("2.3.0", "offer-rauc");

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-rauc");
        Assert.Equal((UpdatePhase.Succeeded, "2.3.0"), (final.Phase, final.RunningVersion));
        Assert.Equal(release.Image, await File.ReadAllBytesAsync(Path.Combine(_device, "booted.img"), TestContext.Current.CancellationToken));
        Assert.True(File.Exists(Path.Combine(_device, "marked-good")));
        Assert.False(Directory.Exists(Path.Combine(_rig.Directory.Path, SlotStore.DirectoryName)), "the command installer leaves slots to the device's installer");
    }

    [Fact]
    public async Task An_installer_that_fails_is_reported_with_its_exit_code_and_output_and_nothing_is_rebooted()
    {
        UseScripts("echo 'rauc: bundle signature verification failed' >&2\nexit 3");
        await _rig.StartAgentAsync(new BootedImageDevice(_device));

        await _rig.OfferAsync(_rig.MakeRelease("2.3.0", "offer-rauc-fails").Offer);

        var final = await _rig.FinalReportAsync("offer-rauc-fails");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.InstallFailed, UpdateRig.FactoryVersion), (final.Phase, final.Failure, final.RunningVersion));
        Assert.Contains("exited with code 3", final.Detail, StringComparison.Ordinal);
        Assert.Contains("rauc: bundle signature verification failed", final.Detail, StringComparison.Ordinal);
        // Coded as the install step that failed, the installer's words its value (and still the whole English detail).
        Assert.Equal((UpdateDetail.StageFailedCode, final.Detail), (final.DetailCode, Assert.Single(final.DetailValues)));
        Assert.False(File.Exists(Path.Combine(_device, "booted.img")));
    }

    [Fact]
    public async Task A_reboot_that_fails_leaves_the_old_version_running_and_says_so_with_the_installers_words()
    {
        UseScripts($"cp \"$2\" '{_device}/installed.img'");
        _rig.Options.RebootCommand = Script("reboot.sh", "echo 'grub: no such partition' >&2\nexit 4");
        await _rig.StartAgentAsync(new BootedImageDevice(_device));

        await _rig.OfferAsync(_rig.MakeRelease("2.3.0", "offer-no-reboot").Offer);

        var final = await _rig.FinalReportAsync("offer-no-reboot");
        Assert.Equal((UpdatePhase.RolledBack, UpdateRig.FactoryVersion, UpdateDetail.RebootRolledBackCode), (final.Phase, final.RunningVersion, final.DetailCode));
        var words = $"the reboot command ({Path.Combine(_device, "reboot.sh")}) exited with code 4: grub: no such partition";
        Assert.Equal([UpdateRig.FactoryVersion, words], final.DetailValues);
        Assert.Equal($"the reboot into the new version failed: {words}; back on {UpdateRig.FactoryVersion}", final.Detail);
    }

    [Fact]
    public async Task A_rollback_that_fails_after_the_new_version_could_not_be_kept_reports_both_installers_words_coded()
    {
        UseScripts($"cp \"$2\" '{_device}/installed.img'");
        _rig.Options.MarkGoodCommand = Script("mark-good.sh", "echo 'rauc: failed to mark slot good' >&2\nexit 5");
        _rig.Options.RollbackCommand = Script("rollback.sh", "echo 'rauc: other slot is not bootable' >&2\nexit 6");
        await _rig.StartAgentAsync(new BootedImageDevice(_device));

        await _rig.OfferAsync(_rig.MakeRelease("2.3.0", "offer-stuck", offer: o => o.HealthCheckSeconds = 2).Offer);

        var final = await _rig.FinalReportAsync("offer-stuck");
        Assert.Equal((UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, UpdateDetail.RollbackFailedCode), (final.Phase, final.Failure, final.DetailCode));
        // Going back's words, then the reason (the commit that failed) with its words: each hook's exit code and output.
        Assert.Equal(3, final.DetailValues.Count);
        var (rollback, reasonCode, commit) = (final.DetailValues[0], final.DetailValues[1], final.DetailValues[2]);
        Assert.Equal($"the rollback command ({Path.Combine(_device, "rollback.sh")}) exited with code 6: rauc: other slot is not bootable", rollback);
        Assert.Equal(UpdateDetail.CommitFailedCode, reasonCode);
        Assert.Equal($"the mark-good command ({Path.Combine(_device, "mark-good.sh")}) exited with code 5: rauc: failed to mark slot good", commit);
        Assert.Equal($"health check failed: marking the new version good failed: {commit}; going back failed too: {rollback}", final.Detail);
        // The device stays on the version it could neither keep nor leave, and says so.
        Assert.Equal("2.3.0", final.RunningVersion);
        var reason = final.ReadDetail().AsRollbackReason()!;
        Assert.Equal((UpdateDetail.CommitFailedCode, commit), (reason.Code, Assert.Single(reason.Values)));
    }

    [Theory]
    [InlineData("rauc install {image}", new[] { "rauc", "install", "{image}" })]
    [InlineData("  swupdate   -i '{image}' -e \"stable,copy 2\" ", new[] { "swupdate", "-i", "{image}", "-e", "stable,copy 2" })]
    [InlineData("", new string[0])]
    public void A_hook_command_line_is_split_into_words_with_quotes_grouping(string commandLine, string[] words) =>
        Assert.Equal(words, InstallerHook.Split(commandLine));

    /// <summary>A device at the hardware edge: it runs whatever image the "boot loader" (the reboot script) put in booted.img.</summary>
    private sealed class BootedImageDevice(string directory) : IDeviceCollector
    {
        public string Name => "booted-image";

        public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
        {
            var booted = Path.Combine(directory, "booted.img");
            var version = UpdateRig.FactoryVersion;
            if (File.Exists(booted))
            {
                await using var image = File.OpenRead(booted);
                version = (await SimulatedFirmwareImage.ReadAsync(image, cancellationToken)).Version;
            }
            return new DeviceStatus { Model = UpdateRig.Model, Serial = "SN-RAUC", FirmwareVersion = version, State = DeviceState.Idle, StateMessage = "Ready." };
        }
    }
}
