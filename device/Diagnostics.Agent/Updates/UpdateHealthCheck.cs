using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// Decides whether a freshly booted version may stay: the agent is connected to the cloud, the device reports that
/// version, answers, and shows no error condition it did not have before the update — continuously for
/// <see cref="UpdateOptions.HealthCheckStableFor"/>, within the window. A new error fails it at once, unless use caused it
/// (a paper jam, an open door: <see cref="Conditions.CausedByUse"/>).
/// </summary>
/// <param name="latestStatus">The telemetry pump's newest status (debounced, as the cloud sees it).</param>
public sealed class UpdateHealthCheck(Func<bool> isConnected, Func<DeviceStatus?> latestStatus, TimeProvider time, TimeSpan interval, TimeSpan stableFor)
{
    /// <summary>Null when the device passed; otherwise why it did not (coded, <see cref="UpdateDetail"/>'s Health* codes).</summary>
    /// <param name="errorsBefore">Codes of the error conditions active before the update: not held against the new version.</param>
    public async Task<UpdateDetail?> RunAsync(string targetVersion, IReadOnlyCollection<string> errorsBefore, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(errorsBefore);
        DateTimeOffset? healthySince = null;
        while (true)
        {
            var now = time.GetUtcNow();
            var status = latestStatus();
            var runsTarget = status is not null && FirmwareVersion.Compare(status.FirmwareVersion, targetVersion) == 0;
            if (runsTarget && status!.Conditions.Find(c => c.Severity == Severity.Error && !errorsBefore.Contains(c.Code) && !Conditions.CausedByUse.Contains(c.Condition)) is { } error)
                return UpdateDetail.HealthNewError(targetVersion, error.Code, error.Condition, error.Message);
            Func<UpdateDetail>? problem = !isConnected() ? () => UpdateDetail.HealthNotConnected(targetVersion, deadline)
                : status is null ? () => UpdateDetail.HealthNotRead(targetVersion, deadline)
                : status.State == DeviceState.Unreachable ? () => UpdateDetail.HealthNoAnswer(targetVersion, deadline, status.StateMessage)
                : !runsTarget ? () => UpdateDetail.HealthWrongVersion(targetVersion, deadline, status.FirmwareVersion)
                : null;
            if (problem is null)
            {
                healthySince ??= now;
                if (now - healthySince >= stableFor)
                    return null;
            }
            else
            {
                healthySince = null;
            }
            if (now >= deadline)
            {
                return problem is null ? UpdateDetail.HealthNotLongEnough(targetVersion, now - healthySince!.Value, stableFor, deadline) : problem();
            }
            var wait = deadline - now < interval ? deadline - now : interval;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, cancellationToken);
        }
    }
}
