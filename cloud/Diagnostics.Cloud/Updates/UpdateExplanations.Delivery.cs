using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

// The device's details about getting an update onto it (UpdateDetail.Delivery.cs): the download, the bytes against the
// manifest, the consent, the firmware installer's steps. Texts Device.{Code} (and Consent.Action.{name}) in the same resources.
public static partial class UpdateExplanations
{
    /// <summary>
    /// The values of a delivery detail as its text takes them: bytes and seconds as numbers, times in the reader's culture;
    /// null when they do not fit. Any other code's values pass as they came.
    /// </summary>
    private static object?[]? DeliveryArguments(UpdateDetail detail)
    {
        var values = detail.Values;
        return detail.Code switch
        {
            // Its own three counts, then its last problem worded in turn: one this cloud cannot word leaves the device's words.
            UpdateDetail.DownloadGaveUpCode => values.Count > 3 && detail.AsDownloadProblem() is { } problem && Device(problem) is { } problemWords
                ? [NumberOrAsSent(values[0]), NumberOrAsSent(values[1]), NumberOrAsSent(values[2]), problemWords]
                : null,
            UpdateDetail.DownloadTimeoutCode or UpdateDetail.DownloadRangeGoneCode or UpdateDetail.DownloadWrongRangeCode
                or UpdateDetail.PayloadSizeMismatchCode or UpdateDetail.ImageSizeMismatchCode =>
                [.. values.Select(value => value.Length == 0 ? value : NumberOrAsSent(value))],
            UpdateDetail.ConsentExpiredCode or UpdateDetail.ConsentRevokedCode => [.. values.Select((value, i) => i == 0 ? value : TimeOrAsSent(value))],
            UpdateDetail.ConsentOtherActionCode => [.. values.Select((value, i) => i == 0 ? value : ConsentAction(value))],
            _ => [.. values],
        };
    }

    /// <summary>A consent's action (the device's lower-case name) in the reader's words; one this cloud does not know as sent.</summary>
    private static string ConsentAction(string name) =>
        Texts.Manager.GetString("Consent.Action." + name, System.Globalization.CultureInfo.InvariantCulture) is null ? name : Text("Consent.Action." + name);
}
