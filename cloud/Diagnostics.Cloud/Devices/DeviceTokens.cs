using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Diagnostics.Cloud.Devices;

/// <summary>Issues device tokens and checks them against their stored hash.</summary>
/// <remarks>
/// A token is 32 random bytes (256 bits of entropy). Slow password hashes (PBKDF2, Argon2) exist to make guessing
/// low-entropy human passwords expensive; nobody can enumerate a 2^256 space, so a keyed SHA-256 (HMAC with a
/// per-device random salt as key) is enough, and keeps authentication cheap when a whole fleet reconnects at once.
/// </remarks>
public static class DeviceTokens
{
    private const int TokenBytes = 32;
    private const int SaltBytes = 16;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    public static (byte[] Hash, byte[] Salt) Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (Compute(token, salt), salt);
    }

    public static bool Verify(string? token, byte[] hash, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(salt);
        if (string.IsNullOrEmpty(token))
            return false;
        return CryptographicOperations.FixedTimeEquals(Compute(token, salt), hash);
    }

    private static byte[] Compute(string token, byte[] salt) => HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(token));
}
