namespace Diagnostics.Cloud.Updates;

// The kind of failure a device reported (UpdateFailure's name, stored as such in rollout_devices.failure) in the
// reader's language: texts Failure.{name} in the same resources (l10n-updates-rest's block).
public static partial class UpdateExplanations
{
    /// <summary>
    /// <paramref name="stored"/> ("HealthCheckFailed", "Withdrawn") in the reader's language; empty for no failure, and
    /// a name this cloud has no text for (a newer agent's) as stored.
    /// </summary>
    public static string FailureName(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Length == 0)
            return "";
        var name = "Failure." + stored;
        return Texts.Manager.GetString(name, System.Globalization.CultureInfo.InvariantCulture) is null ? stored : Text(name);
    }
}
