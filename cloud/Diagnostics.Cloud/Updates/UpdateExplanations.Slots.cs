using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

// The agent's own A/B slot installer's answers (UpdateDetail.Slots.cs), on their own or nested in an installer step's
// detail after the installer's English words, and the pipeline's two rare details. Texts Device.{Code} in the same resources.
public static partial class UpdateExplanations
{
    /// <summary>
    /// The values of a slot detail as its text takes them, nested answers worded in turn; null when one cannot be (the
    /// device's words then). An installer step carrying the slots' answer is worded here before the delivery texts take
    /// it; any other code goes on to <see cref="DeliveryArguments"/>.
    /// </summary>
    private static object?[]? SlotArguments(UpdateDetail detail)
    {
        var values = detail.Values;
        if (detail.Code == UpdateDetail.RollbackFailedCodedCode)
            return detail.AsInstallerAnswer() is { } answer && Device(answer) is { } answerWords
                && detail.AsCodedRollbackReason() is { } reason && Device(reason) is { } reasonWords
                ? [answerWords, reasonWords]
                : null;
        if (detail.AsInstallerAnswer() is { } installer)
        {
            // StageFailed, ActivateFailed, RebootFailed take the answer as {0}; RebootRolledBack the old version first.
            if (Device(installer) is not { } words)
                return null;
            return detail.Code == UpdateDetail.RebootRolledBackCode ? [values[0], words] : [words];
        }
        return detail.Code switch
        {
            UpdateDetail.SlotImageAlteredCode => [.. values.Select((value, i) => i is 1 or 3 ? NumberOrAsSent(value) : value)],
            UpdateDetail.SlotNoGoodSlotCode => detail.AsNoGoodSlotProblem() is { } problem && Device(problem) is { } problemWords ? [problemWords] : null,
            UpdateDetail.SlotNeitherBootsCode => detail.AsSlotProblems() is { } both && Device(both.Problem) is { } firstWords && Device(both.OtherProblem) is { } otherWords
                ? [firstWords, otherWords]
                : null,
            UpdateDetail.JournalOfferRefusedCode => values.Count > 0 && Device(new UpdateDetail(values[0], [.. values.Skip(1)], "")) is { } checkWords ? [checkWords] : null,
            _ => DeliveryArguments(detail),
        };
    }
}
