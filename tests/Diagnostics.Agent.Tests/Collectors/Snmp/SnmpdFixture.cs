using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Agent.Collectors.Snmp.Ber;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Snmp;

/// <summary>
/// A real net-snmp <c>snmpd</c> on a free loopback UDP port. Host Resources and Printer-MIB are served by a bash
/// "pass" script from a text file (<c>OID TYPE VALUE</c> per line) that tests rewrite to change the printer.
/// </summary>
public sealed class SnmpdFixture : IAsyncDisposable
{
    public const string Model = "Acme LaserPro 500";

    private const string PassScript = """
        #!/bin/bash
        # net-snmp pass protocol: -g OID prints OID, type and value; -n OID the next object after OID; nothing when none.
        awk -v mode="$1" -v req="$2" '
        function cmp(a, b,    x, y, n, m, i) {
          n = split(a, x, "."); m = split(b, y, ".")
          for (i = 2; i <= n && i <= m; i++) { if (x[i] + 0 < y[i] + 0) return -1; if (x[i] + 0 > y[i] + 0) return 1 }
          return n < m ? -1 : n > m ? 1 : 0
        }
        NF >= 2 {
          oid = $1; type = $2; value = substr($0, length($1) + length($2) + 3)
          if (mode == "-g" && cmp(oid, req) == 0) { print oid; print type; print value; exit }
          if (mode == "-n" && cmp(oid, req) > 0 && (!found || cmp(oid, best) < 0)) { best = oid; bt = type; bv = value; found = 1 }
        }
        END { if (mode == "-n" && found) { print best; print bt; print bv } }' "$(dirname "$0")/mib.txt"
        """;

    private readonly StringBuilder _output = new();
    private readonly string _directory;
    private readonly string _config;
    private Process _process;

    private SnmpdFixture(string directory, string config, int port)
    {
        _directory = directory;
        _config = config;
        Port = port;
        _process = null!;
    }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public SnmpCollectorOptions Options(TimeSpan? timeout = null) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Timeout = timeout ?? TimeSpan.FromSeconds(1),
        Retries = 1,
    };

    public static async Task<SnmpdFixture> StartAsync(IEnumerable<(string Oid, string Type, string Value)> mib, CancellationToken cancellationToken)
    {
        ExternalTools.Require("snmpd", "apt-get install snmpd snmp");
        var directory = Directory.CreateTempSubdirectory("snmpd-").FullName;
        var script = Path.Combine(directory, "printer-mib.sh");
        await File.WriteAllTextAsync(script, PassScript.ReplaceLineEndings("\n") + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await WriteMibAsync(directory, mib, cancellationToken);
        // When root, snmpd would switch to its own user, which cannot read our temp directory: stay who we are.
        var user = Environment.UserName;
        var config = Path.Combine(directory, "snmpd.conf");
        await File.WriteAllTextAsync(config, $"""
            rocommunity public 127.0.0.1
            agentuser {user}
            agentgroup {user}
            sysDescr {Model}
            pass -p 1 .1.3.6.1.2.1.43 {script}
            pass -p 1 .1.3.6.1.2.1.25.3 {script}

            """, cancellationToken);
        var fixture = new SnmpdFixture(directory, config, FreeUdpPort());
        await fixture.StartProcessAsync(cancellationToken);
        return fixture;
    }

    /// <summary>Kills snmpd (the port stays ours: nothing answers on it until <see cref="RestartAsync"/>).</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts snmpd again on the same port with the same MIB, as a printer that was switched back on.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => StartProcessAsync(cancellationToken);

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ExternalTools.Require("snmpd", "apt-get install snmpd snmp"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -C: only our config. -I: net-snmp's own Host Resources modules would shadow hrDeviceTable and hrPrinterTable.
        foreach (var argument in new[]
        {
            "-f", "-Lo", "-C", "-c", _config, "-p", Path.Combine(_directory, "snmpd.pid"),
            "-I", "-hr_device,hr_print,hr_system,hr_storage,hr_disk,hr_network,hr_proc,hr_partition,hr_filesys,hr_swrun,hr_swinst,hr_other",
            $"udp:127.0.0.1:{Port}",
        })
            start.ArgumentList.Add(argument);
        // Without MIB files to parse, snmpd starts faster and its output stays readable.
        start.Environment["MIBS"] = "";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start snmpd.");
        _process?.Dispose();
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new SnmpClient(Options(TimeSpan.FromMilliseconds(200)), TimeProvider.System, NullLogger<SnmpClient>.Instance);
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
                Assert.Fail($"snmpd exited with {process.ExitCode}:\n{Output}");
            try
            {
                var answer = await client.GetAsync([Oid.Parse("1.3.6.1.2.1.1.1.0")], cancellationToken);
                return answer[0].Value.AsText() == Model;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, $"snmpd answering on udp:127.0.0.1:{Port}", TimeSpan.FromSeconds(10));
    }

    /// <summary>Replaces the printer's MIB atomically, so snmpd never reads half a file.</summary>
    public Task SetMibAsync(IEnumerable<(string Oid, string Type, string Value)> mib, CancellationToken cancellationToken) =>
        WriteMibAsync(_directory, mib, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task WriteMibAsync(string directory, IEnumerable<(string Oid, string Type, string Value)> mib, CancellationToken cancellationToken)
    {
        var text = string.Concat(mib.Select(row => string.Create(CultureInfo.InvariantCulture, $".{row.Oid} {row.Type} {row.Value}\n")));
        var temporary = Path.Combine(directory, "mib.txt.new");
        await File.WriteAllTextAsync(temporary, text, cancellationToken);
        File.Move(temporary, Path.Combine(directory, "mib.txt"), overwrite: true);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
