namespace Diagnostics.Cloud.Storage;

/// <summary>Log event ids of Storage; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class StorageEventIds
{
    public const int SchemaMigrated = 950;
    public const int LeaseBusy = 960;
}
