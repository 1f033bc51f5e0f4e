using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Support;

public static class SupportExtensions
{
    /// <summary>Support sessions: the conversation store, its signals and the service over them.</summary>
    public static IHostApplicationBuilder AddSupport(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SqliteSupportStore>();
        builder.Services.AddSingleton<SessionSignals>();
        builder.Services.AddSingleton<SupportService>();
        return builder;
    }
}
