namespace Diagnostics.Cloud.Fixes;

/// <summary>Log event ids of Fixes; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class FixesEventIds
{
    public const int FixProposed = 620;
    public const int FixDecided = 621;
    public const int FixCommandPublished = 622;
    public const int FixResult = 623;
    public const int FixClosed = 624;
    public const int FixUnknownResult = 625;
    public const int FixPolicy = 626;
    public const int FixPublishFailed = 627;
    public const int FixInboxFailed = 628;
    public const int FixLoopFailed = 629;
    public const int FixInboxBatchFailed = 630;

    // From the block's end: another change to Fixes was taking 631 on at the same time.
    public const int FixCommandResumed = 639;
}
