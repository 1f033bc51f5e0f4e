using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Devices;

public static class DevicesExtensions
{
    /// <summary>The registry, its store, and the JSON shape of the API (camelCase, enums as camelCase strings).</summary>
    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IDeviceStore, DeviceStore>();
        builder.Services.TryAddSingleton<IDeviceCredentialStore, DeviceCredentialStore>();
        // Replaced by Mosquitto's dynamic security when Broker:Mode is External (BrokerExtensions.AddBrokerDeviceAccounts).
        builder.Services.TryAddSingleton<IBrokerDeviceAccounts, NoBrokerDeviceAccounts>();
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddSingleton<CertificateEnrollment>();
        builder.Services.AddSingleton<DeviceCertificateCheck>();
        // Each audience's one way in, for endpoints and pages alike.
        builder.Services.AddSingleton<CustomerDevices>();
        builder.Services.AddSingleton<StaffDevices>();
        builder.Services.AddOptions<DevicesOptions>().Bind(builder.Configuration.GetSection(DevicesOptions.SectionName));
        // Fleet history: the counts over time that the dashboard charts.
        builder.Services.TryAddSingleton<IFleetHistoryStore, FleetHistoryStore>();
        builder.Services.AddOptions<FleetHistoryOptions>()
            .Bind(builder.Configuration.GetSection(FleetHistoryOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<FleetHistorySampler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        builder.Services.AddProblemDetails();
        return builder;
    }
}
