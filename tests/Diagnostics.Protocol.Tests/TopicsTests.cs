namespace Diagnostics.Protocol.Tests;

public sealed class TopicsTests
{
    [Fact]
    public void Uplink_topics_follow_the_architecture()
    {
        Assert.Equal("dx/p1/up/status", Topics.Uplink("p1", UplinkKind.Status));
        Assert.Equal("dx/p1/up/event", Topics.Uplink("p1", UplinkKind.Event));
        Assert.Equal("dx/p1/up/heartbeat", Topics.Uplink("p1", UplinkKind.Heartbeat));
        Assert.Equal("dx/p1/down/ack", Topics.Downlink("p1", Topics.AckKind));
        Assert.Equal("dx/p1/down/#", Topics.DownlinkFilter("p1"));
        Assert.Equal("dx/p1/presence", Topics.Presence("p1"));
    }

    [Theory]
    [InlineData("dx/p1/up/status", "p1", TopicDirection.Up, "status")]
    [InlineData("dx/p-1.a_b/down/ack", "p-1.a_b", TopicDirection.Down, "ack")]
    [InlineData("dx/p1/presence", "p1", TopicDirection.Presence, "presence")]
    public void Parses_our_topics(string topic, string deviceId, TopicDirection direction, string kind)
    {
        var parsed = Topics.Parse(topic);

        Assert.True(parsed.IsValid, parsed.Error);
        Assert.Equal((deviceId, direction, kind), (parsed.DeviceId, parsed.Direction, parsed.Kind));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dx")]
    [InlineData("other/p1/up/status")]
    [InlineData("dx/p1/sideways/status")]
    [InlineData("dx/p1/up")]
    [InlineData("dx/p1/up/")]
    [InlineData("dx/p1/up/status/extra")]
    [InlineData("dx/+/up/status")]
    [InlineData("dx/#/up/status")]
    [InlineData("dx/.hidden/up/status")]
    public void Refuses_topics_that_are_not_ours_with_a_reason(string topic)
    {
        var parsed = Topics.Parse(topic);

        Assert.False(parsed.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(parsed.Error));
    }

    [Fact]
    public void Device_ids_are_limited_in_length_and_alphabet()
    {
        Assert.True(Topics.IsValidDeviceId(new string('a', Topics.MaxDeviceIdLength)));
        Assert.False(Topics.IsValidDeviceId(new string('a', Topics.MaxDeviceIdLength + 1)));
        Assert.False(Topics.IsValidDeviceId("a b"));
        Assert.False(Topics.IsValidDeviceId("ä"));
        Assert.False(Topics.IsValidDeviceId(null));
    }

    [Fact]
    public void Every_uplink_kind_has_a_name_that_parses_back()
    {
        foreach (var kind in Enum.GetValues<UplinkKind>())
            Assert.Equal(kind, Topics.ParseKind(Topics.KindName(kind)));
        Assert.Null(Topics.ParseKind("bogus"));
    }
}
