namespace Diagnostics.Cloud.Devices;

/// <summary>The devices' live MQTT sessions, as far as credentials are concerned (the broker implements it).</summary>
public interface IDeviceSessions
{
    /// <summary>
    /// Ends at once the session of every device whose credentials were revoked or rotated since the last call (read
    /// from the audit trail, so changes made by another process — the command line — count too).
    /// </summary>
    Task EndRevokedSessionsAsync(CancellationToken cancellationToken);
}
