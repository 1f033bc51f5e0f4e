using System.Diagnostics;
using System.Globalization;
using System.Text;
using Diagnostics.Agent.Collectors.Ipp;

using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// A real, private <c>cupsd</c> (CUPS 2.4) on a free loopback port, everything (config, spool, state, cache, logs) in
/// a temp folder, any local client allowed to administer it, with one queue <c>testq</c> (file:///dev/null, no
/// driver). CUPS offers Create-Printer-Subscriptions and Get-Notifications with the ippget pull method. Killed on dispose.
/// Needs packages <c>cups-daemon</c> and <c>cups-client</c>.
/// </summary>
public sealed class CupsDaemon : IAsyncDisposable
{
    public const string Queue = "testq";

    private readonly string _directory;
    private readonly Process _daemon;
    private readonly string _cupsDisable;
    private readonly string _cupsEnable;

    private CupsDaemon(string directory, Process daemon, int port, string cupsDisable, string cupsEnable)
    {
        _directory = directory;
        _daemon = daemon;
        Port = port;
        _cupsDisable = cupsDisable;
        _cupsEnable = cupsEnable;
    }

    public int Port { get; }

    public string Server => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri QueueUri => new($"ipp://{Server}/printers/{Queue}");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>cupsd's error log (LogLevel debug), for failure messages.</summary>
    public string ErrorLog
    {
        get
        {
            try
            {
                using var stream = new FileStream(Path.Combine(_directory, "log", "error_log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            }
            catch (IOException ex)
            {
                return $"(no error log: {ex.Message})";
            }
        }
    }

    public static async Task<CupsDaemon> StartAsync()
    {
        var cupsd = ExternalTools.Require("cupsd", "apt-get install cups-daemon");
        var lpadmin = ExternalTools.Require("lpadmin", "apt-get install cups-client");
        var cupsDisable = ExternalTools.Require("cupsdisable", "apt-get install cups-client");
        var cupsEnable = ExternalTools.Require("cupsenable", "apt-get install cups-client");
        var directory = Directory.CreateTempSubdirectory("cupsd-").FullName;
        foreach (var sub in new[] { "root", "spool", "tmp", "state", "cache", "log" })
            Directory.CreateDirectory(Path.Combine(directory, sub));
        // cupsd refuses User root; as root, filters and backends run as lp. Otherwise as the current user.
        var (user, group) = Environment.UserName == "root" ? ("lp", "lp") : (Environment.UserName, await PrimaryGroupAsync());
        var systemGroup = Environment.UserName == "root" ? "root" : group;
        var port = FreePort.Next();
        var cupsdConf = Path.Combine(directory, "root", "cupsd.conf");
        var filesConf = Path.Combine(directory, "root", "cups-files.conf");
        await File.WriteAllTextAsync(cupsdConf, $"""
            Listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
            WebInterface No
            Browsing No
            DefaultAuthType None
            LogLevel debug
            <Location />
              Order allow,deny
              Allow all
            </Location>
            <Policy default>
              <Limit All>
                Order deny,allow
                Allow all
              </Limit>
            </Policy>

            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(filesConf, $"""
            ServerRoot {directory}/root
            RequestRoot {directory}/spool
            TempDir {directory}/tmp
            StateDir {directory}/state
            CacheDir {directory}/cache
            AccessLog {directory}/log/access_log
            ErrorLog {directory}/log/error_log
            PageLog {directory}/log/page_log
            User {user}
            Group {group}
            SystemGroup {systemGroup}
            FileDevice Yes

            """, TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo(cupsd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-f", "-c", cupsdConf, "-s", filesConf })
            start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new CupsDaemon(directory, process, port, cupsDisable, cupsEnable);
        try
        {
            var scheduler = new IppClient(daemon.Http, new Uri($"ipp://{daemon.Server}/"), TimeSpan.FromSeconds(1), IppCodec.DefaultMaxMessageBytes);
            await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited)
                {
                    lock (output)
                        Assert.Fail($"cupsd exited with {process.ExitCode}: {output}\n{daemon.ErrorLog}");
                }
                try
                {
                    await scheduler.GetPrinterAttributesAsync(["printer-state"], TestContext.Current.CancellationToken);
                    return true;
                }
                catch (IppRequestException ex)
                {
                    // No printers yet: client-error-not-found is an answer, so cupsd is up.
                    return ex.Failure == IppRequestFailure.IppStatus;
                }
            }, "cupsd answers IPP", TimeSpan.FromSeconds(15));
            await daemon.RunAsync(lpadmin, "-h", daemon.Server, "-p", Queue, "-E", "-v", "file:///dev/null");
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
        return daemon;
    }

    /// <summary><c>cupsdisable -r reason</c>: the queue stops (printer-state stopped, reason paused, the message set).</summary>
    public Task DisableAsync(string reason) => RunAsync(_cupsDisable, "-h", Server, "-r", reason, Queue);

    public Task EnableAsync() => RunAsync(_cupsEnable, "-h", Server, Queue);

    /// <summary>
    /// SIGSTOP to this cupsd (by its PID): it still accepts TCP connections (the kernel queues them) but answers
    /// nothing, as a hung print server does, until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: cupsd answers again, including what was queued while it was paused.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private Task SignalAsync(string signal) =>
        RunAsync(ExternalTools.Require("kill", "apt-get install procps"), signal, _daemon.Id.ToString(CultureInfo.InvariantCulture));

    /// <summary>The ids of the subscriptions cupsd holds on the queue, by any user (Get-Subscriptions, RFC 3995 11.2.6).</summary>
    public async Task<IReadOnlyList<int>> SubscriptionIdsAsync()
    {
        var client = new IppClient(Http, QueueUri, TimeSpan.FromSeconds(5), IppCodec.DefaultMaxMessageBytes);
        var request = new IppMessage(2, 0, GetSubscriptions, client.NextRequestId(),
        [
            client.OperationAttributes(
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "test")),
                new IppAttribute("my-subscriptions", new IppBooleanValue(false))),
        ]);
        try
        {
            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return [.. response.Groups.Where(g => g.Tag == IppGroupTag.Subscription)
                .SelectMany(g => g.Attributes.Where(a => a.Name == "notify-subscription-id").SelectMany(a => a.Integers))];
        }
        catch (IppRequestException none) when (none.StatusCode == 0x0406)
        {
            return [];
        }
    }

    private const short GetSubscriptions = 0x0019;

    private async Task RunAsync(string tool, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await ExternalTools.RunAsync(tool, arguments, [], TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, $"{Path.GetFileName(tool)} {string.Join(' ', arguments)} exited with {exitCode}: {stdout}{stderr}\n{ErrorLog}");
    }

    private static async Task<string> PrimaryGroupAsync()
    {
        var (_, stdout, _) = await ExternalTools.RunAsync("id", ["-gn"], [], TestContext.Current.CancellationToken);
        return stdout.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _daemon.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Something still held open; the temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // Files cupsd created for its User; the temp folder is cleaned eventually.
        }
    }
}
