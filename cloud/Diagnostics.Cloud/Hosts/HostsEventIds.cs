namespace Diagnostics.Cloud.Hosts;

/// <summary>Log event ids of Hosts; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class HostsEventIds
{
    public const int HostReportApplied = 680;
    public const int HostQueuesMatched = 681;
    public const int HostInventoryFailed = 682;
}
