using System.Globalization;
using System.Runtime.InteropServices;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Reports;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Fleet;

/// <summary>
/// <c>simulate --count N [--cloud URL] [--enrollment-key KEY] [--broker host:port] [--data-dir DIR] [--seed S] [--prefix sim]
/// [--flood-events K] [--time-scale X] [--firmware V] [--faults SCRIPT] [--trusted-key PEM-FILE] [--heartbeat SECONDS] [--duration SECONDS]
/// [--processes P] [--first-index I] [--provision-parallelism K]</c>
/// </summary>
internal static class SimulateCommand
{
    public const string Name = "simulate";

    public const string Usage = """
        Usage: Diagnostics.Agent simulate --count N [options]
          --count N            simulated printers to run (required)
          --cloud URL          cloud API to provision devices through (POST /api/devices); without it, devices are not registered
          --enrollment-key K   the cloud's Devices:EnrollmentKey, which lets devices register themselves
          --broker HOST:PORT   MQTT broker (default localhost:1883)
          --data-dir DIR       per-device outbox and credentials under DIR/{deviceId} (default data/fleet)
          --seed S             fleet seed; the same seed replays the same printers (default 1)
          --prefix P           device ids are P-0001, P-0002 ... (default sim)
          --flood-events K     each device also enqueues K events as fast as it can (load mode)
          --time-scale X       simulated seconds per real second (default 1)
          --firmware V         firmware version the printers report (2.2.0 has the fuser fault)
          --faults SCRIPT      faults every printer raises on cue (Simulator:ScriptedFaults), e.g. ipp:media-jam@30s,
                               stubborn-jam@2m (a jam clear-paper-path cannot clear), ipp:paused@1m/5m
          --trusted-key FILE   a release key (.pub.pem) the printers accept update offers signed by; repeat to pin several
                               (without one, every offer is refused); printers boot from A/B slots under DIR/{deviceId}/slots
          --heartbeat SECONDS  heartbeat interval (default 30)
          --duration SECONDS   stop after this long (default: until Ctrl+C)
          --processes P        split the fleet over P processes of this program (default: one per 2,500 devices)
          --first-index I      index of the first device, P-{I:D4} (default 1)
          --provision-parallelism K  devices provisioned at once (default 16)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new SimulatedFleetOptions();
        string? cloud = null;
        var enrollmentKey = "";
        TimeSpan? duration = null;
        int? processes = null;
        var passOn = new List<string>();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
                if (args[i] is not ("--count" or "--first-index" or "--processes"))
                    passOn.AddRange([args[i], value]);
                switch (args[i++])
                {
                    case "--count": options.Count = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--cloud": cloud = value; options.CloudUrl = value; break;
                    case "--enrollment-key": enrollmentKey = value; break;
                    case "--broker":
                        var (host, port) = ParseHostPort(value);
                        options.Broker.Host = host;
                        options.Broker.Port = port;
                        break;
                    case "--data-dir": options.DataDirectory = value; break;
                    case "--seed": options.Seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--prefix": options.Prefix = value; break;
                    case "--flood-events": options.FloodEvents = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--time-scale": options.Simulator.TimeScale = double.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--firmware": options.Simulator.FirmwareVersion = value; break;
                    case "--faults": options.Simulator.ScriptedFaults = value; break;
                    case "--trusted-key": options.Updates.TrustedKeys.Add(value); break;
                    case "--heartbeat": options.HeartbeatInterval = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--duration": duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "--processes": processes = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--first-index": options.FirstIndex = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--provision-parallelism": options.ProvisioningParallelism = int.Parse(value, CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown option {args[i - 1]}.");
                }
            }
            var errors = options.Validate().ToList();
            if (processes is < 1)
                errors.Add($"--processes must be 1 or more (was {processes}).");
            if (errors.Count > 0)
                throw new ArgumentException(string.Join(Environment.NewLine, errors));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + Usage);
            return 64;
        }

        // A socket and two outbox files per device: the soft limit (often 1,024) goes up to the hard one.
        var openFiles = OpenFilesLimit.RaiseToHard();
        var split = processes ?? (options.Count + FleetProcesses.DefaultDevicesPerProcess - 1) / FleetProcesses.DefaultDevicesPerProcess;
        if (split > 1)
        {
            using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var terminateAll = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                stopAll.Cancel();
            });
            return await FleetProcesses.RunAsync(passOn, options.Count, options.FirstIndex, split, stopAll.Token);
        }
        if (openFiles is { } fileLimit && (ulong)options.Count * 3 + 100 > fileLimit)
            await Console.Error.WriteLineAsync($"Warning: {options.Count} devices need about {options.Count * 3 + 100} open files and this process may open {fileLimit}; use --processes.");

        // Each device's diagnostics report carries its own lines from this ring.
        var logRing = new AgentLogRing(TimeProvider.System, capacity: 2000);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
            .AddProvider(logRing)
            .SetMinimumLevel(LogLevel.Information));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        IDeviceProvisioner provisioner = cloud is null ? new UnregisteredDeviceProvisioner() : new HttpDeviceProvisioner(http, new Uri(cloud), enrollmentKey);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // `kill` (SIGTERM) stops as cleanly as Ctrl+C: devices say offline and the summary is printed.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        if (duration is { } limit)
            stop.CancelAfter(limit);

        SimulatedFleet fleet;
        try
        {
            fleet = await SimulatedFleet.StartAsync(options, provisioner, loggerFactory, TimeProvider.System, stop.Token, new DiagnosticsSetup(http, logRing, SoleDevice: false));
        }
        catch (Exception ex) when (ex is DeviceProvisioningException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"Could not provision the fleet: {ex.Message}");
            return 2;
        }
        await using (fleet)
        {
            foreach (var device in fleet.Devices)
                Console.WriteLine($"device {device.DeviceId} started (outbox {device.Outbox.FilePath}, {device.Outbox.Depth} waiting)");
            Console.WriteLine($"Simulating {fleet.Devices.Count} printers against {options.Broker.Host}:{options.Broker.Port}" +
                (cloud is null ? " (not registered with a cloud)" : $", provisioned through {cloud}") + ". Ctrl+C stops.");
            try
            {
                await fleet.Completion.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping: DisposeAsync below waits for every device.
            }
        }
        var published = fleet.Devices.Sum(d => d.Uplink.Published);
        var waiting = fleet.Devices.Sum(d => d.Outbox.Depth);
        var discarded = fleet.Devices.Sum(d => d.Outbox.Discarded);
        var neverConnected = fleet.Devices.Count(d => d.Uplink.Connects == 0);
        Console.WriteLine($"Summary: {fleet.Devices.Count} devices, {published} messages published, {waiting} still in outboxes (kept for the next run), " +
            $"{discarded} discarded by overflow, {neverConnected} never connected.");
        return 0;
    }

    private static (string Host, int Port) ParseHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon < 0
            ? (value, 1883)
            : (value[..colon], int.Parse(value[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
