using System.Security.Cryptography;

namespace Diagnostics.Protocol;

/// <summary>
/// The short code a device shows its owner so the owner can pair it with their account in the companion app: eight
/// characters of Crockford's base-32 alphabet (no I, L, O or U, so a code read aloud or from a small screen is
/// unambiguous), shown as "ABCD-EFGH". Codes come from a cryptographic generator: one device's code says nothing about
/// another's.
/// </summary>
public static class PairingCodes
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public const int Length = 8;

    public static string Create() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>
    /// The code that <see cref="Length"/> bytes from a cryptographic generator stand for: the alphabet's 32 characters
    /// divide 256, so each byte's low five bits pick one character with no bias. For a caller that reads the generator
    /// itself (the agent reads the kernel's, see its <c>PairingCode</c>).
    /// </summary>
    public static string FromRandomBytes(ReadOnlySpan<byte> random)
    {
        if (random.Length != Length)
            throw new ArgumentException($"A pairing code takes {Length} random bytes, not {random.Length}.", nameof(random));
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
            code[i] = Alphabet[random[i] & (Alphabet.Length - 1)];
        return new string(code);
    }

    /// <summary>Upper case without separators or spaces ("abcd-efgh" → "ABCDEFGH"), or null when it is not a code.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null || text.Length > 4 * Length)
            return null;
        Span<char> code = stackalloc char[Length];
        var length = 0;
        foreach (var c in text)
        {
            if (c is '-' or ' ' or '\n' or '\r' or '\t')
                continue;
            var upper = char.ToUpperInvariant(c);
            if (length == Length || !Alphabet.Contains(upper, StringComparison.Ordinal))
                return null;
            code[length++] = upper;
        }
        return length == Length ? new string(code) : null;
    }

    /// <summary>"ABCD-EFGH": how a code is shown to a person.</summary>
    public static string Display(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.Length == Length ? $"{code[..4]}-{code[4..]}" : code;
    }
}
