namespace Diagnostics.Cloud.Live;

public static class LiveExtensions
{
    /// <summary>The in-process change feed that live views and the SignalR hub read. Register before ingestion.</summary>
    public static IHostApplicationBuilder AddLiveUpdates(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<FleetChanges>();
        builder.Services.AddSignalR();
        builder.Services.AddHostedService<LiveHubBroadcaster>();
        // Several instances on PostgreSQL: the same signals reach every instance's subscribers (nothing on SQLite).
        builder.Services.AddHostedService<InstanceSignals>();
        return builder;
    }

    public static WebApplication MapLiveUpdates(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }
}
