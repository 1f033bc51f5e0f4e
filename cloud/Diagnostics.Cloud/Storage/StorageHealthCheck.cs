using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Diagnostics.Cloud.Storage;

/// <summary>Healthy when a query against the database works.</summary>
internal sealed class StorageHealthCheck(ConnectionFactory connections, Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var devices = await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM devices;", null, cancellationToken);
            return HealthCheckResult.Healthy($"{connections.Dialect.Provider} answers.", new Dictionary<string, object>
            {
                ["path"] = connections.Location,
                ["devices"] = devices,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{connections.Dialect.Provider} query failed.", ex);
        }
    }
}
