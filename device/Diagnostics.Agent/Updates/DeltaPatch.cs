namespace Diagnostics.Agent.Updates;

/// <summary>
/// The one place a delta package is turned into an image. The delta format (<c>BinaryDelta</c> in the protocol) is
/// being written on another branch; until it is merged the agent refuses delta packages before downloading them.
/// </summary>
internal static class DeltaPatch
{
    public static bool IsAvailable => false;

    public const string Unavailable = "this agent cannot apply delta packages yet: offer the full image";

    /// <summary>Writes to <paramref name="target"/> the image <paramref name="delta"/> makes of <paramref name="source"/>; <see cref="InvalidDataException"/> when it does not apply.</summary>
    public static Task ApplyAsync(Stream source, Stream delta, Stream target, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Unavailable);
}
