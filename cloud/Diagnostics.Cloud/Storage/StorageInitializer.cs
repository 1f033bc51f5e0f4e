namespace Diagnostics.Cloud.Storage;

/// <summary>Creates the schema before any other hosted service touches the database.</summary>
internal sealed class StorageInitializer(SqliteConnectionFactory connections) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => connections.EnsureSchemaAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
