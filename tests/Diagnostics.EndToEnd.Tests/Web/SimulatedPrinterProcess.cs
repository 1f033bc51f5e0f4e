using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// A real agent process simulating one printer that registers itself with the cloud (enrollment key), as a device
/// in the field would. It never jams by chance; a fault comes only when a script (<c>Simulator:ScriptedFaults</c>)
/// says so, which makes "a device raises a jam" something a test can cause at the moment it chooses.
/// </summary>
public sealed class SimulatedPrinterProcess : IAsyncDisposable
{
    /// <summary>A jam one simulated second after the agent starts, left uncleared for the length of any test.</summary>
    public const string JamAtOnce = "ipp:media-jam@1s/30m";

    private readonly CloudProcess _cloud;
    private ChildProcess _process;

    private readonly IReadOnlyList<string> _extraArguments;

    private SimulatedPrinterProcess(CloudProcess cloud, string deviceId, string dataDirectory, ChildProcess process, IReadOnlyList<string> extraArguments)
    {
        _cloud = cloud;
        _extraArguments = extraArguments;
        DeviceId = deviceId;
        DataDirectory = dataDirectory;
        _process = process;
    }

    public string DeviceId { get; }

    public string DataDirectory { get; }

    /// <summary>Starts the agent; <paramref name="scriptedFaults"/> empty means a printer that stays healthy.</summary>
    /// <param name="extraArguments">More agent settings, such as <c>--Updates:TrustedKeys:0=release.pub.pem</c>; kept for restarts.</param>
    public static SimulatedPrinterProcess Start(CloudProcess cloud, string deviceId, string scriptedFaults = "", IReadOnlyList<string>? extraArguments = null)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var dataDirectory = Directory.CreateTempSubdirectory("dx-printer-").FullName;
        extraArguments ??= [];
        return new SimulatedPrinterProcess(cloud, deviceId, dataDirectory, Launch(cloud, deviceId, dataDirectory, scriptedFaults, extraArguments), extraArguments);
    }

    /// <summary>Kills the agent without warning (SIGKILL: nothing flushed, nothing closed), then starts it again on its data.</summary>
    public async Task KillAndStartAgainAsync()
    {
        await _process.KillHardAsync();
        await _process.DisposeAsync();
        _process = Launch(_cloud, DeviceId, DataDirectory, "", _extraArguments);
    }

    /// <summary>The code the device shows its owner, once the cloud has it too (see <see cref="DevicePairingCode"/>).</summary>
    public Task<string> PairingCodeAsync(CancellationToken cancellationToken) =>
        DevicePairingCode.ReadAsync(_process, _cloud, DeviceId, cancellationToken);

    /// <summary>Stops the agent gracefully and starts it again on its data (same credentials and pairing code) with a new script.</summary>
    public async Task RestartAsync(string scriptedFaults)
    {
        await _process.StopAsync(TimeSpan.FromSeconds(20));
        await _process.DisposeAsync();
        _process = Launch(_cloud, DeviceId, DataDirectory, scriptedFaults, _extraArguments);
    }

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static ChildProcess Launch(CloudProcess cloud, string deviceId, string dataDirectory, string scriptedFaults, IReadOnlyList<string> extraArguments) =>
        ChildProcess.StartDotnet($"agent {deviceId}", RepositoryLayout.AgentDll,
        [
            "run",
            $"--Agent:DeviceId={deviceId}",
            $"--Agent:CloudUrl={cloud.BaseAddress}",
            $"--Agent:EnrollmentKey={CloudProcess.EnrollmentKey}",
            $"--Agent:DataDirectory={dataDirectory}",
            "--Agent:PollInterval=00:00:00.200",
            "--Agent:HeartbeatInterval=00:00:01",
            "--Agent:ConditionDebounceInterval=00:00:00",
            "--Broker:Host=127.0.0.1",
            $"--Broker:Port={cloud.MqttPort}",
            "--Broker:ReconnectMinDelay=00:00:00.200",
            "--Broker:ReconnectMaxDelay=00:00:01",
            "--Simulator:JamsPerHour=0",
            "--Simulator:DoorOpensPerHour=0",
            $"--Simulator:ScriptedFaults={scriptedFaults}",
            .. extraArguments,
        ]);
}
