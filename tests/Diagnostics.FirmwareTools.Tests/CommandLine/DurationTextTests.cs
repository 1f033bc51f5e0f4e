using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Tests.CommandLine;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("72h", 259_200)]
    [InlineData("365d", 31_536_000)]
    [InlineData("2w", 1_209_600)]
    [InlineData("5M", 300)]
    [InlineData("0s", 0)]
    public void Reads_a_number_and_a_unit(string text, long seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("m")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("10y")]
    [InlineData("1h30m")]
    [InlineData("99999999999d")]
    public void Refuses_anything_else(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(259_200, "3d")]
    [InlineData(7200, "2h")]
    [InlineData(61, "61s")]
    public void Formats_in_the_largest_unit_that_divides(long seconds, string text) =>
        Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
}
