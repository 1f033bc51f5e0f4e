using System.Diagnostics;
using System.Globalization;
using System.Text;
using Diagnostics.Agent.Collectors.Ipp;
using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// A real, private print server: <c>cupsd</c> (CUPS 2.4) on a free loopback port with everything (configuration,
/// spool, state, logs, its own ServerBin) in a temp folder, set up like a host's: changing a queue needs an
/// administrator (cupsd's "Local" root certificate in <see cref="CertificateDirectory"/>, as on a real host) unless
/// started with open administration (any local client may pause, resume and change queues, as the collectors' tests
/// need for a printer's own remote actions), and a
/// few filters of its own stand in for a real driver's (the machine's cupsd package ships none): <c>dx-pass</c> passes
/// a document through (and makes PostScript printable), <c>dx-fail</c> fails every job as a broken driver does.
/// Killed on dispose. Needs packages <c>cups-daemon</c> and <c>cups-client</c>.
/// </summary>
public sealed class CupsServer : IAsyncDisposable
{
    /// <summary>A filter a PPD may name that always fails: a driver that installs but breaks the queue.</summary>
    public const string FailingFilter = "dx-fail";

    private const string PassThrough = "#!/bin/sh\n# CUPS filter: job-id user title copies options [file]\nif [ -n \"$6\" ]; then cat \"$6\"; else cat; fi\n";

    private static readonly Dictionary<string, string> Filters = new(StringComparer.Ordinal)
    {
        ["dx-pass"] = PassThrough,
        // cupsd sends printer commands of PostScript queues through commandtops (from the "cups" package).
        ["commandtops"] = PassThrough,
        [FailingFilter] = "#!/bin/sh\necho 'ERROR: dx-fail: this driver fails every job' >&2\nexit 1\n",
    };

    private const string AdministratorsOnly = """
          <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Accept-Jobs CUPS-Reject-Jobs Pause-Printer Resume-Printer>
            AuthType Default
            Require user @SYSTEM
            Order deny,allow
          </Limit>
        """;

    private const short GetSubscriptions = 0x0019;

    private readonly string _directory;
    private readonly Process _daemon;

