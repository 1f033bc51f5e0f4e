namespace Diagnostics.Cloud.Updates;

/// <summary>Log event ids of Updates; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class UpdatesEventIds
{
    public const int PackagePublished = 640;
    public const int PackageRefused = 641;
    public const int RolloutCreated = 642;
    public const int RolloutStateChanged = 643;
    public const int RolloutHalted = 644;
    public const int RolloutWaveAdvanced = 645;
    public const int UpdateOfferPublished = 646;
    public const int UpdateReportApplied = 647;
    public const int UpdateReportUnknown = 648;
    public const int RolloutSchedulerFailed = 649;
}
