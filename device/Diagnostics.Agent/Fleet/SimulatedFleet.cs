using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Reports;
using Diagnostics.Agent.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Fleet;

/// <summary>
/// Runs N simulated printers in one process, each a full <see cref="AgentRuntime"/>: its own provisioned identity
/// (saved and reused), outbox, MQTT connection, seeded printer, and A/B firmware slots it boots from and installs
/// updates into.
/// </summary>
public sealed partial class SimulatedFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly List<AgentRuntime> _devices;

    private SimulatedFleet(List<AgentRuntime> devices, Task completion, CancellationTokenSource stop)
    {
        _devices = devices;
        Completion = completion;
        _stop = stop;
    }

    public IReadOnlyList<AgentRuntime> Devices => _devices;

    /// <summary>Completes when every device has stopped (after cancellation or <see cref="DisposeAsync"/>).</summary>
    public Task Completion { get; }

    public static string DeviceIdOf(SimulatedFleetOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{options.Prefix}-{index:D4}";
    }

    /// <summary>Starts the fleet and runs it until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="diagnostics">How devices answer collect-diagnostics (the shared client and log ring); null: they fail it for want of a cloud.</param>
    public static async Task RunAsync(
        SimulatedFleetOptions options, IDeviceProvisioner provisioner, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken,
        DiagnosticsSetup? diagnostics = null)
    {
        await using var fleet = await StartAsync(options, provisioner, loggerFactory, time, cancellationToken, diagnostics);
        await fleet.Completion;
    }

    /// <summary>Provisions (or reloads credentials for) every device, then starts them all; returns once they run.</summary>
    public static async Task<SimulatedFleet> StartAsync(
        SimulatedFleetOptions options, IDeviceProvisioner provisioner, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken,
        DiagnosticsSetup? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
            throw new ArgumentException("Invalid fleet options: " + string.Join(" ", errors), nameof(options));
        var logger = loggerFactory.CreateLogger<SimulatedFleet>();

        // Provisioned several at a time: one at a time, registering 10,000 devices over HTTP took two minutes.
        var created = new AgentRuntime?[options.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.ProvisioningParallelism, CancellationToken = cancellationToken },
                async (offset, token) => created[offset] = await CreateDeviceAsync(options, options.FirstIndex + offset, provisioner, loggerFactory, time, diagnostics, token));
        }
        catch
        {
            foreach (var device in created)
                device?.Dispose();
            throw;
        }
        var devices = created.Select(d => d!).ToList();

        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = devices.Select(device => RunDeviceAsync(device, options.FloodEvents, logger, stop.Token)).ToList();
        var completion = Task.WhenAll(runs).ContinueWith(
            finished =>
            {
                devices.ForEach(d => d.Dispose());
                return finished;
            },
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        return new SimulatedFleet(devices, completion, stop);
    }

    /// <summary>Stops every device and waits for them; outboxes keep what was not delivered.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private static async Task<AgentRuntime> CreateDeviceAsync(
        SimulatedFleetOptions options, int index, IDeviceProvisioner provisioner, ILoggerFactory loggerFactory, TimeProvider time,
        DiagnosticsSetup? diagnostics, CancellationToken cancellationToken)
    {
        var deviceId = DeviceIdOf(options, index);
        var dataDirectory = Path.Combine(options.DataDirectory, deviceId);
        var credentials = await CredentialStore.LoadOrProvisionAsync(dataDirectory, deviceId, options.Model, provisioner, cancellationToken);
        // Separate streams for the printer and the reconnect jitter, so connection trouble never changes what the
        // printer does: the same seed replays the same fleet.
        var deviceSeed = HashCode.Combine(options.Seed, index);
        var printer = new SimulatedPrinter(options.Simulator, "SN" + deviceSeed.ToString("X8"), time, new Random(deviceSeed));
        var agent = new AgentOptions
        {
            DeviceId = deviceId,
            Token = credentials.Token,
            CloudUrl = options.CloudUrl,
            Model = options.Model,
            DataDirectory = dataDirectory,
            PollInterval = options.PollInterval,
            HeartbeatInterval = options.HeartbeatInterval,
        };
        // Many devices share the process (and its log): each report carries only lines that name its device.
        var reports = diagnostics is null ? null : diagnostics with
        {
            SoleDevice = false,
            CollectorSettings = [.. DiagnosticsSetup.Flatten(SimulatorOptions.Section, options.Simulator)],
        };
        return new AgentRuntime(credentials, printer, agent, options.Broker, options.Outbox, loggerFactory, time, new Random(~deviceSeed), diagnostics: reports,
            updates: new UpdateSetup(options.Updates, diagnostics?.Http));
    }

    private static async Task RunDeviceAsync(AgentRuntime device, int floodEvents, ILogger logger, CancellationToken cancellationToken)
    {
        var run = device.RunAsync(cancellationToken);
        if (floodEvents > 0)
        {
            try
            {
                var took = await device.FloodEventsAsync(floodEvents, cancellationToken);
                Log.FloodFinished(logger, device.DeviceId, floodEvents, took.TotalSeconds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped mid-flood: what was enqueued stays in the outbox.
            }
        }
        await run;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.FloodFinished, LogLevel.Information, "{DeviceId} enqueued {FloodEvents} flood events in {Seconds:0.00} s")]
        public static partial void FloodFinished(ILogger logger, string deviceId, int floodEvents, double seconds);
    }
}
