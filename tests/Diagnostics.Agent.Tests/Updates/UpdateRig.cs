using System.Security.Cryptography;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Agent.Updates;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>
/// One device taking updates the way it does in the field: a whole <see cref="AgentRuntime"/> on a simulated printer
/// (running <see cref="FactoryVersion"/> from its slots), a real in-process MQTT broker with the cloud's side of the
/// contract (<see cref="FakeCloud"/>), a real HTTP server for payloads, and a release key the device trusts. The agent
/// can be stopped and started again on the same data directory, as after a crash or a reboot.
/// </summary>
internal sealed class UpdateRig : IAsyncDisposable
{
    public const string DeviceId = "printer-upd";
    public const string Model = "Acme LaserPro 400";
    public const string FactoryVersion = "2.1.0";
    /// <summary>Releases share the factory image's filler, as builds of one code base do.</summary>
    public static readonly int ImageSeed = SimulatedFirmwareImage.FactorySeed(Model);

    private CancellationTokenSource? _stop;
    private Task? _running;
    private bool _brokerStarted;

    public TestDirectory Directory { get; } = new();

    public FakeCloud Cloud { get; } = new();

    public PayloadServer Server { get; } = new();

    public ECDsa ReleaseKey { get; } = ManifestSigning.CreateKey();

    public AgentRuntime? Runtime { get; private set; }

    public SimulatedPrinter? Printer { get; private set; }

    public SlotStore Slots => SlotStore.Open(Directory.Path);

    /// <summary>The rig's own settings for the agent's updates; a test changes them before starting the agent.</summary>
    public UpdateOptions Options { get; }

    public UpdateRig()
    {
        Options = new UpdateOptions
        {
            TrustedKeys = [ReleaseKey.ExportSubjectPublicKeyInfoPem()],
            HealthCheckStableFor = TimeSpan.FromMilliseconds(300),
            CheckInterval = TimeSpan.FromMilliseconds(50),
            DownloadChunkBytes = 16 * 1024,
            RetryMinDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(10),
            MinimumFreeBytes = 0,
        };
    }

    /// <summary>Starts an agent (a fresh process, as far as the device knows) on the rig's data directory.</summary>
    /// <param name="collector">The device; null: a quiet simulated printer (no jobs, jams or doors).</param>
    public async Task StartAgentAsync(IDeviceCollector? collector = null, Func<string, CancellationToken, Task>? checkpoint = null)
    {
        if (!_brokerStarted)
        {
            await Cloud.StartAsync();
            _brokerStarted = true;
        }
        Printer = collector is null ? new SimulatedPrinter(
            new SimulatorOptions { Model = Model, FirmwareVersion = FactoryVersion, JobsPerHour = 0, JamsPerHour = 0, DoorOpensPerHour = 0 },
            "SN-UPD", TimeProvider.System, new Random(5)) : null;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Runtime = new AgentRuntime(
            new DeviceCredentials(DeviceId, "device-token"),
            collector ?? Printer!,
            new AgentOptions
            {
                DeviceId = DeviceId,
                DataDirectory = Directory.Path,
                CloudUrl = Server.BaseUrl,
                PollInterval = TimeSpan.FromMilliseconds(50),
                ConditionDebounceInterval = TimeSpan.Zero,
            },
            new BrokerOptions { Host = "127.0.0.1", Port = Cloud.Port, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) },
            new OutboxOptions { Durability = OutboxDurability.ProcessCrash },
            NullLoggerFactory.Instance, TimeProvider.System, new Random(1),
            updates: new UpdateSetup(Options));
        Runtime.Updates.Checkpoint = checkpoint;
        _running = Runtime.RunAsync(_stop.Token);
        await Eventually.TrueAsync(() => Runtime.Uplink.IsConnected, "the agent connected");
    }

    /// <summary>Stops the agent (cancels it, as a host stopping does) and lets go of its files.</summary>
    public async Task StopAgentAsync()
    {
        if (_stop is null)
            return;
        await _stop.CancelAsync();
        await _running!;
        Runtime!.Dispose();
        _stop.Dispose();
        _stop = null;
    }

    /// <summary>Cancels the agent from inside one of its own steps, as a crash there would stop it; the step never returns.</summary>
    public async Task CrashHereAsync(CancellationToken cancellationToken)
    {
        await _stop!.CancelAsync();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>A signed release of <paramref name="version"/>, its payload served at a path under the cloud's address, offered to the device.</summary>
    public Release MakeRelease(string version, string offerId, IEnumerable<string>? faults = null, int imageBytes = 64 * 1024,
        Action<UpdateManifest>? manifest = null, Action<UpdateOffer>? offer = null, ECDsa? signedBy = null) =>
        Release.Make(signedBy ?? ReleaseKey, Server, DeviceId, version, offerId, faults, imageBytes, manifest, offer);

    /// <summary>Publishes the offer retained on <c>down/update</c>, as the cloud does.</summary>
    public Task OfferAsync(UpdateOffer offer) =>
        Cloud.SendDownlinkAsync(DeviceId, Topics.UpdateKind, WireCodec.Encode(offer), retain: true);

    public IReadOnlyList<UpdateReport> Reports(string offerId) =>
        [.. Cloud.Received.Where(e => e.UpdateReport?.OfferId == offerId).DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence).Select(e => e.UpdateReport!)];

    /// <summary>Waits for the offer's report in a final phase (Succeeded, Failed, RolledBack) and returns it.</summary>
    public async Task<UpdateReport> FinalReportAsync(string offerId, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => Reports(offerId).Any(IsFinal), $"a final report for {offerId}", timeout ?? TimeSpan.FromSeconds(20));
        return Reports(offerId).First(IsFinal);
    }

    public static bool IsFinal(UpdateReport report) => report.Phase is UpdatePhase.Succeeded or UpdatePhase.Failed or UpdatePhase.RolledBack;

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        await Cloud.DisposeAsync();
        Server.Dispose();
        ReleaseKey.Dispose();
        Directory.Dispose();
    }
}

