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
