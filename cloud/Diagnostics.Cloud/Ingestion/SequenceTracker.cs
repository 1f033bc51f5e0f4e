namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// One device's sequence stream as the cloud knows it: the contiguous mark (every sequence at or below it is
/// stored or was declared discarded by the device) and the stored sequences above it.
/// </summary>
/// <remarks>
/// One per device that ever sent, kept for the process's life: the set of sequences above the mark exists only while
/// there is a gap (a device in order has none), so a connected device costs the tracker alone (issue 22).
/// </remarks>
public sealed class SequenceTracker
{
    private SortedSet<ulong>? _storedAboveMark;

    public SequenceTracker(ulong? mark, IEnumerable<ulong> storedAboveMark, ulong? statusSequence)
    {
        ArgumentNullException.ThrowIfNull(storedAboveMark);
        Mark = mark;
        var above = storedAboveMark is ICollection<ulong> { Count: 0 } ? null : new SortedSet<ulong>(storedAboveMark);
        _storedAboveMark = above is { Count: > 0 } ? above : null;
        StatusSequence = statusSequence;
        Advance();
    }

    /// <summary>Null until the first message from the device.</summary>
    public ulong? Mark { get; private set; }

    /// <summary>Sequence of the newest status applied to the device's current state.</summary>
    public ulong? StatusSequence { get; set; }

    public SequenceTracker Clone() => new(Mark, _storedAboveMark ?? (IEnumerable<ulong>)[], StatusSequence);

    /// <summary>
    /// Applies the sender's lowest retained sequence: below it, anything not stored will never come. Returns the
    /// number of sequences skipped as a gap. The first message ever only sets the starting point (no gap).
    /// </summary>
    public long ApplyLowestRetained(ulong lowestRetained, ulong sequence)
    {
        var start = lowestRetained > 0 ? lowestRetained : sequence;
        if (Mark is null)
        {
            Mark = start - 1;
            _storedAboveMark?.RemoveWhere(s => s <= Mark);
            Advance();
            return 0;
        }
        if (lowestRetained == 0 || lowestRetained - 1 <= Mark)
            return 0;
        var newMark = lowestRetained - 1;
        var storedInGap = _storedAboveMark?.GetViewBetween(Mark.Value + 1, newMark).Count ?? 0;
        var gap = (long)(newMark - Mark.Value) - storedInGap;
        Mark = newMark;
        _storedAboveMark?.RemoveWhere(s => s <= newMark);
        Advance();
        return gap;
    }

    /// <summary>
    /// Takes a mark committed by the store, which may be ahead of this tracker when another instance stored part of
    /// the stream. A mark behind this one changes nothing.
    /// </summary>
    public void CatchUp(ulong committedMark)
    {
        if (Mark is { } mark && committedMark <= mark)
            return;
        Mark = committedMark;
        _storedAboveMark?.RemoveWhere(s => s <= committedMark);
        Advance();
    }

    public bool IsDuplicate(ulong sequence) => sequence <= Mark || _storedAboveMark?.Contains(sequence) == true;

    public void MarkStored(ulong sequence)
    {
        // In order (the usual case): the mark moves and no set is made.
        if (Mark is { } mark && sequence == mark + 1 && _storedAboveMark is null)
        {
            Mark = sequence;
            return;
        }
        (_storedAboveMark ??= []).Add(sequence);
        Advance();
    }

    private void Advance()
    {
        if (Mark is null || _storedAboveMark is not { } above)
            return;
        while (above.Count > 0 && above.Min == Mark + 1)
        {
            Mark = above.Min;
            above.Remove(above.Min);
        }
        if (above.Count == 0)
            _storedAboveMark = null;
    }
}
