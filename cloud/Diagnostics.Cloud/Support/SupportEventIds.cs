namespace Diagnostics.Cloud.Support;

/// <summary>Log event ids of Support; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class SupportEventIds
{
    public const int SupportSessionOpened = 660;
    public const int SupportHandedOver = 661;
    public const int SupportAssigned = 662;
    public const int SupportClosed = 663;
    public const int SupportBotFailed = 664;
    public const int SupportWatchFailed = 665;
    public const int SupportReviewed = 666;
}
