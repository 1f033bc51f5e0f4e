namespace Diagnostics.Cloud.Storage;

/// <summary>
/// A host with the store and the capabilities a command needs, but no server: for the command-line tools
/// (<c>devices register</c>, <c>accounts add</c>) that change the store the running service uses.
/// </summary>
public static class StoreOnlyHost
{
    public static async Task<IHost> StartAsync(IEnumerable<string> configuration, Action<IHostApplicationBuilder> addCapabilities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addCapabilities);
        var builder = Host.CreateApplicationBuilder([.. configuration]);
        builder.Logging.ClearProviders();
        builder.AddStorage();
        addCapabilities(builder);
        var host = builder.Build();
        await host.Services.GetRequiredService<ConnectionFactory>().EnsureSchemaAsync(cancellationToken);
        return host;
    }
}
