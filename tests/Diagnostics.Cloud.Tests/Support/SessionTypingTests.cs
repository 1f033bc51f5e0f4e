using Diagnostics.Cloud.Support;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Support;

public sealed class SessionTypingTests
{
    [Fact]
    public void The_other_side_sees_someone_writing_until_it_lapses_or_they_send()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var signals = new SessionSignals();
        var typing = new SessionTyping(signals, time);

        var woken = signals.NextAsync("ss-1");
        typing.Typed("ss-1", AuthorKind.Agent, "Alex Agent");

        Assert.True(woken.IsCompleted);
        Assert.Equal("Alex Agent", typing.OtherSide("ss-1", AuthorKind.Customer)?.Name);
        Assert.Null(typing.OtherSide("ss-1", AuthorKind.Agent));
        Assert.Null(typing.OtherSide("ss-2", AuthorKind.Customer));

        // More keys while already shown wake nobody: the state has not changed.
        var quiet = signals.NextAsync("ss-1");
        time.Advance(TimeSpan.FromSeconds(2));
        typing.Typed("ss-1", AuthorKind.Agent, "Alex Agent");
        Assert.False(quiet.IsCompleted);

        time.Advance(SessionTyping.ShownFor);
        Assert.Null(typing.OtherSide("ss-1", AuthorKind.Customer));

        typing.Typed("ss-1", AuthorKind.Customer, "Casey");
        Assert.True(quiet.IsCompleted);
        var sent = signals.NextAsync("ss-1");
        typing.Stopped("ss-1", AuthorKind.Customer);
        Assert.True(sent.IsCompleted);
        Assert.Null(typing.OtherSide("ss-1", AuthorKind.Agent));
    }
}
