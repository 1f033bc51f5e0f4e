using System.Runtime.Versioning;
using Diagnostics.Agent.Hosts;
using Diagnostics.Agent.Tests.Updates;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Hosts;

/// <summary>
/// A computer in the host role as it runs in the field: a real private cupsd (<see cref="CupsServer"/>, changing a
/// queue needs its root certificate), a real IPP printer behind its queues (ippeveprinter, "Acme LaserPro 500"), and a
/// whole agent on <see cref="PrintHostCollector"/> talking to a real MQTT broker with payloads from a real HTTP server
/// (<see cref="UpdateRig"/>).
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class HostRig : IAsyncDisposable
{
    public const string HostName = "LAPTOP-7";

    private readonly HttpClient _printers = new() { Timeout = TimeSpan.FromSeconds(30) };

    private HostRig(CupsServer cups, IppEvePrinter printer)
    {
        Cups = cups;
        Printer = printer;
        Options = new HostOptions
        {
            CupsUri = cups.Uri,
            CupsCertificateDirectory = cups.CertificateDirectory,
            CupsServerBin = cups.ServerBin,
            RefreshInterval = TimeSpan.FromMilliseconds(100),
            TestJobTimeout = TimeSpan.FromSeconds(60),
            HostName = HostName,
        };
    }

    public UpdateRig Agent { get; } = new();

    public CupsServer Cups { get; }

    public IppEvePrinter Printer { get; }

    /// <summary>The rig's host settings; a test changes them before starting the agent.</summary>
    public HostOptions Options { get; }

    public PrintHostCollector? Host { get; private set; }

    public static async Task<HostRig> StartAsync()
    {
        var cups = await CupsServer.StartAsync();
        try
        {
            return new HostRig(cups, await IppEvePrinter.StartAsync());
        }
        catch
        {
            await cups.DisposeAsync();
            throw;
        }
    }

    /// <summary>A queue printing to the rig's printer (or <paramref name="deviceUri"/>) with this PPD; null: a raw queue.</summary>
    public async Task AddQueueAsync(string name, byte[]? ppd, string? deviceUri = null)
    {
        string? path = null;
        if (ppd is not null)
        {
            path = Path.Combine(Agent.Directory.Path, name + ".ppd");
            await File.WriteAllBytesAsync(path, ppd, TestContext.Current.CancellationToken);
        }
        await Cups.AddQueueAsync(name, deviceUri ?? Printer.Uri.AbsoluteUri, path);
    }

    public async Task StartAgentAsync()
    {
        Host = new PrintHostCollector(Options, _printers, TimeProvider.System, NullLoggerFactory.Instance);
        await Agent.StartAgentAsync(Host);
    }

    /// <summary>A signed driver package carrying <paramref name="ppd"/>, for the printer model of the rig by default, offered with a one-time approval.</summary>
    public Release DriverRelease(string version, string offerId, byte[] ppd, string platform = "linux:cups-ppd", string model = TestPpds.Model,
        Action<UpdateOffer>? offer = null) =>
        Release.ForPayload(Agent.ReleaseKey, Agent.Server, UpdateRig.DeviceId, ppd, PackageKind.Driver, $"acme-lp500-ppd-{version}", version, [model], offerId,
            manifest => manifest.Platforms = [HostPlatforms.TryParse(platform, out _)!], offer);

    /// <summary>The newest host report the cloud received.</summary>
    public HostReport? LatestReport => Agent.Cloud.Received.Where(e => e.HostReport is not null).MaxBy(e => e.Sequence)?.HostReport;

    /// <summary>Waits for a host report in which <paramref name="condition"/> holds, and returns it.</summary>
    public async Task<HostReport> ReportAsync(Func<HostReport, bool> condition, string what)
    {
        await Eventually.TrueAsync(() => LatestReport is { } report && condition(report), what, TimeSpan.FromSeconds(30));
        return LatestReport!;
    }

    public async ValueTask DisposeAsync()
    {
        await Agent.DisposeAsync();
        Host?.Dispose();
        _printers.Dispose();
        await Printer.DisposeAsync();
        await Cups.DisposeAsync();
    }
}
