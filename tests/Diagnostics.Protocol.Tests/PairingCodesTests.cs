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

    [Fact]
    public void Each_random_byte_picks_a_character_by_its_low_five_bits()
    {
        // Crockford's base-32 digits: 0 → "0", 9 → "9", 10 → "A", 18 → "J" (no I), 21 → "N", 31 → "Z"; 32 and 255 wrap to 0 and 31.
        byte[] random = [0, 9, 10, 18, 31, 32, 255, 0x80 | 21];

        Assert.Equal("09AJZ0ZN", PairingCodes.FromRandomBytes(random));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    public void A_code_takes_exactly_eight_random_bytes(int count) =>
        Assert.Throws<ArgumentException>(() => PairingCodes.FromRandomBytes(new byte[count]));

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
