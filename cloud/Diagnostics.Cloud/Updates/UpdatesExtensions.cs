using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Updates;

public static class UpdatesExtensions
{
    /// <summary>Firmware and driver updates: the package catalog, staged rollouts and their scheduler.</summary>
    public static IHostApplicationBuilder AddUpdates(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<UpdateOptions>().BindConfiguration(UpdateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UpdatePackageStore>();
        builder.Services.AddSingleton<RolloutStore>();
        builder.Services.AddSingleton<RolloutTargetStore>();
        builder.Services.AddSingleton<UpdateInboxStore>();
        // Takes what it needs of each uplink in the transaction ingestion stores it in.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoredUplinkHandOff, UpdateInboxWriter>());
        builder.Services.AddSingleton<MaintenanceWindowStore>();
        builder.Services.AddSingleton<PackageCatalog>();
        builder.Services.AddSingleton<RolloutTargets>();
        builder.Services.AddSingleton<UpdateOfferPublisher>();
        builder.Services.AddSingleton<RolloutService>();
        builder.Services.AddSingleton<CustomerUpdates>();
        builder.Services.AddSingleton<StaffRollouts>();
        builder.Services.AddHostedService<RolloutScheduler>();
        return builder;
    }
}
