using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>The log lines of <c>Updates/</c>, in one place (ids 430-459 in <see cref="AgentLogEvents"/>).</summary>
internal static partial class UpdateLog
{
    [LoggerMessage(AgentLogEvents.UpdateOfferReceived, LogLevel.Information, "{DeviceId} received update offer {OfferId} (withdrawn: {Withdrawn}, payload {PayloadUrl})")]
    public static partial void OfferReceived(ILogger logger, string deviceId, string offerId, bool withdrawn, string payloadUrl);

    [LoggerMessage(AgentLogEvents.UpdateRefused, LogLevel.Warning, "{DeviceId} refused update offer {OfferId}: {Failure}: {Reason}")]
    public static partial void Refused(ILogger logger, string deviceId, string offerId, UpdateFailure failure, string reason);

    [LoggerMessage(AgentLogEvents.UpdateRepeated, LogLevel.Information, "{DeviceId} already has update offer {OfferId} ({Stage}): answering with its last report")]
    public static partial void Repeated(ILogger logger, string deviceId, string offerId, UpdateStage stage);

    [LoggerMessage(AgentLogEvents.UpdateWithdrawn, LogLevel.Information, "{DeviceId} stopped update offer {OfferId}: {Reason}")]
    public static partial void Withdrawn(ILogger logger, string deviceId, string offerId, string reason);

    [LoggerMessage(AgentLogEvents.UpdateWaiting, LogLevel.Information, "{DeviceId} waits to start update offer {OfferId}: {Reason}")]
    public static partial void Waiting(ILogger logger, string deviceId, string offerId, string reason);

    [LoggerMessage(AgentLogEvents.UpdateDownloadProgress, LogLevel.Information, "{DeviceId} downloading update offer {OfferId}: {BytesDone} of {BytesTotal} bytes")]
    public static partial void DownloadProgress(ILogger logger, string deviceId, string offerId, long bytesDone, long bytesTotal);

    [LoggerMessage(AgentLogEvents.UpdateDownloadRetry, LogLevel.Warning, "{DeviceId}: downloading {Url} failed at {BytesDone} of {BytesTotal} bytes: {Reason}; retrying in {DelaySeconds:0.0} s")]
    public static partial void DownloadRetrying(ILogger logger, string deviceId, Uri url, long bytesDone, long bytesTotal, string reason, double delaySeconds);

    [LoggerMessage(AgentLogEvents.UpdateDownloadFailed, LogLevel.Warning, "{DeviceId}: download of {Url} failed: {Reason}")]
    public static partial void DownloadFailed(ILogger logger, string deviceId, Uri url, string reason);

    [LoggerMessage(AgentLogEvents.UpdateInstalling, LogLevel.Information, "{DeviceId} installing update offer {OfferId}: version {Version} with the {Installer} installer")]
    public static partial void Installing(ILogger logger, string deviceId, string offerId, string version, UpdateInstallerKind installer);

    [LoggerMessage(AgentLogEvents.UpdateInstallFailed, LogLevel.Error, "{DeviceId}: installing update offer {OfferId} failed; the old version stays: {Reason}")]
    public static partial void InstallFailed(ILogger logger, string deviceId, string offerId, string reason);

    [LoggerMessage(AgentLogEvents.UpdateRebooting, LogLevel.Information, "{DeviceId} rebooting into {Version} for update offer {OfferId}")]
    public static partial void Rebooting(ILogger logger, string deviceId, string offerId, string version);

    [LoggerMessage(AgentLogEvents.UpdateHealthCheck, LogLevel.Information, "{DeviceId} checking the health of {Version} for update offer {OfferId} (window {WindowSeconds} s)")]
    public static partial void HealthCheck(ILogger logger, string deviceId, string offerId, string version, double windowSeconds);

    [LoggerMessage(AgentLogEvents.UpdateSucceeded, LogLevel.Information, "{DeviceId} runs {Version} (was {FromVersion}): update offer {OfferId} succeeded")]
    public static partial void Succeeded(ILogger logger, string deviceId, string offerId, string version, string fromVersion);

    [LoggerMessage(AgentLogEvents.UpdateRolledBack, LogLevel.Warning, "{DeviceId} rolled back update offer {OfferId} ({Version}): {Reason}")]
    public static partial void RolledBack(ILogger logger, string deviceId, string offerId, string version, string reason);

    [LoggerMessage(AgentLogEvents.UpdateResumed, LogLevel.Information, "{DeviceId} carries on with update offer {OfferId} ({Version}) from {Stage}")]
    public static partial void Resumed(ILogger logger, string deviceId, string offerId, string version, UpdateStage stage);

    [LoggerMessage(AgentLogEvents.UpdateJournalUnreadable, LogLevel.Error, "{DeviceId}: {Path} could not be read and was moved aside (.unreadable); starting without it: {Reason}")]
    public static partial void JournalUnreadable(ILogger logger, string deviceId, string path, string reason);

    [LoggerMessage(AgentLogEvents.UpdateSlotUnbootable, LogLevel.Error, "{DeviceId}: slot {Slot} cannot boot, booting slot {Other} instead: {Reason}")]
    public static partial void SlotUnbootable(ILogger logger, string deviceId, string slot, string other, string reason);

    [LoggerMessage(AgentLogEvents.UpdateBooted, LogLevel.Information, "{DeviceId} booted slot {Slot}: firmware {Version}")]
    public static partial void Booted(ILogger logger, string deviceId, string slot, string version);

    [LoggerMessage(AgentLogEvents.UpdateHookRan, LogLevel.Information, "{DeviceId}: the {Hook} hook exited with code {ExitCode}: {Output}")]
    public static partial void HookRan(ILogger logger, string deviceId, string hook, int exitCode, string output);

    [LoggerMessage(AgentLogEvents.UpdateFailed, LogLevel.Warning, "{DeviceId}: update offer {OfferId} failed: {Failure}: {Reason}")]
    public static partial void Finished(ILogger logger, string deviceId, string offerId, UpdateFailure failure, string reason);

    [LoggerMessage(AgentLogEvents.UpdateAgentFailed, LogLevel.Error, "{DeviceId}: update offer {OfferId} failed in the agent: {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, string deviceId, string offerId, string reason);

    [LoggerMessage(AgentLogEvents.UpdateBootFailed, LogLevel.Error, "{DeviceId}: the device could not boot from its slots at start: {Reason}")]
    public static partial void BootFailed(ILogger logger, string deviceId, string reason);
}
