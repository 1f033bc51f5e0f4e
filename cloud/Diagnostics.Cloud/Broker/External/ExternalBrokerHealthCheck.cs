using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Diagnostics.Cloud.Broker.External;

internal sealed class ExternalBrokerHealthCheck(ExternalBrokerConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["mode"] = "external",
            ["clientId"] = connection.ClientId,
            ["connections"] = connection.Connections,
        };
        // Unhealthy takes the instance out of the proxy's rotation while it cannot take device traffic or send acks.
        return Task.FromResult(connection.IsReady
            ? HealthCheckResult.Healthy("Connected to the external MQTT broker.", data)
            : HealthCheckResult.Unhealthy("Not connected to the external MQTT broker.", data: data));
    }
}