/// <summary>A release as the cloud makes it: the image, its manifest, and the offer that carries it.</summary>
internal sealed record Release(byte[] Image, UpdateManifest Manifest, UpdateOffer Offer, string PayloadPath)
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// A simulated firmware image of <paramref name="version"/> signed by <paramref name="key"/>, served by
    /// <paramref name="server"/> at a path relative to the cloud's address, in an offer with a one-time Install approval.
    /// </summary>
    public static Release Make(ECDsa key, PayloadServer server, string deviceId, string version, string offerId, IEnumerable<string>? faults = null,
        int imageBytes = 64 * 1024, Action<UpdateManifest>? manifest = null, Action<UpdateOffer>? offer = null) =>
        ForPayload(key, server, deviceId, SimulatedFirmwareImage.Create(version, UpdateRig.Model, faults ?? [], imageBytes, UpdateRig.ImageSeed),
            PackageKind.Firmware, $"lp400-fw-{version}", version, [UpdateRig.Model], offerId, manifest, offer);

    /// <summary>Any payload as a signed package of <paramref name="kind"/>, served and offered as <see cref="Make"/> does.</summary>
    public static Release ForPayload(ECDsa key, PayloadServer server, string deviceId, byte[] image, PackageKind kind, string packageId, string version,
        IEnumerable<string> models, string offerId, Action<UpdateManifest>? manifest = null, Action<UpdateOffer>? offer = null)
    {
        var sha256 = SHA256.HashData(image);
        var package = new UpdateManifest
        {
            PackageId = packageId,
            Kind = kind,
            Version = version,
            Models = [.. models],
            ImageSize = image.Length,
            ImageSha256 = sha256,
            PayloadSize = image.Length,
            PayloadSha256 = sha256,
            CreatedUnixMs = Now - 60_000,
            ExpiresUnixMs = Now + 86_400_000,
            ReleaseNotes = "Fixes things.",
        };
        manifest?.Invoke(package);
        var signedManifest = new SignedManifest { Manifest = ManifestSigning.Encode(package) };
        ManifestSigning.AddSignature(signedManifest, key);
        var path = $"api/devices/{deviceId}/updates/{offerId}/payload";
        server.Serve("/" + path, image);
        var updateOffer = new UpdateOffer
        {
            OfferId = offerId,
            Package = signedManifest,
            PayloadUrl = path,
            Consent = new ConsentGrant
            {
                ConsentId = "approval-" + offerId,
                Action = ConsentAction.Install,
                GrantedUnixMs = Now - 1_000,
                ExpiresUnixMs = Now + 3_600_000,
                CommandId = offerId,
                GrantedBy = "owner@example.com",
            },
            ExpiresUnixMs = Now + 3_600_000,
            HealthCheckSeconds = 10,
        };
        offer?.Invoke(updateOffer);
        return new Release(image, package, updateOffer, "/" + path);
    }
}
