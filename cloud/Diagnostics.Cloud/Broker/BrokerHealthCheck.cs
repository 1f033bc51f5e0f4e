using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Diagnostics.Cloud.Broker;

internal sealed class BrokerHealthCheck(EmbeddedBroker broker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["running"] = broker.IsRunning,
            ["port"] = broker.Port,
            ["tlsPort"] = broker.TlsPort,
            ["connectedClients"] = await broker.ConnectedClientCountAsync(),
        };
        return broker.IsRunning
            ? HealthCheckResult.Healthy("MQTT broker running.", data)
            : HealthCheckResult.Unhealthy("MQTT broker not running.", data: data);
    }
}
