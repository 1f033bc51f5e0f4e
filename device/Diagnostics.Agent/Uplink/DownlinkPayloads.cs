using System.Text;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Uplink;

/// <summary>Limits for cloud-to-device payloads and a salvage reader for broken commands. Pure: bytes in, values out.</summary>
public static class DownlinkPayloads
{
    /// <summary>A command is an id, a name, a few parameters and a consent: a few hundred bytes. Anything near this is not one.</summary>
    public const int MaxCommandBytes = 16 * 1024;

    /// <summary>The largest consent set read: the cloud retains none larger (<see cref="RetainedDownlinks"/>).</summary>
    public const int MaxConsentSetBytes = RetainedDownlinks.MaxConsentSetBytes;

    /// <summary>The largest update offer read: the cloud retains none larger (<see cref="RetainedDownlinks"/>).</summary>
    public const int MaxUpdateOfferBytes = RetainedDownlinks.MaxUpdateOfferBytes;

    /// <summary>Longer ids are not read back: an answer must carry the id the cloud sent, and the cloud's are short.</summary>
    public const int MaxCommandIdLength = 256;

    private const int CommandIdField = 1; // Command.CommandId, a length-delimited string.

    /// <summary>
    /// Reads <c>Command.CommandId</c> (field 1) from a payload that does not decode as a whole (truncated, too large,
    /// a later field corrupt), walking top-level fields only as far as they are well-formed, so the device can still
    /// answer the command with a refusal instead of leaving the cloud to re-send it until it expires. Null when no
    /// usable id precedes the damage.
    /// </summary>
    public static string? TryReadCommandId(ReadOnlySpan<byte> payload)
    {
        string? found = null;
        var position = 0;
        while (position < payload.Length)
        {
            if (!TryReadVarint(payload, ref position, out var key))
                break;
            var field = key >> 3;
            switch (key & 7)
            {
                case 0:
                    if (!TryReadVarint(payload, ref position, out _))
                        return found;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    if (!TryReadVarint(payload, ref position, out var length) || length > (ulong)(payload.Length - position))
                        return found;
                    var bytes = payload.Slice(position, (int)length);
                    position += (int)length;
                    // protobuf keeps the last value of a repeated scalar: so do we, as far as we can read.
                    if (field == CommandIdField && length is > 0 and <= MaxCommandIdLength && TryDecodeUtf8(bytes) is { } id)
                        found = id;
                    break;
                default:
                    // Groups (3, 4) and unknown wire types: nothing after this can be trusted.
                    return found;
            }
        }
        return found;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> payload, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= payload.Length)
                return false;
            var b = payload[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }

    private static string? TryDecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Any(char.IsControl) ? null : text;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
