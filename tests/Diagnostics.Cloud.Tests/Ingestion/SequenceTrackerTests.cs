using Diagnostics.Cloud.Ingestion;

namespace Diagnostics.Cloud.Tests.Ingestion;

public sealed class SequenceTrackerTests
{
    [Fact]
    public void First_message_sets_the_mark_just_below_the_lowest_retained_sequence()
    {
        var tracker = new SequenceTracker(null, [], null);

        Assert.Equal(0, tracker.ApplyLowestRetained(lowestRetained: 1000, sequence: 1005));
        Assert.Equal(999UL, tracker.Mark);
    }

    [Fact]
    public void First_message_without_lowest_retained_starts_at_its_own_sequence()
    {
        var tracker = new SequenceTracker(null, [], null);
        tracker.ApplyLowestRetained(0, 5000);
        tracker.MarkStored(5000);

        Assert.Equal(5000UL, tracker.Mark);
    }

    [Fact]
    public void Mark_advances_only_over_contiguous_sequences()
    {
        var tracker = new SequenceTracker(10, [], null);
        tracker.MarkStored(12);
        Assert.Equal(10UL, tracker.Mark);
        tracker.MarkStored(11);
        Assert.Equal(12UL, tracker.Mark);
    }

    [Fact]
    public void Declared_gap_moves_the_mark_and_counts_only_missing_sequences()
    {
        var tracker = new SequenceTracker(10, [13], null);

        var gap = tracker.ApplyLowestRetained(lowestRetained: 16, sequence: 16);

        Assert.Equal(4, gap); // 11, 12, 14, 15
        Assert.Equal(15UL, tracker.Mark);
    }

    [Fact]
    public void At_or_below_the_mark_or_already_stored_is_a_duplicate()
    {
        var tracker = new SequenceTracker(10, [12], null);

        Assert.True(tracker.IsDuplicate(9));
        Assert.True(tracker.IsDuplicate(10));
        Assert.True(tracker.IsDuplicate(12));
        Assert.False(tracker.IsDuplicate(11));
    }

    [Fact]
    public void After_a_gap_closes_later_gaps_and_duplicates_are_still_seen()
    {
        var tracker = new SequenceTracker(10, [], null);
        tracker.MarkStored(11);
        tracker.MarkStored(13);
        tracker.MarkStored(12);
        Assert.Equal(13UL, tracker.Mark);

        tracker.MarkStored(15);
        Assert.Equal(13UL, tracker.Mark);
        Assert.True(tracker.IsDuplicate(15));
        Assert.False(tracker.IsDuplicate(14));
        Assert.Equal(1, tracker.ApplyLowestRetained(lowestRetained: 16, sequence: 16)); // 14
        Assert.Equal(15UL, tracker.Mark);
    }

    [Fact]
    public void A_clone_goes_its_own_way()
    {
        var original = new SequenceTracker(10, [], 7);
        var clone = original.Clone();

        clone.MarkStored(11);
        clone.MarkStored(13);

        Assert.Equal(10UL, original.Mark);
        Assert.False(original.IsDuplicate(13));
        Assert.Equal(11UL, clone.Mark);
        Assert.True(clone.IsDuplicate(13));
        Assert.Equal(7UL, clone.StatusSequence);
    }
}
