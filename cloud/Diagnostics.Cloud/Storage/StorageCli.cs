namespace Diagnostics.Cloud.Storage;

/// <summary>
/// <c>storage migrate</c>: brings the configured database's schema up to date (what the service also does at start)
/// and says which steps it applied. Other arguments are configuration overrides, as for the service.
/// </summary>
public static class StorageCli
{
    public static bool IsCommand(string[] args) => args is ["storage", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["storage", "migrate", ..])
        {
            await error.WriteLineAsync("usage: storage migrate [--Storage:Path=<file> | --Storage:Provider=PostgreSQL --Storage:ConnectionString=<npgsql connection string>]");
            return 2;
        }
        using var host = await StoreOnlyHost.StartAsync(args[2..], _ => { }, cancellationToken);
        var connections = host.Services.GetRequiredService<ConnectionFactory>();
        var report = connections.LastMigration!;
        foreach (var step in report.Applied)
            await output.WriteLineAsync($"applied {step.Version}: {step.Description}");
        await output.WriteLineAsync($"{connections.Location}: schema version {report.Version}, {report.Applied.Count} steps applied now, {report.AlreadyThere.Count} already there.");
        return 0;
    }
}
