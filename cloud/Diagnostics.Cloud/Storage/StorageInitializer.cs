using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Storage;

/// <summary>Brings the schema up to date before any other hosted service touches the database.</summary>
internal sealed partial class StorageInitializer(ConnectionFactory connections, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await connections.EnsureSchemaAsync(cancellationToken);
        if (connections.LastMigration is not { } report || !logger.IsEnabled(LogLevel.Information))
            return;
        var steps = string.Join(", ", report.Applied.Select(s => $"{s.Version} {s.Description}"));
        LogMigrated(logger, connections.Location, report.Version, report.Applied.Count, steps);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = StorageEventIds.SchemaMigrated, Level = LogLevel.Information,
        Message = "Database {Path} at schema version {Version}; {Applied} steps applied now: {Steps}")]
    private static partial void LogMigrated(ILogger logger, string path, long version, int applied, string steps);
}
