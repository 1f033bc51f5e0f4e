namespace Diagnostics.Cloud.Ingestion;

/// <summary>Log event ids of Ingestion; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class IngestionEventIds
{
    public const int UplinkRejected = 300;
    public const int BatchStored = 310;
    public const int BatchFailed = 311;
    public const int GapSkipped = 312;
    public const int AckFailed = 313;
    public const int StreamsRebuilt = 320;
    public const int TelemetryPartitionAdded = 951;
    public const int TelemetryPartitionDropped = 952;
    public const int TelemetryRetentionFailed = 953;
}
