namespace Diagnostics.Cloud.Http;

/// <summary>Who to sign in as, in a demo, beside the URLs of the ready line.</summary>
public sealed record DemoSignIns(string Agent, string Customer, string Password);

/// <summary>
/// The line a person who started the cloud looks for: where to open it in a browser (the dashboard, not an address that
/// answers 401) and, in a demo, who to sign in as. It must come last at start-up, not scrolled away: the web host logs it
/// when the server listens, unless demo printers start — then the demo fleet logs it once they run, after their own
/// start-up lines.
/// </summary>
public static partial class StartupReadyLine
{
    /// <summary>Logs the line for the server's first address (a wildcard host made <c>localhost</c>).</summary>
    public static void Log(ILogger logger, string firstAddress, DemoSignIns? demo)
    {
        ArgumentNullException.ThrowIfNull(firstAddress);
        var open = firstAddress.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        var (dashboard, companion) = ($"{open}/dashboard", $"{open}/app");
        if (demo is null)
            LogReady(logger, dashboard, companion);
        else
            LogReadyWithDemo(logger, dashboard, demo.Agent, companion, demo.Customer, demo.Password);
    }

    [LoggerMessage(EventId = HttpEventIds.StartupReady, Level = LogLevel.Information, Message = "Ready. Dashboard: {Dashboard} · companion app: {App}")]
    private static partial void LogReady(ILogger logger, string dashboard, string app);

    [LoggerMessage(EventId = HttpEventIds.StartupReady, Level = LogLevel.Information,
        Message = "Ready. Dashboard: {Dashboard} (sign in as {Agent}) · companion app: {App} (sign in as {Customer}) · demo password: {Password}")]
    private static partial void LogReadyWithDemo(ILogger logger, string dashboard, string agent, string app, string customer, string password);
}
