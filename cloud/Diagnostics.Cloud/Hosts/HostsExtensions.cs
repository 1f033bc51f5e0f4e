using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Hosts;

public static class HostsExtensions
{
    /// <summary>The hosts that print to registered printers: their store and the inventory that applies their reports.</summary>
    public static IHostApplicationBuilder AddHosts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HostOptions>().BindConfiguration(HostOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HostStore>();
        builder.Services.AddSingleton<HostInboxStore>();
        // Takes what it needs of each uplink in the transaction ingestion stores it in.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoredUplinkHandOff, HostInboxWriter>());
        // Each audience's one way in, for endpoints and pages alike.
        builder.Services.AddSingleton<CustomerHosts>();
        builder.Services.AddSingleton<StaffHosts>();
        builder.Services.AddHostedService<HostInventory>();
        return builder;
    }
}
