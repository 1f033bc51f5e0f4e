using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Updates;

/// <summary>When customers let updates install on their devices.</summary>
public sealed class MaintenanceWindowStore(Database database)
{
    public async Task<MaintenanceWindow> WindowAsync(string deviceId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<MaintenanceWindow>(
            "SELECT from_minute, to_minute, time_zone, not_while_printing FROM maintenance_windows WHERE device_id = @deviceId;", new { deviceId }, cancellationToken)
        ?? MaintenanceWindow.Default;

    public Task SetWindowAsync(string deviceId, MaintenanceWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        return database.ExecuteAsync("""
            INSERT INTO maintenance_windows (device_id, from_minute, to_minute, time_zone, not_while_printing)
            VALUES (@deviceId, @FromMinute, @ToMinute, @TimeZone, @NotWhilePrinting)
            ON CONFLICT (device_id) DO UPDATE SET from_minute = excluded.from_minute, to_minute = excluded.to_minute, time_zone = excluded.time_zone,
                not_while_printing = excluded.not_while_printing;
            """, new { deviceId, window.FromMinute, window.ToMinute, window.TimeZone, window.NotWhilePrinting }, cancellationToken);
    }
}
