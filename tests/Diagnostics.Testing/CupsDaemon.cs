namespace Diagnostics.Testing;

/// <summary>
/// A private <see cref="CupsServer"/> with open administration and one queue <c>testq</c> (file:///dev/null, no
/// driver), as the collectors' tests watch it: CUPS offers Create-Printer-Subscriptions and Get-Notifications with the
/// ippget pull method, and any local client may pause and resume the queue. Killed on dispose. Needs packages
/// <c>cups-daemon</c> and <c>cups-client</c>.
/// </summary>
public sealed class CupsDaemon : IAsyncDisposable
{
    public const string Queue = "testq";

    private readonly CupsServer _server;

    private CupsDaemon(CupsServer server) => _server = server;

    public string Server => _server.Server;

    public Uri QueueUri => _server.QueueUri(Queue);

    public HttpClient Http => _server.Http;

    /// <summary>cupsd's error log (LogLevel debug), for failure messages.</summary>
    public string ErrorLog => _server.ErrorLog;

    public static async Task<CupsDaemon> StartAsync()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("cupsd runs on Linux and macOS only.");
        var server = await CupsServer.StartAsync(openAdministration: true);
        try
        {
            await server.AddQueueAsync(Queue, "file:///dev/null", ppdPath: null);
            return new CupsDaemon(server);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>cupsdisable -r reason</c>: the queue stops (printer-state stopped, reason paused, the message set).</summary>
    public Task DisableAsync(string reason) => _server.AdministerAsync("cupsdisable", ["-r", reason, Queue]);

    public Task EnableAsync() => _server.AdministerAsync("cupsenable", [Queue]);

    /// <inheritdoc cref="CupsServer.PauseAsync"/>
    public Task PauseAsync() => _server.PauseAsync();

    /// <inheritdoc cref="CupsServer.ResumeAsync"/>
    public Task ResumeAsync() => _server.ResumeAsync();

    /// <summary>The ids of the subscriptions cupsd holds on the queue, by any user.</summary>
    public Task<IReadOnlyList<int>> SubscriptionIdsAsync() => _server.SubscriptionIdsAsync(Queue);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
