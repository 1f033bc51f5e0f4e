namespace Diagnostics.Cloud.Live;

/// <summary>Log event ids of Live; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class LiveEventIds
{
    public const int LiveBroadcastFailed = 500;
    public const int LiveWatchRefused = 501;
}
