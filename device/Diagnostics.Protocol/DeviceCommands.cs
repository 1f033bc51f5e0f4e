using System.Collections.Frozen;

namespace Diagnostics.Protocol;

/// <summary>The kinds of consent a customer gives, one per kind of change to their device.</summary>
public enum ConsentAction
{
    /// <summary>Not said: never a valid consent (on the wire, a missing action reads as this).</summary>
    Unspecified = 0,
    /// <summary>Read more than the device reports by itself (a diagnostics bundle), or make it show itself.</summary>
    Diagnostics = 1,
    /// <summary>Run a routine the printer offers: resume, cancel stuck jobs, clear the paper path, clean, calibrate.</summary>
    Maintenance = 2,
    Settings = 3,
    Restart = 4,
    Install = 5,
}

/// <summary>
/// The commands the cloud may send a device, by name, and the consent each needs. The cloud checks the customer's
/// consent before it sends one; the agent checks it again before it acts.
/// </summary>
public static class DeviceCommands
{
    public const string ResumePrinter = "resume-printer";
    public const string CancelStuckJobs = "cancel-stuck-jobs";
    public const string Identify = "identify";
    public const string ClearPaperPath = "clear-paper-path";
    public const string CleanPrintHeads = "clean-print-heads";
    public const string Calibrate = "calibrate";
    public const string RestartAgent = "restart-agent";
    public const string CollectDiagnostics = "collect-diagnostics";
    /// <summary>A host switches its stopped print queues (or the one named) to driverless IPP Everywhere.</summary>
    public const string UseDriverless = "use-driverless";

    /// <summary>Every command, with the consent it needs.</summary>
    public static readonly FrozenDictionary<string, ConsentAction> ConsentNeeded = new Dictionary<string, ConsentAction>
    {
        [ResumePrinter] = ConsentAction.Maintenance,
        [CancelStuckJobs] = ConsentAction.Maintenance,
        [Identify] = ConsentAction.Diagnostics,
        [ClearPaperPath] = ConsentAction.Maintenance,
        [CleanPrintHeads] = ConsentAction.Maintenance,
        [Calibrate] = ConsentAction.Maintenance,
        [RestartAgent] = ConsentAction.Restart,
        [CollectDiagnostics] = ConsentAction.Diagnostics,
        [UseDriverless] = ConsentAction.Settings,
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
