using System.Globalization;
using System.Security.Cryptography;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>
/// A whole agent on a simulated printer installing into its own A/B slots (<see cref="UpdateRig"/>: real MQTT broker,
/// real HTTP server, real slot files) when the slots let it down: the slot installer's answer travels as a code and
/// values nested in the step's detail, after the English words agents have always sent.
/// </summary>
public sealed class SlotDetailsTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_staged_slot_that_lost_its_description_before_the_switch_fails_activation_with_the_slot_and_version_coded()
    {
        await _rig.StartAgentAsync(checkpoint: (point, _) =>
        {
            // Between writing slot b and switching to it: its description goes (a person, a bad flash cell).
            if (point == "staged")
                File.Delete(Path.Combine(_rig.Slots.Root, SlotStore.SlotB, SlotStore.InfoFileName));
            return Task.CompletedTask;
        });

        await _rig.OfferAsync(_rig.MakeRelease("2.3.0", "offer-lost-info").Offer);

        var final = await _rig.FinalReportAsync("offer-lost-info");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.InstallFailed, UpdateDetail.ActivateFailedCode), (final.Phase, final.Failure, final.DetailCode));
        Assert.Equal("slot b does not hold 2.3.0", final.Detail);
        Assert.Equal(["slot b does not hold 2.3.0", UpdateDetail.SlotNotHoldingCode, "b", "2.3.0"], final.DetailValues);
        var answer = final.ReadDetail().AsInstallerAnswer()!;
        Assert.Equal(UpdateDetail.SlotNotHoldingCode, answer.Code);
        Assert.Equal(["b", "2.3.0"], answer.Values);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
        Assert.Equal((SlotStore.SlotA, false), (_rig.Slots.ReadPointer()!.Active, _rig.Slots.ReadPointer()!.Trial));
    }

    [Fact]
    public async Task A_rollback_to_a_slot_that_no_longer_checks_out_fails_with_the_slot_problem_and_the_health_reason_both_coded()
    {
        await _rig.StartAgentAsync(checkpoint: async (point, token) =>
        {
            // The new version is booted on trial; the old one's slot a gets a flipped bit before the rollback needs it.
            if (point != "rebooted")
                return;
            var image = await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotA), token);
            image[^1] ^= 0x01;
            await File.WriteAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotA), image, token);
        });
        var release = _rig.MakeRelease("2.3.0", "offer-no-way-back", faults: [SimulatedFirmwareImage.EngineError]);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-no-way-back");
        Assert.Equal((UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, UpdateDetail.RollbackFailedCodedCode), (final.Phase, final.Failure, final.DetailCode));
        var described = _rig.Slots.ReadInfo(SlotStore.SlotA)!;
        var altered = await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotA), TestContext.Current.CancellationToken);
        var (size, sha256) = (altered.Length.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(SHA256.HashData(altered)));
        var describedSize = described.Size.ToString(CultureInfo.InvariantCulture);
        var slotWords = $"there is no good slot to go back to: slot a's image is {size} bytes with SHA-256 {sha256}; slot.json says {describedSize} bytes, {described.Sha256}";
        const string engineMessage = "10.1 Engine controller error: the engine rejected the firmware. Turn the printer off and on.";
        var reasonWords = $"after booting 2.3.0 the device reports {SimulatedPrinter.EngineErrorCode} ({Conditions.HardwareFault}): {engineMessage}";
        // The English sentence is the one RollbackFailed has always carried.
        Assert.Equal($"health check failed: {reasonWords}; going back failed too: {slotWords}", final.Detail);
        Assert.Equal(
            [slotWords, "6", UpdateDetail.SlotNoGoodSlotCode, UpdateDetail.SlotImageAlteredCode, "a", size, sha256, describedSize, described.Sha256,
             UpdateDetail.HealthNewErrorCode, "2.3.0", SimulatedPrinter.EngineErrorCode, Conditions.HardwareFault, engineMessage],
            final.DetailValues);
        var read = final.ReadDetail();
        var slotProblem = read.AsInstallerAnswer()!.AsNoGoodSlotProblem()!;
        Assert.Equal((UpdateDetail.SlotImageAlteredCode, "a"), (slotProblem.Code, slotProblem.Values[0]));
        Assert.Equal(UpdateDetail.HealthNewErrorCode, read.AsCodedRollbackReason()!.Code);
        // Nothing good to go back to: the pointer stays on the trial slot rather than naming a slot that does not check out.
        Assert.Equal(SlotStore.SlotB, _rig.Slots.ReadPointer()!.Active);
    }
}
