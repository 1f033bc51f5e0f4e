using System.Diagnostics;
using System.Text;
using Diagnostics.Agent.Collectors.Ipp;
using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// A real <c>ippeveprinter</c> (mono laser, <c>-s 30,0</c>) on a free loopback port, with its own private D-Bus
/// system bus: ippeveprinter needs a system bus even with <c>-r off</c> ("Unable to initialize DNS-SD" otherwise),
/// and device/Diagnostics.Agent/Collectors/Ipp/README.md shows the same recipe by hand. Printed documents' <c>STATE:</c>/<c>ATTR:</c> lines change its
/// state through <c>fw.sh</c>. Killed, with its bus, on dispose; <see cref="StopAsync"/> and <see cref="RestartAsync"/>
/// switch the printer off and on again on the same port.
/// </summary>
public sealed class IppEvePrinter : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Process _bus;
    private readonly string _socket;
    private readonly StringBuilder _output;
    private Process _printer;

    private IppEvePrinter(string directory, Process bus, string socket, Process printer, int port, StringBuilder output)
    {
        _output = output;
        _directory = directory;
        _bus = bus;
        _socket = socket;
        _printer = printer;
        Port = port;
    }

    public int Port { get; }

    public Uri Uri => new($"ipp://localhost:{Port}/ipp/print");

    /// <summary>The same printer over TLS, with the self-signed certificate ippeveprinter makes for itself (<c>-K</c>).</summary>
    public Uri SecureUri => new($"ipps://localhost:{Port}/ipp/print");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>What the printer wrote so far (its log, fw.sh's lines), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<IppEvePrinter> StartAsync()
    {
        ExternalTools.Require("ippeveprinter", "apt-get install cups-ipp-utils");
        var dbusDaemon = ExternalTools.Require("dbus-daemon", "apt-get install dbus-daemon");
        var directory = Directory.CreateTempSubdirectory("ippeve-").FullName;
        var socket = Path.Combine(directory, "bus.sock");
        await File.WriteAllTextAsync(Path.Combine(directory, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig><type>system</type><listen>unix:path={socket}</listen><auth>EXTERNAL</auth>
            <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/><allow user="*"/></policy></busconfig>
            """);
        var script = Path.Combine(directory, "fw.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\ngrep -a -E '^(STATE|ATTR):' \"$1\" >&2\nexit 0\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(directory, "spool"));
        Directory.CreateDirectory(Path.Combine(directory, "keys"));

        var bus = Start(dbusDaemon, ["--config-file=" + Path.Combine(directory, "bus.conf"), "--nofork", "--nopidfile"], directory, null, null);
        await Eventually.TrueAsync(() => File.Exists(socket), "the private D-Bus socket exists", TimeSpan.FromSeconds(5));
        var port = FreePort.Next();
        var output = new StringBuilder();
        var started = new IppEvePrinter(directory, bus, socket, StartPrinter(directory, socket, port, output), port, output);
        try
        {
            await started.WaitUntilAnsweringAsync();
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
        return started;
    }

    /// <summary>Kills the printer (its bus stays): connections to its port are refused until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        try
        {
            _printer.Kill(entireProcessTree: true);
            await _printer.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Starts the printer again on the same port, as one switched back on; returns once it answers.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        _printer.Dispose();
        _printer = StartPrinter(_directory, _socket, Port, _output);
        await WaitUntilAnsweringAsync();
    }

    private static Process StartPrinter(string directory, string socket, int port, StringBuilder output) =>
        Start(ExternalTools.Require("ippeveprinter", "apt-get install cups-ipp-utils"),
            ["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "localhost", "-r", "off", "-d", Path.Combine(directory, "spool"),
             "-c", Path.Combine(directory, "fw.sh"), "-K", Path.Combine(directory, "keys"), "-M", "Acme", "-m", "LaserPro 500", "-s", "30,0", "Acme LaserPro"],
            directory, "unix:path=" + socket, output);

    /// <summary>
    /// How long a starting printer may take to answer. 10 s was not enough on a busy machine (a fresh clone's CI run timed out
    /// there in a driver-install test's first printer start; each start also makes the printer's TLS key in keys/); a printer
    /// that answers sooner ends the wait sooner.
    /// </summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(45);

    private async Task WaitUntilAnsweringAsync()
    {
        var client = Client(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.GetPrinterAttributesAsync(["printer-state"], TestContext.Current.CancellationToken);
                return true;
            }
            catch (IppRequestException)
            {
                return false;
            }
        }, "ippeveprinter answers Get-Printer-Attributes", StartLimit);
    }

    public IppClient Client(TimeSpan timeout) => new(Http, Uri, timeout, IppCodec.DefaultMaxMessageBytes);

    /// <summary>Sets every supply's level (index 0 waste toner, 1 black toner); unsent ones would be reset.</summary>
    public Task SetSuppliesAsync(int wasteToner, int blackToner) =>
        GetFormAsync($"/supplies?supply0={wasteToner}&supply1={blackToner}");

    /// <summary>Sets the main tray (index 1) level, keeping the by-pass tray (3) filled.</summary>
    public Task SetMainTrayLevelAsync(int level) =>
        GetFormAsync($"/media?size1=na_letter_8.5x11in&type1=stationery&level1={level}&size3=na_number-10_4.125x9.5in&type3=envelope&level3=100");

    /// <summary>Prints a document with Print-Job as image/pwg-raster; fw.sh passes its STATE:/ATTR: lines to the printer.</summary>
    public async Task PrintAsync(string document)
    {
        // A printer still busy with the previous job answers server-error-busy: a real client retries, so does this.
        const short ServerErrorBusy = 0x0507;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                await SubmitAsync(document);
                return;
            }
            catch (IppRequestException busy) when (busy.StatusCode == ServerErrorBusy && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
            }
        }
    }

    private async Task SubmitAsync(string document)
    {
        var client = Client(TimeSpan.FromSeconds(5));
        var request = new IppMessage(2, 0, IppOperations.PrintJob, client.NextRequestId(),
        [
            client.OperationAttributes(
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "test")),
                new IppAttribute("job-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "state-change")),
                new IppAttribute("document-format", new IppStringValue(IppValueTag.MimeMediaType, "image/pwg-raster"))),
        ])
        {
            Data = Encoding.UTF8.GetBytes(document.EndsWith('\n') ? document : document + "\n"),
        };
        await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task GetFormAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(new Uri($"http://localhost:{Port}{pathAndQuery}"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static Process Start(string fileName, string[] arguments, string directory, string? dbusAddress, StringBuilder? output)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (dbusAddress is not null)
            start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = dbusAddress;
        var process = new Process { StartInfo = start };
        void Append(object? sender, DataReceivedEventArgs e)
        {
            if (output is null || e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var process in new[] { _printer, _bus })
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A spool file still held open; the temp folder is cleaned eventually.
        }
    }
}
