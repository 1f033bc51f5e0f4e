using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Storage;

public static class StorageExtensions
{
    /// <summary>SQLite in WAL mode, or PostgreSQL (<c>Storage:Provider</c>); schema brought up to date at start. Register before anything that stores.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Only the configured engine's factory is ever made.
        builder.Services.AddSingleton<SqliteConnectionFactory>();
        builder.Services.AddSingleton<PostgresConnectionFactory>();
        builder.Services.AddSingleton<ConnectionFactory>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.PostgreSQL
            ? sp.GetRequiredService<PostgresConnectionFactory>()
            : sp.GetRequiredService<SqliteConnectionFactory>());
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<InstanceLeases>();
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return builder;
    }
}
