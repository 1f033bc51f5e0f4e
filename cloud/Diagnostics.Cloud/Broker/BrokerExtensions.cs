using Diagnostics.Cloud.Devices;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Broker;

public static class BrokerExtensions
{
    /// <summary>The embedded MQTT broker (plain and TLS listeners, device authentication), presence tracking, the heartbeat monitor and the end of revoked sessions. Register after ingestion and certificates.</summary>
    public static IHostApplicationBuilder AddBroker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BrokerOptions>()
            .Bind(builder.Configuration.GetSection(BrokerOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "Broker:BindAddress must be an IP address.")
            .Validate(o => o.PlainEnabled || o.TlsEnabled, "Broker: enable PlainEnabled, TlsEnabled or both.")
            .Validate(o => !(o.PlainEnabled && o.TlsEnabled) || o.Port != o.TlsPort || o.Port == 0, "Broker:Port and Broker:TlsPort must differ.")
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
        builder.Services.TryAddSingleton<IPresenceStore, PresenceStore>();
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<EmbeddedBroker>();
        builder.Services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddSingleton<DeviceAuthenticator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddSingleton<RevokedSessions>();
        builder.Services.AddSingleton<IDeviceSessions>(sp => sp.GetRequiredService<RevokedSessions>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RevokedSessions>());
        builder.Services.AddHostedService<PresenceMonitor>();
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker");
        return builder;
    }
}
