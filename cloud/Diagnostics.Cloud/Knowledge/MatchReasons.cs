using System.Globalization;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Why an article matched, as a kind (the text's name) and its values, worded for each reader from
/// <c>Resources/Knowledge/MatchReasons{,.zh-Hans,.ja}.resx</c> with numbers in the reader's culture and conditions by
/// their plain-language names. The English form (<see cref="LocalizedMessage.Invariant"/>) is the one the API's
/// <c>reasons</c>, fix proposals and logs have always carried, byte for byte: conditions as codes, numbers the invariant way.
/// A reason kept in that form (a fix proposal stores the reasons it was made for) is read again in the reader's language
/// through <see cref="Read"/>.
/// </summary>
public static class MatchReasons
{
    private static readonly LocalizedTexts Texts = new("Knowledge.MatchReasons");

    public static LocalizedMessage ExactCode(string? code) => Reason("ExactCode", code);

    public static LocalizedMessage SameCondition(string? condition) => Reason("SameCondition", new ConditionName(condition));

    public static LocalizedMessage Words(IReadOnlyList<string> words, double textScore) => Reason("Words", new WordList(words), textScore);

    public static LocalizedMessage ReportedNow(string code, string condition) => Reason("ReportedNow", code, new ConditionName(condition));

    public static LocalizedMessage ReportedNowNotInWords() => Reason("ReportedNowNotInWords");

    public static LocalizedMessage WrittenFor(string? model) => Reason("WrittenFor", model);

    public static LocalizedMessage FirmwareIn(string? firmware, FirmwareRange range) => Reason("FirmwareIn", firmware, range.Text);

    public static LocalizedMessage FixedOnModel(long verified, long tried, string? model, long allVerified, long allTried, double rate) =>
        Reason("FixedOnModel", verified, tried, model, allVerified, allTried, rate);

    /// <summary>No outcome on the device's model yet (or the model is unknown), only on others.</summary>
    public static LocalizedMessage NoResultsOnModel(string? model, long allVerified, long allTried, double rate) => model is null
        ? Reason("NoResultsOnThisModel", allVerified, allTried, rate)
        : Reason("NoResultsOnModel", model, allVerified, allTried, rate);

    public static LocalizedMessage NoResults(double startingRate) => Reason("NoResults", startingRate);

    private static LocalizedMessage Reason(string kind, params object?[] values) => new(Texts, kind, values);

    /// <summary>
    /// A reason as stored (its English form) in the reader's language (the request's UI culture): the same kind with the
    /// same values, a condition by its plain-language name and matched words listed the reader's way. Numbers keep the
    /// digits they were stored with (the reader's cultures write them alike). A line that is no reason reads as stored
    /// (a support request's "requested by …").
    /// </summary>
    public static string Read(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var reader = CultureInfo.CurrentUICulture;
        return StoredTextReader.ReadsAsWritten(reader) ? stored
            : StoredTextReader.Reword(Texts.Manager, "match-reasons", stored, CultureInfo.InvariantCulture, reader, ReadValue) ?? stored;
    }

    /// <summary>A stored reason's value as its <see cref="IReaderValue"/> words it for a reader; null keeps it as stored.</summary>
    private static string? ReadValue(string kind, int index, string value) => (kind, index) switch
    {
        ("SameCondition", 0) or ("ReportedNow", 1) => new ConditionName(value).ForReader,
        ("Words", 0) => new WordList(value.Split(", ")).ForReader,
        _ => null,
    };

    /// <summary>A normalized condition: its plain-language name for a reader, its code in English (as the API always said it).</summary>
    private sealed record ConditionName(string? Condition) : IReaderValue
    {
        public string ForReader => Condition is { Length: > 0 } condition && PlainLanguage.Knows(condition)
            ? PlainLanguage.Describe(condition, code: null, message: null).Title
            : Condition ?? "";

        public string Invariant => Condition ?? "";
    }

    /// <summary>The words a search matched on, listed as the reader's language lists things.</summary>
    private sealed record WordList(IReadOnlyList<string> Words) : IReaderValue
    {
        public string ForReader => LocalizedTexts.List(Words);

        public string Invariant => string.Join(", ", Words);
    }
}
