using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// A real Mosquitto on a free loopback port with its dynamic-security plugin: no anonymous clients, one administrator
/// (made by <c>mosquitto_ctrl dynsec init</c>), and the plugin's defaults for everyone else (publish and subscribe denied).
/// Stopped by its own process id.
/// </summary>
public sealed class MosquittoWithDynamicSecurity : IAsyncDisposable
{
    public const string AdminUser = "dx-admin";

    private readonly ChildProcess _process;
    private readonly string _directory;

    private MosquittoWithDynamicSecurity(ChildProcess process, string directory, int port, string adminPassword)
    {
        _process = process;
        _directory = directory;
        Port = port;
        AdminPassword = adminPassword;
    }

    public int Port { get; }

    /// <summary>The broker's process (for its CPU and memory in the load runs).</summary>
    public int ProcessId => _process.Id;

    public string AdminPassword { get; }

    /// <summary>Mosquitto's log so far (for failure messages).</summary>
    public string Log => _process.Tail();

    /// <param name="extraConfiguration">More lines for mosquitto.conf (the load runs raise <c>max_queued_messages</c>).</param>
    /// <param name="provision">
    /// Given the plugin's file after <c>dynsec init</c> and before Mosquitto reads it: the <c>fleet</c> run writes its
    /// devices' accounts there in one go, because each account created through the plugin's commands rewrites the whole
    /// file (thousands of accounts take minutes, then time out).
    /// </param>
    public static async Task<MosquittoWithDynamicSecurity> StartAsync(
        CancellationToken cancellationToken, IReadOnlyList<string>? extraConfiguration = null, Func<string, CancellationToken, Task>? provision = null)
    {
        var mosquitto = ExternalTools.Require("mosquitto", "apt-get install mosquitto");
        var control = ExternalTools.Require("mosquitto_ctrl", "apt-get install mosquitto");
        var plugin = FindPlugin();
        var directory = Path.Combine(Path.GetTempPath(), "dx-mosquitto", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var adminPassword = Guid.NewGuid().ToString("N");
        var dynsec = Path.Combine(directory, "dynamic-security.json");
        var (exit, stdout, stderr) = await ExternalTools.RunAsync(control, ["dynsec", "init", dynsec, AdminUser, adminPassword], [], cancellationToken);
        if (exit != 0)
            throw new InvalidOperationException($"mosquitto_ctrl dynsec init failed ({exit}): {stdout}{stderr}");
        if (provision is not null)
            await provision(dynsec, cancellationToken);
        var port = FreePort.Next();
        var config = Path.Combine(directory, "mosquitto.conf");
        // Run as root (CI), Mosquitto would switch to the mosquitto user, which cannot write the plugin's file here.
        var user = Environment.UserName == "root" ? "user root\n" : "";
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous false
            persistence false
            set_tcp_nodelay true
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information
            {user}plugin {plugin}
            plugin_opt_config_file {dynsec}
            {string.Join("\n", extraConfiguration ?? [])}

            """, cancellationToken);
        var process = ChildProcess.StartExecutable("mosquitto", mosquitto, ["-c", config]);
        try
        {
            await process.WaitForLineAsync(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new MosquittoWithDynamicSecurity(process, directory, port, adminPassword);
    }

    /// <summary>The plugin ships with Debian's mosquitto package, under the multiarch library directory.</summary>
    private static string FindPlugin()
    {
        const string name = "mosquitto_dynamic_security.so";
        var found = Directory.Exists("/usr/lib")
            ? Directory.EnumerateFiles("/usr/lib", name, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true }).FirstOrDefault()
            : null;
        if (found is not null)
            return found;
        var message = $"{name} is not under /usr/lib (apt-get install mosquitto).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI must install it.");
        Assert.Skip(message);
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}
