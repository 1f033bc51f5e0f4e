using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Broker.Hooks;
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
        builder.Services.AddSingleton<IHeardDevices>(sp => sp.GetRequiredService<PresenceTracker>());
        builder.Services.AddSingleton<DeviceAuthenticator>();
        builder.Services.AddSingleton<BrokerHookDecisions>();
        if (IsExternal(builder))
        {
            // Device traffic after the dynamic-security subscriber, which gives the cloud's account its rights first.
            AddExternalConnection(builder);
            builder.Services.AddSingleton<DeviceTrafficSubscriber>();
            builder.Services.AddSingleton<IExternalBrokerSubscriber>(sp => sp.GetRequiredService<DeviceTrafficSubscriber>());
            builder.Services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<ExternalBrokerConnection>());
            builder.Services.AddSingleton<IDeviceSessionEnding, ExternalDeviceSessionEnding>();
            if (UsesDeviceAccounts(builder, ExternalDeviceAccounts.MosquittoCertificates))
            {
                // The running cloud writes the revocation list; the command line's revocations reach it through the audit trail (RevokedSessions).
                builder.Services.AddSingleton<MosquittoCertificateRevocations>();
                builder.Services.AddHostedService(sp => sp.GetRequiredService<MosquittoCertificateRevocations>());
                builder.Services.Replace(ServiceDescriptor.Singleton<IBrokerDeviceAccounts>(sp => sp.GetRequiredService<MosquittoCertificateRevocations>()));
            }
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

    /// <summary>The broker as the devices commands use it: <see cref="AddBrokerDeviceAccounts"/> and the external connection to start.</summary>
    public static DeviceCommandBroker ForDeviceCommands { get; } =
        new(builder => builder.AddBrokerDeviceAccounts(), services => services.GetService<ExternalBrokerConnection>());

    /// <summary>Whether the configuration asks for an external broker (known before the options are built).</summary>
    public static bool IsExternal(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Enum.TryParse<BrokerMode>(builder.Configuration[$"{BrokerOptions.SectionName}:{nameof(BrokerOptions.Mode)}"], ignoreCase: true, out var mode)
            && mode == BrokerMode.External;
    }

    private static bool UsesDeviceAccounts(IHostApplicationBuilder builder, ExternalDeviceAccounts which) =>
        Enum.TryParse<ExternalDeviceAccounts>(builder.Configuration[$"{BrokerOptions.SectionName}:External:{nameof(ExternalBrokerOptions.DeviceAccounts)}"], ignoreCase: true, out var accounts)
        && accounts == which;

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
        // With the HTTP hooks the broker asks the cloud each time, and with certificates it trusts the device CA: there are no accounts in it to keep.
        if (UsesDeviceAccounts(builder, ExternalDeviceAccounts.HttpHooks) || UsesDeviceAccounts(builder, ExternalDeviceAccounts.MosquittoCertificates))
            return;
        builder.Services.AddSingleton<MosquittoDynamicSecurity>();
        builder.Services.AddSingleton<IExternalBrokerSubscriber>(sp => sp.GetRequiredService<MosquittoDynamicSecurity>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IBrokerDeviceAccounts>(sp => sp.GetRequiredService<MosquittoDynamicSecurity>()));
    }

    private sealed class ExternalBrokerOptionsValidation : IValidateOptions<BrokerOptions>
    {
        public ValidateOptionsResult Validate(string? name, BrokerOptions options)
        {
            var problems = options.Hooks.Problems().ToList();
            if (options.Hooks.Enabled && options.Mode != BrokerMode.External)
                problems.Add("Broker:Hooks:Enabled needs Broker:Mode External: the embedded broker decides itself.");
            if (options.Mode != BrokerMode.External)
                return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
            problems.AddRange(ExternalBrokerConnection.Problems(options.External));
            if (options.External.DeviceAccounts == ExternalDeviceAccounts.HttpHooks && !options.Hooks.Enabled)
                problems.Add("Broker:External:DeviceAccounts HttpHooks needs Broker:Hooks:Enabled (and its Secret or ClientCertificateThumbprints).");
            var hookResults = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options.Hooks, new(options.Hooks), hookResults, validateAllProperties: true))
                problems.AddRange(hookResults.Select(r => "Broker:Hooks: " + r.ErrorMessage));
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options.External, new(options.External), results, validateAllProperties: true))
                problems.AddRange(results.Select(r => "Broker:External: " + r.ErrorMessage));
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
