using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Broker;

public static class BrokerExtensions
{
    /// <summary>The embedded MQTT broker, presence tracking and the heartbeat monitor. Register after ingestion.</summary>
    public static IHostApplicationBuilder AddBroker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BrokerOptions>()
            .Bind(builder.Configuration.GetSection(BrokerOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "Broker:BindAddress must be an IP address.")
            .ValidateOnStart();
        builder.Services.AddOptions<ClientLimitsOptions>()
            .Bind(builder.Configuration.GetSection(ClientLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ClientLimits>();
        builder.Services.AddOptions<PresenceOptions>()
            .Bind(builder.Configuration.GetSection(PresenceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IPresenceStore, SqlitePresenceStore>();
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<EmbeddedBroker>();
        builder.Services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddHostedService<PresenceMonitor>();
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker");
        return builder;
    }
}
