namespace Diagnostics.Cloud.Demo;

/// <summary>Log event ids of Demo; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class DemoEventIds
{
    public const int DemoAccountsSeeded = 430;
    public const int DemoAccountsReady = 431;
    public const int DemoFleetStarted = 900;
    public const int DemoFleetStale = 901;
    public const int DemoFleetFailed = 902;
    public const int DemoFleetLeftOver = 903;
}
