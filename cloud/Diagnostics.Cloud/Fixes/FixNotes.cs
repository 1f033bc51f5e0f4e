using System.Globalization;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// The note a proposal keeps on why it stands where it does ("Nobody decided in time.", "The device ran … : …"). Stored
/// as the English text of <c>Resources/Fixes/FixNotes.resx</c>, the same for every reader, the logs, the audit trail and
/// the API's <see cref="FixView.Note"/>; a customer or an agent reads it in their own language through <see cref="Read"/>
/// (<see cref="FixView.NoteForReader"/>), which finds the stored note's text and its values (a command, what the device
/// said, as written) and words it again. A note that is none of these texts reads as stored.
/// </summary>
public static class FixNotes
{
    private static readonly LocalizedTexts Texts = new("Fixes.FixNotes");

    /// <summary>The English note with its values filled in, to store.</summary>
    public static string Write(string name, params object?[] args) => Texts.ToStore(name, args);

    /// <summary>
    /// <paramref name="previous"/> with the note that no other article is known after it: the note of the fix that failed
    /// stays, so the reader still sees why.
    /// </summary>
    public static string Exhausted(string previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return previous.Length > 0 ? Write("ExhaustedAfter", previous) : Write("Exhausted");
    }

    /// <summary>A stored note in the reader's language (the request's UI culture); one that is no fix note reads as stored.</summary>
    public static string Read(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return StoredTextReader.ReadsAsWritten(CultureInfo.CurrentUICulture) ? stored : ReadOrNull(stored) ?? stored;
    }

    /// <summary>
    /// A note as written in <paramref name="from"/> (the assistant quoted it in the customer's language), in
    /// <paramref name="to"/>; null when it is no fix note of that language.
    /// </summary>
    public static string? Translate(string note, CultureInfo from, CultureInfo to)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note.Length == 0 ? null : StoredTextReader.Reword(Texts.Manager, "fix-notes", note, from, to, value => Translate(value, from, to));
    }

    /// <summary>
    /// The note in the reader's language, or null when it is no fix note: for a reader of text that holds a note among
    /// other values (a staff note quoting why a fix failed). A value inside a note may be a note itself (the failed fix's
    /// note before "No other fix is known").
    /// </summary>
    internal static string? ReadOrNull(string stored) => stored.Length == 0 ? null
        : StoredTextReader.Reword(Texts.Manager, "fix-notes", stored, CultureInfo.InvariantCulture, CultureInfo.CurrentUICulture, ReadOrNull);
}
