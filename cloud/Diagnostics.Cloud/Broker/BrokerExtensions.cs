using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker;

public static class BrokerExtensions
{
    /// <summary>
    /// The broker: embedded (plain and TLS listeners, device authentication) or external (a client connection with
    /// shared subscriptions, device accounts kept in the broker); presence tracking, the heartbeat monitor and the end
    /// of revoked sessions either way. Register after ingestion and certificates.
    /// </summary>
    public static IHostApplicationBuilder AddBroker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddBrokerOptions(builder);
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
        builder.Services.AddSingleton<DeviceAuthenticator>();
        if (IsExternal(builder))
        {
            // Device traffic after the dynamic-security subscriber, which gives the cloud's account its rights first.
            AddExternalConnection(builder);
            builder.Services.AddSingleton<DeviceTrafficSubscriber>();
            builder.Services.AddSingleton<IExternalBrokerSubscriber>(sp => sp.GetRequiredService<DeviceTrafficSubscriber>());
            builder.Services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<ExternalBrokerConnection>());
            builder.Services.AddSingleton<IDeviceSessionEnding, ExternalDeviceSessionEnding>();
            builder.Services.AddHealthChecks().AddCheck<ExternalBrokerHealthCheck>("broker");
        }
        else
        {
            builder.Services.AddSingleton<EmbeddedBroker>();
            builder.Services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
            builder.Services.AddSingleton<IDeviceSessionEnding>(sp => sp.GetRequiredService<EmbeddedBroker>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
            builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker");
        }
        builder.Services.AddSingleton<RevokedSessions>();
        builder.Services.AddSingleton<IDeviceSessions>(sp => sp.GetRequiredService<RevokedSessions>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RevokedSessions>());
        builder.Services.AddHostedService<PresenceMonitor>();
        return builder;
    }

    /// <summary>
    /// For the command line (<c>devices register</c>, <c>rotate</c>, <c>revoke</c>): with an external broker that keeps
    /// its own device accounts, a connection that only changes them; otherwise nothing.
    /// </summary>
    public static IHostApplicationBuilder AddBrokerDeviceAccounts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddBrokerOptions(builder);
        if (IsExternal(builder))
            AddExternalConnection(builder);
        return builder;
    }

    /// <summary>Whether the configuration asks for an external broker (known before the options are built).</summary>
    public static bool IsExternal(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Enum.TryParse<BrokerMode>(builder.Configuration[$"{BrokerOptions.SectionName}:{nameof(BrokerOptions.Mode)}"], ignoreCase: true, out var mode)
            && mode == BrokerMode.External;
    }

    private static void AddBrokerOptions(IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(IValidateOptions<BrokerOptions>)))
            return;
        builder.Services.AddOptions<BrokerOptions>()
            .Bind(builder.Configuration.GetSection(BrokerOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Mode == BrokerMode.External || System.Net.IPAddress.TryParse(o.BindAddress, out _), "Broker:BindAddress must be an IP address.")
            .Validate(o => o.Mode == BrokerMode.External || o.PlainEnabled || o.TlsEnabled, "Broker: enable PlainEnabled, TlsEnabled or both.")
            .Validate(o => o.Mode == BrokerMode.External || !(o.PlainEnabled && o.TlsEnabled) || o.Port != o.TlsPort || o.Port == 0, "Broker:Port and Broker:TlsPort must differ.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BrokerOptions>, ExternalBrokerOptionsValidation>();
    }

    private static void AddExternalConnection(IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<Observability.CloudMetrics>();
        builder.Services.AddSingleton<ExternalBrokerConnection>();
        builder.Services.AddSingleton(sp => new Lazy<ExternalBrokerConnection>(sp.GetRequiredService<ExternalBrokerConnection>));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExternalBrokerConnection>());
        builder.Services.AddSingleton<MosquittoDynamicSecurity>();
        builder.Services.AddSingleton<IExternalBrokerSubscriber>(sp => sp.GetRequiredService<MosquittoDynamicSecurity>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IBrokerDeviceAccounts>(sp => sp.GetRequiredService<MosquittoDynamicSecurity>()));
    }

    private sealed class ExternalBrokerOptionsValidation : IValidateOptions<BrokerOptions>
    {
        public ValidateOptionsResult Validate(string? name, BrokerOptions options)
        {
            if (options.Mode != BrokerMode.External)
                return ValidateOptionsResult.Success;
            var problems = ExternalBrokerConnection.Problems(options.External).ToList();
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options.External, new(options.External), results, validateAllProperties: true))
                problems.AddRange(results.Select(r => "Broker:External: " + r.ErrorMessage));
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
