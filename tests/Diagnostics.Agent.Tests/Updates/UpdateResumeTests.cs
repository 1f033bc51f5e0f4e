using Diagnostics.Agent.Updates;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>An agent stopped in the middle of an update and started again on the same data directory.</summary>
public sealed class UpdateResumeTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_download_cut_by_an_agent_stop_resumes_from_the_partial_file_with_a_range_request()
    {
        const int Half = 128 * 1024;
        var release = _rig.MakeRelease("2.3.0", "offer-resume", imageBytes: 2 * Half);
        _rig.Server.HoldFrom = Half;
        await _rig.StartAgentAsync();
        await _rig.OfferAsync(release.Offer);
        await Eventually.TrueAsync(() => _rig.Server.Requests.Any(r => r.From == Half), "the download reached the middle");

        await _rig.StopAgentAsync();

        var part = Assert.Single(Directory.GetFiles(Path.Combine(_rig.Directory.Path, UpdateInstaller.DirectoryName), "*.part"));
        Assert.Equal(Half, new FileInfo(part).Length);
        Assert.Equal(UpdateStage.Downloading, _rig.Runtime!.Updates.Journal.Current?.Stage);
        var requestsBefore = _rig.Server.Requests.Count;
        var sentBefore = _rig.Server.BytesSent;
        _rig.Server.Release();

        await _rig.StartAgentAsync();

        var final = await _rig.FinalReportAsync("offer-resume");
        Assert.Equal((UpdatePhase.Succeeded, "2.3.0"), (final.Phase, final.RunningVersion));
        var afterRestart = _rig.Server.Requests.Skip(requestsBefore).ToList();
        Assert.Equal($"bytes={Half}-{Half + _rig.Options.DownloadChunkBytes - 1}", afterRestart[0].Range);
        Assert.DoesNotContain(afterRestart, r => r.From < Half);
        // The held request may have been answered to nobody when the server was released; the rest is the second half once.
        Assert.InRange(_rig.Server.BytesSent - sentBefore, Half, Half + _rig.Options.DownloadChunkBytes);
    }

    [Fact]
    public async Task An_agent_stopped_after_writing_the_slot_and_before_switching_still_runs_the_old_version_then_finishes_the_install()
    {
        var release = _rig.MakeRelease("2.3.0", "offer-crash");
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _rig.StartAgentAsync(checkpoint: async (point, token) =>
        {
            if (point != "staged")
                return;
            crashed.TrySetResult();
            await _rig.CrashHereAsync(token);
        });
        await _rig.OfferAsync(release.Offer);
        await crashed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await _rig.StopAgentAsync();

        // The new image is complete in slot b, but the pointer never moved: the next boot takes slot a.
        Assert.Equal("2.3.0", _rig.Slots.ReadInfo(SlotStore.SlotB)?.Version);
        Assert.Equal((SlotStore.SlotA, false), (_rig.Slots.ReadPointer()!.Active, _rig.Slots.ReadPointer()!.Trial));
        Assert.DoesNotContain(_rig.Reports("offer-crash"), r => r.Phase is UpdatePhase.Rebooting or UpdatePhase.Succeeded);

        string? versionAtRestart = null;
        await _rig.StartAgentAsync(checkpoint: (point, _) =>
        {
            if (point == "resuming")
                versionAtRestart = _rig.Printer!.FirmwareVersion;
            return Task.CompletedTask;
        });

        var final = await _rig.FinalReportAsync("offer-crash");
        Assert.Equal(UpdateRig.FactoryVersion, versionAtRestart);
        Assert.Equal((UpdatePhase.Succeeded, "2.3.0"), (final.Phase, final.RunningVersion));
        Assert.Equal("2.3.0", _rig.Printer!.FirmwareVersion);
    }

    [Theory]
    [InlineData(false, UpdatePhase.Succeeded, "2.3.0")]
    [InlineData(true, UpdatePhase.RolledBack, UpdateRig.FactoryVersion)]
    public async Task An_agent_stopped_during_the_trial_boot_checks_the_new_version_at_the_next_start_and_commits_or_rolls_back(
        bool broken, UpdatePhase outcome, string runningAfter)
    {
        var release = _rig.MakeRelease("2.3.0", "offer-trial", faults: broken ? [Diagnostics.Agent.Collectors.Simulated.SimulatedFirmwareImage.EngineError] : []);
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _rig.StartAgentAsync(checkpoint: async (point, token) =>
        {
            if (point != "rebooted")
                return;
            crashed.TrySetResult();
            await _rig.CrashHereAsync(token);
        });
        await _rig.OfferAsync(release.Offer);
        await crashed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await _rig.StopAgentAsync();
        Assert.Equal((SlotStore.SlotB, true), (_rig.Slots.ReadPointer()!.Active, _rig.Slots.ReadPointer()!.Trial));

        await _rig.StartAgentAsync();

        var final = await _rig.FinalReportAsync("offer-trial");
        Assert.Equal((outcome, runningAfter), (final.Phase, final.RunningVersion));
        Assert.Equal(broken ? UpdateDetail.RolledBackCode : UpdateDetail.HealthyCode, final.DetailCode);
        Assert.Equal(runningAfter, _rig.Printer!.FirmwareVersion);
        Assert.False(_rig.Slots.ReadPointer()!.Trial);
        // The start was the reboot: the trial slot was booted once, not rebooted into again.
        Assert.Equal(broken ? 2 : 1, _rig.Printer.Boots);
    }

    [Fact]
    public async Task A_rollback_reason_kept_in_the_journal_comes_back_with_its_code_after_a_restart()
    {
        var directory = Path.Combine(_rig.Directory.Path, "journal-only");
        var cause = UpdateDetail.HealthNewError("2.3.0", "acme:10.1", "HARDWARE_FAULT", "10.1 Engine controller error");
        var entry = new UpdateJournalEntry("offer-kept", "pkg", "2.3.0", UpdateStage.RollingBack, null, null, "2.1.0", [], 0, 0,
            "health check failed: " + cause.Text, cause);
        using (var journal = UpdateJournal.Open(directory, out var problem))
        {
            Assert.Null(problem);
            await journal.SaveAsync(entry, TestContext.Current.CancellationToken);
        }

        using var reopened = UpdateJournal.Open(directory, out var reopenProblem);

        Assert.Null(reopenProblem);
        var kept = reopened.Find("offer-kept")!.RollbackCause!;
        Assert.Equal((cause.Code, cause.Text), (kept.Code, kept.Text));
        Assert.Equal(cause.Values, kept.Values);
    }

    [Fact]
    public async Task A_slot_that_does_not_check_out_is_never_booted()
    {
        await _rig.StartAgentAsync();
        await _rig.OfferAsync(_rig.MakeRelease("2.3.0", "offer-then-corrupt").Offer);
        await _rig.FinalReportAsync("offer-then-corrupt");
        await _rig.StopAgentAsync();
        // A flipped bit in the active slot (a bad flash cell): the device must boot the other slot, not this one.
        var image = await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotB), TestContext.Current.CancellationToken);
        image[^1] ^= 0x01;
        await File.WriteAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotB), image, TestContext.Current.CancellationToken);

        await _rig.StartAgentAsync();

        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
        Assert.Equal(SlotStore.SlotA, _rig.Slots.ReadPointer()!.Active);
    }
}
