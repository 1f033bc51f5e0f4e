using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Why a decision on an update or a release step was refused, as a sentence in the reader's language (the request's UI
/// culture), from <c>Resources/Updates/UpdateExplanations{,.zh-Hans,.ja}.resx</c>; so are the supervisors' refusals
/// (uploading a package, creating, pausing or resuming a rollout), which people read in the console, and the checks of an
/// uploaded package (signature, manifest, payload). A check's own words as the signing tools print them (fwtool verify)
/// stay English beside it, in the problem's <c>check</c> and in the log.
/// </summary>
public static partial class UpdateExplanations
{
    private static readonly LocalizedTexts Texts = new("Updates.UpdateExplanations");

    public static string Text(string name, params object?[] args) => Texts.Format(name, args);

    /// <summary>The English text, for logs.</summary>
    public static string Invariant(string name, params object?[] args) => Texts.Invariant(name, args);

    /// <summary>
    /// A packaging rule a manifest breaks, in the reader's language, from the rule's code and values (the texts
    /// <c>Rule.{Code}</c>). A code this cloud has no text for (a newer signing tool's) is quoted as the tool printed it.
    /// </summary>
    public static string Rule(ManifestProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var name = "Rule." + problem.Code;
        if (Texts.Manager.GetString(name, CultureInfo.InvariantCulture) is null)
            return Text("Check.ManifestMalformed", problem.Text);
        var values = problem.Values;
        object?[] args = problem.Code switch
        {
            // The one named, then the choices: the choices as a list in the reader's language.
            ManifestProblem.UnknownOs or ManifestProblem.UnknownArchitecture or ManifestProblem.PlatformWithoutForm when values.Count > 0 =>
                [values[0], LocalizedTexts.List(values.Skip(1))],
            ManifestProblem.DriverForms => [LocalizedTexts.List(values)],
            ManifestProblem.ManifestSize => [.. values.Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (object)v)],
            _ => [.. values],
        };
        return Text("Check.ManifestRule", Texts.Format(name, args));
    }

    /// <summary>
    /// What a device said about its update, in the reader's language from the detail's code and values (the texts
    /// <c>Device.{Code}</c>; a manifest rule as <see cref="Rule"/> words it), times in the reader's culture; null when this
    /// cloud has no text for the code (a newer agent's) or the values do not fit it, so the device's own words are shown.
    /// </summary>
    public static string? Device(UpdateDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        if (detail.AsManifestProblem() is { } problem)
            return Rule(problem);
        // A host's driver details (issue 19, driver-codes) are worded from their own resources.
        if (detail.Code.StartsWith("Driver", StringComparison.Ordinal))
            return DriverDetailWording.Device(detail);
        var name = "Device." + detail.Code;
        if (detail.Code.Length == 0 || Texts.Manager.GetString(name, CultureInfo.InvariantCulture) is null)
            return null;
        var values = detail.Values;
        object?[]? args = detail.Code switch
        {
            UpdateDetail.OfferExpiredCode or UpdateDetail.OfferExpiredWaitingCode => [.. values.Select(TimeOrAsSent)],
            // The rollback's own value, then its reason worded in turn: a reason this cloud cannot word leaves the whole sentence as the device said it.
            UpdateDetail.RolledBackCode or UpdateDetail.RollbackFailedCode =>
                detail.AsRollbackReason() is { } reason && Device(reason) is { } reasonWords ? [values[0], reasonWords] : null,
            UpdateDetail.HealthNotConnectedCode or UpdateDetail.HealthNotReadCode or UpdateDetail.HealthNoAnswerCode or UpdateDetail.HealthWrongVersionCode =>
                [.. values.Select((value, i) => i == 1 ? TimeOrAsSent(value) : value)],
            UpdateDetail.HealthNotLongEnoughCode => [.. values.Select((value, i) => i switch { 1 or 2 => NumberOrAsSent(value), 3 => TimeOrAsSent(value), _ => value })],
            UpdateDetail.NoSpaceCode => [.. values.Select((value, i) => i == 1 ? value : NumberOrAsSent(value))],
            UpdateDetail.HealthyCode => [.. values.Select((value, i) => i == 2 ? NumberOrAsSent(value) : value)],
            // The slots' answers (also inside an installer step), then the delivery details; any other code's values as they came.
            _ => SlotArguments(detail),
        };
        if (args is null)
            return null;
        try
        {
            return Texts.Format(name, args);
        }
        catch (FormatException)
        {
            // Fewer values than this cloud's text names: the device's words rather than a broken line.
            return null;
        }
    }

    /// <summary>A moment in the reader's date and time format, said to be UTC (the service keeps and schedules in UTC).</summary>
    public static string UtcTime(DateTimeOffset at) => Text("UtcTime", at.UtcDateTime.ToString("f", CultureInfo.CurrentCulture));

    // A device's numbers travel in invariant digits; the text formats them in the reader's culture.
    internal static object NumberOrAsSent(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : value;

    // A device's times travel as Unix milliseconds; one out of the calendar's range reads as it came.
    internal static string TimeOrAsSent(string unixMs) =>
        long.TryParse(unixMs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and <= 253_402_300_799_999
            ? UtcTime(DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : unixMs;
}
