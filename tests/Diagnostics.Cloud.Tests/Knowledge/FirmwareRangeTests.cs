using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class FirmwareRangeTests
{
    [Theory]
    [InlineData(">=2.0 <3.1", "2.0", true)]
    [InlineData(">=2.0 <3.1", "3.0.9", true)]
    [InlineData(">=2.0 <3.1", "3.1", false)]
    [InlineData(">=2.0 <3.1", "1.9.9", false)]
    [InlineData("<2.10", "2.9", true)]
    [InlineData("<2.10", "2.10.0", false)]
    [InlineData("2.1", "2.1.0", true)]
    [InlineData("=2.1", "2.1.1", false)]
    [InlineData("<2.2", "2.1.0-beta", true)]
    [InlineData("<2.2", "", false)]
    [InlineData("<2.2", "unknown", false)]
    [InlineData("", "", true)]
    public void Covers_versions_part_by_part(string range, string firmware, bool covered)
    {
        Assert.True(FirmwareRange.TryParse(range, out var parsed, out var error), error);

        Assert.Equal(covered, parsed.Covers(firmware));
    }

    [Theory]
    [InlineData(">=two")]
    [InlineData("about 2")]
    [InlineData("<")]
    public void Rejects_what_is_not_a_comparison(string range)
    {
        Assert.False(FirmwareRange.TryParse(range, out _, out var error));
        Assert.Contains(range.Split(' ')[0], error, StringComparison.Ordinal);
    }
}
