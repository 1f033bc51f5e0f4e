namespace Diagnostics.Cloud.Web;

/// <summary>Log event ids of Web; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class WebEventIds
{
    public const int ApiListening = 101;
    public const int LiveRefreshFailed = 160;
    public const int LiveFeedFailed = 161;
    public const int CrossSiteRefused = 502;
}
