using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Diagnostics.Cloud.Storage;

/// <summary>Healthy when a query against the database works.</summary>
internal sealed class StorageHealthCheck(SqliteConnectionFactory connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM devices;";
            var devices = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
            return HealthCheckResult.Healthy("SQLite answers.", new Dictionary<string, object>
            {
                ["path"] = connections.DatabasePath,
                ["devices"] = devices,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("SQLite query failed.", ex);
        }
    }
}
