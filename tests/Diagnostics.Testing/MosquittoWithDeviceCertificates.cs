namespace Diagnostics.Testing;

/// <summary>
/// A real Mosquitto that authenticates devices by client certificate and keeps no account per device: a plain listener
/// on loopback for the cloud's own account (password file), and a TLS listener for devices that requires a certificate
/// from the device CA, takes its CN as user name and client id, and checks the CRL the cloud writes. The ACL file is
/// given (the cloud's <c>MosquittoDeviceAcl</c>). Stopped by its own process id.
/// </summary>
public sealed class MosquittoWithDeviceCertificates : IAsyncDisposable
{
    public const string CloudUser = "dx-cloud";

    private readonly ChildProcess _process;
    private readonly string _directory;

    private MosquittoWithDeviceCertificates(ChildProcess process, string directory, int port, int devicePort, string cloudPassword, string serverCaPath)
    {
        _process = process;
        _directory = directory;
        Port = port;
        DevicePort = devicePort;
        CloudPassword = cloudPassword;
        ServerCaPath = serverCaPath;
    }

    /// <summary>The cloud's listener (plain, loopback).</summary>
    public int Port { get; }

    /// <summary>The devices' TLS listener.</summary>
    public int DevicePort { get; }

    public string CloudPassword { get; }

    /// <summary>The CA of the broker's own server certificate (what devices check the broker against).</summary>
    public string ServerCaPath { get; }

    public int ProcessId => _process.Id;

    public string Log => _process.Tail();

    /// <summary>How many lines of Mosquitto's log so far contain <paramref name="text"/>.</summary>
    public int LogLines(string text) => _process.Output.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Two free ports, taken before the cloud starts (it must know where the broker will be).</summary>
    public static (int Port, int DevicePort) ChoosePorts() => (FreePort.Next(), FreePort.Next());

    /// <param name="deviceCaPath">The cloud's device CA (PEM): Mosquitto's <c>cafile</c> for devices.</param>
    /// <param name="crlPath">The CRL the cloud writes: it must exist, Mosquitto refuses to start without it.</param>
    public static async Task<MosquittoWithDeviceCertificates> StartAsync(
        (int Port, int DevicePort) ports, string cloudPassword, string deviceCaPath, string crlPath, string aclText, CancellationToken cancellationToken,
        IReadOnlyList<string>? extraConfiguration = null)
    {
        var mosquitto = ExternalTools.Require("mosquitto", "apt-get install mosquitto");
        var passwd = ExternalTools.Require("mosquitto_passwd", "apt-get install mosquitto");
        var directory = Path.Combine(Path.GetTempPath(), "dx-mosquitto", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var passwords = Path.Combine(directory, "passwords");
        var (exit, stdout, stderr) = await ExternalTools.RunAsync(passwd, ["-b", "-c", passwords, CloudUser, cloudPassword], [], cancellationToken);
        if (exit != 0)
            throw new InvalidOperationException($"mosquitto_passwd failed ({exit}): {stdout}{stderr}");
        var acl = Path.Combine(directory, "acl");
        await File.WriteAllTextAsync(acl, aclText, cancellationToken);
        using var serverCa = TestPki.Authority("Test broker CA");
        using var server = TestPki.Server(serverCa, "localhost");
        var serverCaPath = Path.Combine(directory, "server-ca.crt");
        var serverCertificate = Path.Combine(directory, "server.crt");
        var serverKey = Path.Combine(directory, "server.key");
        TestPki.WritePem(serverCa, serverCaPath);
        TestPki.WritePem(server, serverCertificate, serverKey);
        var config = Path.Combine(directory, "mosquitto.conf");
        var user = Environment.UserName == "root" ? "user root\n" : "";
        await File.WriteAllTextAsync(config, $"""
            per_listener_settings false
            allow_anonymous false
            password_file {passwords}
            acl_file {acl}
            persistence false
            set_tcp_nodelay true
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information
            {user}{string.Join("\n", extraConfiguration ?? [])}

            listener {ports.Port} 127.0.0.1

            listener {ports.DevicePort} 127.0.0.1
            cafile {deviceCaPath}
            certfile {serverCertificate}
            keyfile {serverKey}
            crlfile {crlPath}
            require_certificate true
            use_identity_as_username true
            use_username_as_clientid true

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
        return new MosquittoWithDeviceCertificates(process, directory, ports.Port, ports.DevicePort, cloudPassword, serverCaPath);
    }

    /// <summary>
    /// What the broker host's watcher of the CRL file does (a systemd path unit, see the cloud's Broker/README.md): SIGHUP,
    /// on which Mosquitto 2.0 reads its configuration, certificates and CRL again. Returns once Mosquitto has logged the
    /// reload; it handles the signal in its single network loop, so any connection it accepts after that sees the new list.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var before = _process.Output.Count(l => l.Contains("Reloading config", StringComparison.Ordinal));
        var (exit, stdout, stderr) = await ExternalTools.RunAsync(ExternalTools.Require("kill", "procps"), ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], [], cancellationToken);
        if (exit != 0)
            throw new InvalidOperationException($"kill -HUP {_process.Id} failed ({exit}): {stdout}{stderr}");
        await Eventually.TrueAsync(() => _process.Output.Count(l => l.Contains("Reloading config", StringComparison.Ordinal)) > before, "Mosquitto reloaded its configuration");
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