    private CupsServer(string directory, Process daemon, int port)
    {
        _directory = directory;
        _daemon = daemon;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, as <c>lpadmin -h</c> takes it.</summary>
    public string Server => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>cupsd's own address: <c>ipp://127.0.0.1:port/</c>.</summary>
    public Uri Uri => new($"ipp://{Server}/");

    /// <summary>cupsd's StateDir: its root certificate is in <c>certs/0</c>, readable by root.</summary>
    public string StateDirectory => Path.Combine(_directory, "state");

    public string CertificateDirectory => Path.Combine(StateDirectory, "certs");

    /// <summary>This cupsd's ServerBin (its filters), for cupstestppd to judge PPDs by.</summary>
    public string ServerBin => Path.Combine(_directory, "serverbin");

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

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<CupsServer> StartAsync(bool openAdministration = false)
    {
        var cupsd = ExternalTools.Require("cupsd", "apt-get install cups-daemon");
        ExternalTools.Require("lpadmin", "apt-get install cups-client");
        var root = Environment.UserName == "root";
        var directory = Directory.CreateTempSubdirectory("cups-server-").FullName;
        // Filters run as lp when cupsd runs as root: they must be able to reach the spool and ServerBin.
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, open);
        foreach (var sub in new[] { "root", "spool", "tmp", "state", "cache", "log", "serverbin", "serverbin/filter" })
            Directory.CreateDirectory(Path.Combine(directory, sub), open);
        foreach (var shipped in new[] { "backend", "daemon", "notifier" })
            File.CreateSymbolicLink(Path.Combine(directory, "serverbin", shipped), Path.Combine("/usr/lib/cups", shipped));
        foreach (var (name, script) in Filters)
        {
            var path = Path.Combine(directory, "serverbin", "filter", name);
            await File.WriteAllTextAsync(path, script, TestContext.Current.CancellationToken);
            File.SetUnixFileMode(path, open);
        }
        // What the "cups" package's pstops does for PostScript queues, done by the pass-through filter.
        await File.WriteAllTextAsync(Path.Combine(directory, "root", "dx.convs"),
            "application/postscript application/vnd.cups-postscript 66 dx-pass\n", TestContext.Current.CancellationToken);

        var (user, group) = root ? ("lp", "lp") : (Environment.UserName, await PrimaryGroupAsync());
        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(directory, "root", "cupsd.conf"), $"""
            Listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
            WebInterface No
            Browsing No
            DefaultAuthType {(openAdministration ? "None" : "Basic")}
            LogLevel debug
            <Location />
              Order allow,deny
              Allow all
            </Location>
            <Policy default>
            {(openAdministration ? "" : AdministratorsOnly)}
              <Limit All>
                Order deny,allow
                Allow all
              </Limit>
            </Policy>

            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "root", "cups-files.conf"), $"""
            ServerRoot {directory}/root
            ServerBin {directory}/serverbin
            RequestRoot {directory}/spool
            TempDir {directory}/tmp
            StateDir {directory}/state
            CacheDir {directory}/cache
            AccessLog {directory}/log/access_log
            ErrorLog {directory}/log/error_log
            PageLog {directory}/log/page_log
            User {user}
            Group {group}
            SystemGroup {(root ? "root" : group)}
            FileDevice Yes

            """, TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo(cupsd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-f", "-c", Path.Combine(directory, "root", "cupsd.conf"), "-s", Path.Combine(directory, "root", "cups-files.conf") })
            start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new CupsServer(directory, process, port);
        try
        {
            var scheduler = new IppClient(server.Http, server.Uri, TimeSpan.FromSeconds(1), IppCodec.DefaultMaxMessageBytes);
            await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited)
                {
                    lock (output)
                        Assert.Fail($"cupsd exited with {process.ExitCode}: {output}\n{server.ErrorLog}");
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
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary><c>lpadmin -p NAME -E -v DEVICE-URI [-P PPD]</c>: a queue that takes jobs, with that PPD (none: raw).</summary>
    public Task AddQueueAsync(string name, string deviceUri, string? ppdPath) =>
        AdministerAsync("lpadmin", ["-p", name, "-E", "-v", deviceUri, .. ppdPath is null ? Array.Empty<string>() : ["-P", ppdPath]]);

    /// <summary>Runs a CUPS administration tool (lpadmin, cupsdisable …) against this cupsd, as root proves itself to it.</summary>
    public async Task AdministerAsync(string tool, IEnumerable<string> arguments)
    {
        var path = ExternalTools.Require(tool, "apt-get install cups-client");
        string[] all = ["-h", Server, .. arguments];
        var (exitCode, stdout, stderr) = await ExternalTools.RunAsync(path, all, [], TestContext.Current.CancellationToken,
            new Dictionary<string, string> { ["CUPS_STATEDIR"] = StateDirectory });
        Assert.True(exitCode == 0, $"{tool} {string.Join(' ', all)} exited with {exitCode}: {stdout}{stderr}\n{ErrorLog}");
    }

    /// <summary><c>ipp://127.0.0.1:port/printers/NAME</c>.</summary>
    public Uri QueueUri(string queue) => new($"ipp://{Server}/printers/{Uri.EscapeDataString(queue)}");

    /// <summary>
    /// SIGSTOP to this cupsd (by its PID): it still accepts TCP connections (the kernel queues them) but answers
    /// nothing, as a hung print server does, until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: cupsd answers again, including what was queued while it was paused.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        var kill = ExternalTools.Require("kill", "apt-get install procps");
        string[] arguments = [signal, _daemon.Id.ToString(CultureInfo.InvariantCulture)];
        var (exitCode, stdout, stderr) = await ExternalTools.RunAsync(kill, arguments, [], TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, $"kill {string.Join(' ', arguments)} exited with {exitCode}: {stdout}{stderr}");
    }

    /// <summary>The ids of the subscriptions cupsd holds on a queue, by any user (Get-Subscriptions, RFC 3995 11.2.6).</summary>
    public async Task<IReadOnlyList<int>> SubscriptionIdsAsync(string queue)
    {
        var client = new IppClient(Http, QueueUri(queue), TimeSpan.FromSeconds(5), IppCodec.DefaultMaxMessageBytes);
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

    /// <summary>The queue's PPD as cupsd serves it, or null when it has none.</summary>
    public async Task<byte[]?> PpdAsync(string queue)
    {
        using var response = await Http.GetAsync(new Uri($"http://{Server}/printers/{Uri.EscapeDataString(queue)}.ppd"), TestContext.Current.CancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Files cupsd still holds or made for its User; the temp folder is cleaned eventually.
        }
    }
}
