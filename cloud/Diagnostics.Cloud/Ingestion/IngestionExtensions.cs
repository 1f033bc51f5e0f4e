using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        // The ingest hot path is the one store with an implementation per engine: each writes its batches the way its engine is fast at.
        builder.Services.TryAddSingleton<ITelemetryStore>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.PostgreSQL
            ? ActivatorUtilities.CreateInstance<PostgresTelemetryStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteTelemetryStore>(sp));
        builder.Services.AddSingleton<TelemetryPartitions>();
        builder.Services.AddHostedService<TelemetryRetention>();
        builder.Services.AddSingleton<UplinkChannel>();
        builder.Services.AddSingleton<UplinkIntake>();
        builder.Services.AddSingleton<IngestionPipeline>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        builder.Services.AddHealthChecks().AddCheck<IngestionHealthCheck>("ingestion");
        return builder;
    }
}
