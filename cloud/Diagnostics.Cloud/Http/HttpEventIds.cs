namespace Diagnostics.Cloud.Http;

/// <summary>Log event ids of Http; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class HttpEventIds
{
    public const int StartupReady = 102;
}
