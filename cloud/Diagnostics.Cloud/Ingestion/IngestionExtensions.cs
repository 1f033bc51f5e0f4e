using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Ingestion;

public static class IngestionExtensions
{
    /// <summary>The uplink checks, the bounded queue and the batch writer. Register before the broker.</summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<IngestionOptions>()
            .Bind(builder.Configuration.GetSection(IngestionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ITelemetryStore, SqliteTelemetryStore>();
        builder.Services.AddSingleton<UplinkChannel>();
        builder.Services.AddSingleton<UplinkIntake>();
        builder.Services.AddSingleton<IngestionPipeline>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        builder.Services.AddHealthChecks().AddCheck<IngestionHealthCheck>("ingestion");
        return builder;
    }
}
