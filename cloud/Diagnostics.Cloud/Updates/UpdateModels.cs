using System.ComponentModel.DataAnnotations;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

public sealed class UpdateOptions
{
    public const string SectionName = "Updates";

    /// <summary>Where payloads are kept; relative to the working directory unless rooted. Empty: <c>packages</c> beside the database.</summary>
    public string PackageDirectory { get; set; } = "";

    /// <summary>
    /// Release keys (PEM public keys, or paths to <c>.pub.pem</c> files). The cloud takes only packages signed by one of
    /// them: it checks what devices will check before it offers anything.
    /// </summary>
    public List<string> TrustedKeys { get; set; } = [];

    [Range(1024, long.MaxValue)]
    public long MaxPackageBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How often the scheduler looks at deadlines when nothing wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the devices of a wave are watched after they succeed before the wave counts as healthy: a release that
    /// breaks something shows it in the hours after, not at install.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan HealthObservation { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Errors raised by updated devices in the observation before the comparison may halt a rollout (a single error is noise).</summary>
    [Range(1, 1000)]
    public int MinimumErrorsToHalt { get; set; } = 3;

    /// <summary>How many times their own earlier rate, and the not-yet-updated devices' rate, updated devices must exceed to halt.</summary>
    [Range(1.0, 100.0)]
    public double ErrorRateFactorToHalt { get; set; } = 2.0;

    /// <summary>How long "remind me later" puts an update off, within the release's maximum deferral.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan RemindLaterBy { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a device has to start an offer before it expires (it is offered again with a new id after).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan OfferLifetime { get; set; } = TimeSpan.FromDays(7);
}

public enum RolloutState
{
    Running,
    Paused,
    /// <summary>Stopped by itself: a wave failed too often or made devices worse.</summary>
    Halted,
    Cancelled,
    Completed,
}

/// <summary>Where one device is with one rollout. Offered and approved happen in the cloud; the rest is what the device reports.</summary>
public enum DeviceUpdateState
{
    /// <summary>In a later wave; nothing sent yet.</summary>
    Pending,
    /// <summary>Waiting for the customer's approval.</summary>
    Offered,
    /// <summary>The customer asked to be reminded later.</summary>
    Deferred,
    Declined,
    /// <summary>Approved; the offer is with the device, which starts at its moment in the wave.</summary>
    Approved,
    Downloading,
    Verifying,
    Installing,
    Rebooting,
    HealthCheck,
    Succeeded,
    Failed,
    RolledBack,
    /// <summary>The rollout stopped before the device began.</summary>
    Withdrawn,
}

public static class DeviceUpdateStates
{
    public static bool IsFinished(this DeviceUpdateState state) =>
        state is DeviceUpdateState.Succeeded or DeviceUpdateState.Failed or DeviceUpdateState.RolledBack or DeviceUpdateState.Declined or DeviceUpdateState.Withdrawn;

    /// <summary>The device has begun: an offer can no longer be withdrawn from it.</summary>
    public static bool HasStarted(this DeviceUpdateState state) =>
        state is DeviceUpdateState.Downloading or DeviceUpdateState.Verifying or DeviceUpdateState.Installing or DeviceUpdateState.Rebooting or DeviceUpdateState.HealthCheck;

    /// <summary>Waiting for the customer (or for its moment): an offer not yet taken up.</summary>
    public static bool IsWaiting(this DeviceUpdateState state) =>
        state is DeviceUpdateState.Pending or DeviceUpdateState.Offered or DeviceUpdateState.Deferred or DeviceUpdateState.Approved;

    public static DeviceUpdateState? FromPhase(UpdatePhase phase) => phase switch
    {
        UpdatePhase.Downloading => DeviceUpdateState.Downloading,
        UpdatePhase.Verifying => DeviceUpdateState.Verifying,
        UpdatePhase.Installing => DeviceUpdateState.Installing,
        UpdatePhase.Rebooting => DeviceUpdateState.Rebooting,
        UpdatePhase.HealthCheck => DeviceUpdateState.HealthCheck,
        UpdatePhase.Succeeded => DeviceUpdateState.Succeeded,
        UpdatePhase.Failed => DeviceUpdateState.Failed,
        UpdatePhase.RolledBack => DeviceUpdateState.RolledBack,
        _ => null,
    };

    public static string ToStorage(this DeviceUpdateState state) => StorageMapping.ToStorage(state);

    public static string ToStorage(this RolloutState state) => StorageMapping.ToStorage(state);
}

/// <summary>A package in the catalog: its verified manifest and where its payload is.</summary>
public sealed record UpdatePackage(
    UpdateManifest Manifest,
    SignedManifest SignedManifest,
    string KeyId,
    string PayloadFile,
    DateTimeOffset UploadedAt,
    string UploadedBy)
{
    public string Id => Manifest.PackageId;
}

/// <summary>What a rollout was asked to do; kept as it was created.</summary>
public sealed record RolloutSpec
{
    public string Name { get; init; } = "";
    public string PackageId { get; init; } = "";
    public IReadOnlyList<string> Models { get; init; } = [];
    public IReadOnlyList<string> FromVersions { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> DeviceIds { get; init; } = [];
    /// <summary>Cumulative share of the targeted devices after each wave, in percent, ending at 100.</summary>
    public IReadOnlyList<double> Waves { get; init; } = [1, 10, 50, 100];
    /// <summary>Devices of a wave start at random moments within this window after the wave opens.</summary>
    public int WaveWindowSeconds { get; init; } = 1800;
    /// <summary>A wave whose failed and rolled-back share of finished installs passes this halts the rollout.</summary>
    public double FailureThresholdPercent { get; init; } = 5;
    /// <summary>Every customer approves this one explicitly, even where a standing install policy would cover it.</summary>
    public bool RequireApproval { get; init; }
    /// <summary>How long in all a customer may put the update off with "remind me later".</summary>
    public int MaxDeferralSeconds { get; init; } = 72 * 3600;
    public int HealthCheckSeconds { get; init; } = 300;
}

public sealed record Rollout(
    string Id,
    RolloutSpec Spec,
    string Version,
    RolloutState State,
    string HaltReason,
    int CurrentWave,
    DateTimeOffset WaveStartedAt,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt)
{
    public bool IsActive => State is RolloutState.Running or RolloutState.Paused or RolloutState.Halted;
}

public sealed record RolloutDevice(
    string RolloutId,
    string DeviceId,
    int Wave,
    DeviceUpdateState State,
    int Attempt,
    string? OfferId,
    string? PackageId,
    string FromVersion,
    string RunningVersion,
    int Percent,
    string Failure,
    string Detail,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    string? ConsentId,
    DateTimeOffset? FirstOfferedAt,
    DateTimeOffset? DeferredUntil,
    DateTimeOffset? NotBefore,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset UpdatedAt,
    UpdateDetail? DeviceDetail = null);

/// <summary>A customer's rule for when updates may install on a device.</summary>
/// <param name="FromMinute">Minute of the day (0..1439) the window opens, in <paramref name="TimeZone"/>.</param>
/// <param name="ToMinute">Minute it closes; lower than <paramref name="FromMinute"/> for a window over midnight.</param>
public sealed record MaintenanceWindow(int FromMinute, int ToMinute, string TimeZone, bool NotWhilePrinting)
{
    /// <summary>Any time, but not while printing: what a device has until its owner says otherwise.</summary>
    public static readonly MaintenanceWindow Default = new(0, 0, "UTC", NotWhilePrinting: true);

    public bool IsAlwaysOpen => FromMinute == ToMinute;
}
