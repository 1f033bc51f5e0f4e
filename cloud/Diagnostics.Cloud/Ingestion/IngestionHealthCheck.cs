using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Diagnostics.Cloud.Ingestion;

internal sealed class IngestionHealthCheck(IngestionPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["running"] = pipeline.IsRunning,
            ["queueDepth"] = pipeline.QueueDepth,
            ["lastBatchAt"] = pipeline.LastBatchAt?.ToString("O") ?? "",
            ["lastBatchSize"] = pipeline.LastBatchSize,
        };
        return Task.FromResult(pipeline.IsRunning
            ? HealthCheckResult.Healthy("Ingestion pipeline running.", data)
            : HealthCheckResult.Unhealthy("Ingestion pipeline not running.", data: data));
    }
}
