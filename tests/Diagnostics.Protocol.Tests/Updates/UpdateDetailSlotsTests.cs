using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

/// <summary>
/// The slot installer's answers and the pipeline's rare details on the wire: code and values beside the English words
/// agents sent before the codes, nested answers that come back out whole, and a hook's words left as they were.
/// </summary>
public sealed class UpdateDetailSlotsTests
{
    private const string AlteredWords = "slot a's image is 4096 bytes with SHA-256 00ff; slot.json says 4097 bytes, 11ee";

    private static UpdateDetail RoundTrip(UpdateDetail detail)
    {
        var report = new UpdateReport { OfferId = "o-1", Phase = UpdatePhase.Failed, Failure = UpdateFailure.InstallFailed };
        report.WriteDetail(detail);
        return WireCodec.Decode<UpdateReport>(WireCodec.Encode(report)).Value!.ReadDetail();
    }

    private static UpdateDetail Altered() => UpdateDetail.SlotImageAltered("a", 4096, "00ff", 4097, "11ee", "slot.json");

    [Fact]
    public void Each_slot_answer_keeps_the_words_agents_sent_before_the_codes()
    {
        Assert.Equal("slot b holds no complete image (slot.json is missing)", RoundTrip(UpdateDetail.SlotIncomplete("b", "slot.json")).Text);
        Assert.Equal("slot b has no image.bin", RoundTrip(UpdateDetail.SlotNoImage("b", "image.bin")).Text);
        Assert.Equal(AlteredWords, RoundTrip(Altered()).Text);
        Assert.Equal(["a", "4096", "00ff", "4097", "11ee"], RoundTrip(Altered()).Values);
        Assert.Equal("no slot is set to boot", RoundTrip(UpdateDetail.SlotNoneSet()).Text);
        Assert.Equal("the device cannot boot slot a: bad header", RoundTrip(UpdateDetail.SlotBootRefused("a", "bad header")).Text);
        Assert.Equal("there is no good slot to go back to: no previous slot", RoundTrip(UpdateDetail.SlotNoGoodSlot(UpdateDetail.SlotNoPrevious())).Text);
    }

    [Fact]
    public void Neither_slot_booting_carries_both_problems_which_come_back_out_in_order()
    {
        var read = RoundTrip(UpdateDetail.SlotNeitherBoots(Altered(), UpdateDetail.SlotIncomplete("b", "slot.json")));

        Assert.Equal($"neither slot can boot: {AlteredWords}; slot b holds no complete image (slot.json is missing)", read.Text);
        Assert.Equal(["5", UpdateDetail.SlotImageAlteredCode, "a", "4096", "00ff", "4097", "11ee", "1", UpdateDetail.SlotIncompleteCode, "b"], read.Values);
        var (first, other) = read.AsSlotProblems()!.Value;
        Assert.Equal((UpdateDetail.SlotImageAlteredCode, 5), (first.Code, first.Values.Count));
        Assert.Equal(UpdateDetail.SlotIncompleteCode, other.Code);
        Assert.Equal(["b"], other.Values);
        // Values cut short (a broken sender) give no problems rather than wrong ones.
        Assert.Null(new UpdateDetail(UpdateDetail.SlotNeitherBootsCode, ["5", UpdateDetail.SlotImageAlteredCode, "a"], "").AsSlotProblems());
    }

