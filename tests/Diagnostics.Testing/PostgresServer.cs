using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// A real PostgreSQL server for tests: <c>initdb</c> into a temp directory, <c>postgres</c> started on a free loopback
/// port with its socket in that directory, trust authentication, a database per caller. Run as the <c>postgres</c>
/// system user when the tests run as root (CI), since the server refuses root. The server is this process's child
/// with a parent-death signal, so it stops with the test process even when that is killed; <see cref="DisposeAsync"/>
/// stops it by its PID first.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static PostgresServer? _shared;

    private readonly Process _process;
    private readonly string _directory;
    private readonly NpgsqlDataSource _admin;

    private PostgresServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// One server for the whole test process, started on first use: tests take a database each
    /// (<see cref="CreateDatabaseAsync"/>). Fails under CI and skips elsewhere when PostgreSQL is not installed.
    /// </summary>
    public static async Task<PostgresServer> SharedAsync(CancellationToken cancellationToken)
    {
        await SharedLock.WaitAsync(cancellationToken);
        try
        {
            if (_shared is null)
            {
                _shared = await StartAsync(durable: false, cancellationToken);
                var server = _shared;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return _shared;
        }
        finally
        {
            SharedLock.Release();
        }
    }

    /// <summary>The <c>bin</c> directory of the newest PostgreSQL installed (Debian's layout), or null.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
            return null;
        return Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "postgres")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault();
    }

    /// <summary>The binaries, or fail (CI) / skip (elsewhere) saying what to install.</summary>
    public static string RequireBinaries()
    {
        if (FindBinaries() is { } bin)
            return bin;
        const string message = "PostgreSQL is not installed (apt-get install postgresql: its initdb and postgres under /usr/lib/postgresql/<version>/bin).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI must install it.");
        Assert.Skip(message);
        return "";
    }

    /// <summary>
    /// Starts a server of its own. <paramref name="durable"/> false turns off fsync and synchronous commit (tests
    /// that never lose power); true keeps PostgreSQL's defaults, for measurements against SQLite's durable commits.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(bool durable, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var bin = RequireBinaries();
        var runAs = RunAsArguments();
        var directory = Directory.CreateTempSubdirectory("dx-pg-").FullName;
        // The server's user writes the data and the socket here.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var data = Path.Combine(directory, "data");
        var (exit, stdout, stderr) = await ExternalTools.RunAsync("setpriv", [.. runAs, "--", Path.Combine(bin, "initdb"),
            "-D", data, "-U", SuperUser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], [], cancellationToken);
        if (exit != 0)
            throw new InvalidOperationException($"initdb failed ({exit}):\n{stdout}\n{stderr}");

        var port = FreePort.Next();
        var configuration = new Dictionary<string, string>
        {
            ["listen_addresses"] = "127.0.0.1",
            ["port"] = port.ToString(CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = directory,
            // Every test host keeps a small pool of its own.
            ["max_connections"] = "300",
            ["shared_buffers"] = "128MB",
        };
        if (!durable)
        {
            configuration["fsync"] = "off";
            configuration["synchronous_commit"] = "off";
            configuration["full_page_writes"] = "off";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;

        var process = StartServer(bin, runAs, data, configuration);
        var server = new PostgresServer(process, directory, port);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        // Tests start and stop many hosts; each host's pool closes with it.
        MaxPoolSize = 20,
    }.ConnectionString;

    /// <summary>A new, empty database (or a copy of <paramref name="template"/>, which must have no open connections).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken, string? template = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var command = _admin.CreateCommand(
            $"CREATE DATABASE {Quote(name)}" + (template is null ? "" : $" TEMPLATE {Quote(template)}") + ";");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Drops the database, ending any session still on it.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = _admin.CreateCommand($"DROP DATABASE IF EXISTS {Quote(name)} WITH (FORCE);");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = _admin.CreateCommand("SELECT COUNT(*) FROM pg_database WHERE datname = $1;");
        command.Parameters.AddWithValue(name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Stops the server by its PID (fast shutdown, then kill) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        if (!_process.HasExited)
        {
            // SIGINT: PostgreSQL's fast shutdown (ends sessions, checkpoints, exits).
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await interrupt.WaitForExitAsync();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// <c>setpriv</c> arguments: a parent-death signal (SIGINT, a fast shutdown) so the server never outlives the tests,
    /// and, as root, the <c>postgres</c> system user the Debian package creates.
    /// </summary>
    private static List<string> RunAsArguments()
    {
        List<string> arguments = ["--pdeathsig", "INT"];
        if (Environment.UserName != "root")
            return arguments;
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(SuperUser + ":", StringComparison.Ordinal)))
            throw new InvalidOperationException("Running as root, the tests start PostgreSQL as the 'postgres' system user, which does not exist (apt-get install postgresql creates it).");
        arguments.AddRange(["--reuid", SuperUser, "--regid", SuperUser, "--init-groups"]);
        return arguments;
    }

    private static Process StartServer(string bin, List<string> runAs, string data, Dictionary<string, string> configuration)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[.. runAs, "--", Path.Combine(bin, "postgres"), "-D", data])
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in configuration)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{key}={value}");
        }
        // The parent-death signal fires when the thread that forked the child ends, not the process: fork from a thread
        // that lives as long as the server does.
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = new Thread(() =>
        {
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("Could not start postgres.");
            }
            catch (Exception ex)
            {
                started.SetException(ex);
                return;
            }
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            started.SetResult(process);
            process.WaitForExit();
        })
        {
            IsBackground = true,
            Name = "postgres owner",
        };
        owner.Start();
        return started.Task.GetAwaiter().GetResult();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"postgres exited with {_process.ExitCode} while starting.");
            try
            {
                await using var command = _admin.CreateCommand("SELECT 1;");
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                // Not accepting connections yet: poll again.
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
