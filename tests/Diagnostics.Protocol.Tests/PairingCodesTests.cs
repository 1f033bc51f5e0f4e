using Diagnostics.Protocol;

namespace Diagnostics.Protocol.Tests;

public sealed class PairingCodesTests
{
    [Fact]
    public void New_codes_are_eight_unambiguous_characters_and_differ()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => PairingCodes.Create()).ToList();

        Assert.All(codes, code =>
        {
            Assert.Equal(PairingCodes.Length, code.Length);
            Assert.All(code, c => Assert.Contains(c, PairingCodes.Alphabet));
            Assert.DoesNotContain(code, c => c is 'I' or 'L' or 'O' or 'U');
        });
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Theory]
    [InlineData("ab12-cd34", "AB12CD34")]
    [InlineData(" AB12 CD34\n", "AB12CD34")]
    [InlineData("AB12CD34", "AB12CD34")]
    public void Typed_codes_are_normalized(string typed, string expected) => Assert.Equal(expected, PairingCodes.Normalize(typed));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AB12CD3")]
    [InlineData("AB12CD345")]
    [InlineData("AB12CD3L")]
    [InlineData("AB12CD3!")]
    [InlineData("--------------------------------------------AB12CD34")]
    public void Anything_else_is_not_a_code(string? typed) => Assert.Null(PairingCodes.Normalize(typed));

    [Fact]
    public void Codes_are_shown_in_two_groups() => Assert.Equal("AB12-CD34", PairingCodes.Display("AB12CD34"));
}