    [Fact]
    public void An_installer_step_keeps_a_hooks_words_as_its_only_value_and_puts_a_slot_answer_after_its_words()
    {
        var hook = RoundTrip(UpdateDetail.StageFailed(UpdateDetail.Words("the install command (rauc) exited with code 1: no space")));
        Assert.Equal(["the install command (rauc) exited with code 1: no space"], hook.Values);
        Assert.Null(hook.AsInstallerAnswer());

        var slot = RoundTrip(UpdateDetail.ActivateFailed(UpdateDetail.SlotNotHolding("b", "2.3.0")));
        Assert.Equal(("slot b does not hold 2.3.0", UpdateDetail.ActivateFailedCode), (slot.Text, slot.Code));
        Assert.Equal(["slot b does not hold 2.3.0", UpdateDetail.SlotNotHoldingCode, "b", "2.3.0"], slot.Values);
        Assert.Equal(UpdateDetail.SlotNotHoldingCode, slot.AsInstallerAnswer()!.Code);

        // A reboot that failed on the slots, reported after going back: the old version first, then the same words and answer.
        var neither = UpdateDetail.SlotNeitherBoots(Altered(), UpdateDetail.SlotIncomplete("b", "slot.json"));
        var back = RoundTrip(UpdateDetail.AfterRebootFailed(UpdateDetail.RebootFailed(neither), "2.1.0", null));
        Assert.Equal($"the reboot into the new version failed: {neither.Text}; back on 2.1.0", back.Text);
        Assert.Equal(["2.1.0", neither.Text, UpdateDetail.SlotNeitherBootsCode, .. neither.Values], back.Values);
        Assert.NotNull(back.AsInstallerAnswer()!.AsSlotProblems());
    }

    [Fact]
    public void A_rollback_the_slots_refused_gets_its_own_code_and_one_a_hook_refused_stays_RollbackFailed()
    {
        var reason = UpdateDetail.CommitFailed("the mark-good command (fw_setenv) exited with code 5: busy");

        var hook = UpdateDetail.RollbackFailed(reason, UpdateDetail.Words("the rollback command (rauc) exited with code 6: locked"));
        Assert.Equal(UpdateDetail.RollbackFailedCode, hook.Code);
        var words = UpdateDetail.RollbackFailed(reason, "the rollback command (rauc) exited with code 6: locked");
        Assert.Equal(words.Text, hook.Text);
        Assert.Equal(words.Values, hook.Values);

        var slots = RoundTrip(UpdateDetail.RollbackFailed(reason, UpdateDetail.SlotNoGoodSlot(UpdateDetail.SlotNoPrevious())));
        Assert.Equal(UpdateDetail.RollbackFailedCodedCode, slots.Code);
        Assert.Equal($"health check failed: marking the new version good failed: the mark-good command (fw_setenv) exited with code 5: busy; going back failed too: there is no good slot to go back to: no previous slot", slots.Text);
        Assert.Equal(["there is no good slot to go back to: no previous slot", "1", UpdateDetail.SlotNoGoodSlotCode, UpdateDetail.SlotNoPreviousCode,
            UpdateDetail.CommitFailedCode, "the mark-good command (fw_setenv) exited with code 5: busy"], slots.Values);
        Assert.Equal(UpdateDetail.SlotNoPreviousCode, slots.AsInstallerAnswer()!.AsNoGoodSlotProblem()!.Code);
        Assert.Equal(UpdateDetail.CommitFailedCode, slots.AsCodedRollbackReason()!.Code);
        // The older code's reader does not mistake the new form for its own.
        Assert.Null(slots.AsRollbackReason());
    }

    [Fact]
    public void The_journals_offer_refused_nests_the_checks_code_and_the_fallback_stop_is_coded()
    {
        var rule = new UpdateDetail(UpdateDetail.ManifestRuleCode, [ManifestProblem.NoModel], "the manifest names no model");
        var refused = RoundTrip(UpdateDetail.JournalOfferRefused(rule));
        Assert.Equal(("the journal's copy of the offer no longer passes: the manifest names no model", UpdateDetail.JournalOfferRefusedCode), (refused.Text, refused.Code));
        Assert.Equal([UpdateDetail.ManifestRuleCode, ManifestProblem.NoModel], refused.Values);
        // A check without a code stays words, as agents sent them before.
        var words = UpdateDetail.JournalOfferRefused(UpdateDetail.Words("signature does not verify"));
        Assert.Equal(("", "the journal's copy of the offer no longer passes: signature does not verify"), (words.Code, words.Text));
        Assert.Empty(words.Values);
        Assert.Equal("the journal's copy of the offer no longer passes: it cannot be read", RoundTrip(UpdateDetail.JournalOfferUnreadable()).Text);
        Assert.Equal((UpdateDetail.StoppedCode, "stopped"), (RoundTrip(UpdateDetail.Stopped()).Code, RoundTrip(UpdateDetail.Stopped()).Text));
    }
}
