using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// What the service writes about a rollout for people to read later: its default name, why it halted, and where each
/// device's update stands ("declined by …", "put off until … by …"). Stored in English, the texts of
/// <c>Resources/Updates/RolloutNotes.resx</c> with their values written the invariant way, as they always were: the same
/// for the API's <c>HaltReason</c> and <c>Detail</c>, the audit trail and the logs, and rows written before these texts
/// were resources read exactly like new ones. A reader gets them in their own language through the <c>…ForReader</c>
/// views (<see cref="ReadHaltReason"/>, <see cref="ReadDetail"/>, <see cref="ReadName"/>), which find the stored text and
/// its values and word them again, the numbers and times in the reader's culture. Whatever else is stored there (what a
/// device said about its own update, a name someone typed) reads as stored.
/// </summary>
public static class RolloutNotes
{
    private static readonly LocalizedTexts Texts = new("Updates.RolloutNotes");

    // Times in details are written as "u" (2026-12-07 08:40:00Z): invariant, and told apart from any other value.
    private const string StoredTime = "u";

    /// <summary>The English text with its values filled in, to store.</summary>
    public static string Write(string name, params object?[] args) => Texts.ToStore(name, args);

    /// <summary>A number as it is stored inside a note (invariant digits, at most <paramref name="format"/>'s decimals).</summary>
    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A moment as it is stored inside a note.</summary>
    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString(StoredTime, CultureInfo.InvariantCulture);

    /// <summary>
    /// The name a rollout gets when nobody typed one. Stored as this English text, so the API and old rows keep it; read
    /// again in the reader's language only while it is still exactly that text (<see cref="ReadName"/>).
    /// </summary>
    public static string DefaultName(string packageId, int models) => Write("Name.Default", packageId, models);

    /// <summary>The rollout's name for the reader: the default name in their language, a name someone typed as typed.</summary>
    public static string ReadName(string stored, string packageId, int models)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return !StoredTextReader.ReadsAsWritten(CultureInfo.CurrentUICulture) && stored == DefaultName(packageId, models)
            ? Texts.Format("Name.Default", packageId, models)
            : stored;
    }

    /// <summary>Why the rollout halted, in the reader's language; its values are all numbers (wave, counts, rates, percents).</summary>
    public static string ReadHaltReason(string stored) => Read(stored, ReadNumber);

    /// <summary>
    /// Where a device's update stands, in the reader's language: the service's notes, and what the device said when it
    /// said it with a code this cloud has a text for (<paramref name="said"/>, stored beside its words); other words of the
    /// device read as it said them.
    /// </summary>
    public static string ReadDetail(string stored, UpdateDetail? said = null) => ReadDeviceDetail(stored, said) ?? Read(stored, ReadTime);

    /// <summary>
    /// Why a device's update stands where it does, when it can be said in the reader's language: one of the service's
    /// notes worded for them, or null when it is none (what a device said in its own words, which a reader of another
    /// language would meet in English, or nothing). An English reader reads any stored detail.
    /// </summary>
    public static string? ReadDetailOrNull(string stored, UpdateDetail? said = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Length == 0)
            return null;
        if (ReadDeviceDetail(stored, said) is { } worded)
            return worded;
        return StoredTextReader.ReadsAsWritten(CultureInfo.CurrentUICulture)
            ? stored
            : StoredTextReader.Reword(Texts.Manager, "rollout-notes", stored, CultureInfo.InvariantCulture, CultureInfo.CurrentUICulture, ReadTime);
    }

    private static string Read(string stored, Func<string, string?> readValue)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Length == 0 || StoredTextReader.ReadsAsWritten(CultureInfo.CurrentUICulture))
            return stored;
        return StoredTextReader.Reword(Texts.Manager, "rollout-notes", stored, CultureInfo.InvariantCulture, CultureInfo.CurrentUICulture, readValue) ?? stored;
    }

    // Only while the stored words are still the ones the code came with (a later note of the service's replaces both).
    private static string? ReadDeviceDetail(string stored, UpdateDetail? said) =>
        said is not null && said.Text == stored && !StoredTextReader.ReadsAsWritten(CultureInfo.CurrentUICulture) ? UpdateExplanations.Device(said) : null;

    private static string? ReadNumber(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString(CultureInfo.CurrentCulture) : null;

    // Versions, package ids and people's names in a detail read as stored; only a stored time is written again.
    private static string? ReadTime(string value) =>
        DateTimeOffset.TryParseExact(value, StoredTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? UpdateExplanations.UtcTime(at)
            : null;
}
