namespace Diagnostics.Cloud.Live;

/// <summary>Log event ids of Live; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class LiveEventIds
{
    public const int LiveBroadcastFailed = 500;
    public const int LiveWatchRefused = 501;
    public const int InstanceSignalsListening = 503;
    public const int InstanceSignalsLost = 504;
    public const int InstanceSignalDropped = 505;
}
