using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Diagnostics.Agent.Hosts;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Hosts;

/// <summary>The host role reading a real cupsd's queues and reporting them through a real broker.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class PrintHostCollectorTests
{
    [Fact]
    public async Task A_queue_with_an_old_ppd_is_found_and_reported_with_its_driver_and_the_printer_it_prints_to()
    {
        await using var rig = await HostRig.StartAsync();
        var ppd = TestPpds.Ppd("1.0");
        await rig.AddQueueAsync("office", ppd);
        await rig.AddQueueAsync("front-desk", ppd: null, deviceUri: "file:///dev/null");
        await rig.Cups.AdministerAsync("lpadmin", ["-p", "everywhere", "-E", "-v", rig.Printer.Uri.AbsoluteUri, "-m", "everywhere"]);
        rig.Options.Devices = [new QueueMapping { Queue = "front-desk", DeviceId = "front-desk-printer" }];
        // The printer's own word, asked here directly: what the queue's printer-uuid must be.
        var printer = await rig.Printer.Client(TimeSpan.FromSeconds(5)).GetPrinterAttributesAsync(["printer-uuid"], TestContext.Current.CancellationToken);
        var printerUuid = printer.Find("printer-uuid")!.Strings.Single();

        await rig.StartAgentAsync();

        var report = await rig.ReportAsync(r => r.Queues.Count == 3, "a host report with three queues");
        var office = report.Queues.Single(q => q.Name == "office");
        Assert.Equal(QueueDriver.Ppd, office.Driver);
        Assert.Equal("1.0", office.DriverVersion);
        Assert.Equal("Acme LaserPro 500 Diagnostics Driver 1.0", office.DriverName);
        Assert.Equal(TestPpds.Model, office.PrinterModel);
        Assert.Equal(printerUuid, office.PrinterUuid);
        Assert.Equal(rig.Printer.Uri.AbsoluteUri, office.DeviceUri);
        Assert.Equal((DeviceState.Idle, true), (office.State, office.AcceptingJobs));
        Assert.Equal(SHA256.HashData((await rig.Cups.PpdAsync("office"))!), office.PpdSha256);
        Assert.Equal("", office.MappedDeviceId);

        var frontDesk = report.Queues.Single(q => q.Name == "front-desk");
        Assert.Equal((QueueDriver.Raw, "front-desk-printer", ""), (frontDesk.Driver, frontDesk.MappedDeviceId, frontDesk.PrinterUuid));

        var everywhere = report.Queues.Single(q => q.Name == "everywhere");
        Assert.Equal(QueueDriver.Driverless, everywhere.Driver);
        Assert.Equal(printerUuid, everywhere.PrinterUuid);

        var system = report.System!;
        Assert.Equal((HostRig.HostName, HostPlatforms.Linux, RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()), (system.HostName, system.Os, system.Architecture));
        Assert.StartsWith("CUPS 2.", system.PrintSystem, StringComparison.Ordinal);
        Assert.Equal([DriverFormat.CupsPpd], system.DriverFormats);
        Assert.True(report.PrintSystemReachable);

        // The host is a device like any other to the cloud: a status that says what it is, no problem while every queue works.
        var status = rig.Agent.Cloud.Received.Last(e => e.Status is not null).Status!;
        Assert.Equal((PrintHostCollector.HostModel, DeviceState.Idle), (status.Model, status.State));
        Assert.Empty(status.Conditions);
    }

    [Fact]
    public async Task A_stopped_queue_raises_queue_stopped_on_the_host_until_it_is_started_again()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        await rig.StartAgentAsync();
        await rig.ReportAsync(r => r.Queues.Count == 1, "the first host report");

        await rig.Cups.AdministerAsync("cupsdisable", ["-r", "Filter failed", "office"]);

        await Eventually.TrueAsync(() => Events(rig, EventKind.Raised).Any(), "queue-stopped raised", TimeSpan.FromSeconds(15));
        var raised = Events(rig, EventKind.Raised).Single();
        Assert.Equal((Conditions.PrintQueueStopped, Severity.Error), (raised.Condition, raised.Severity));
        Assert.Contains("print queue office stopped: Filter failed", raised.Message, StringComparison.Ordinal);
        var stopped = await rig.ReportAsync(r => r.Queues[0].State == DeviceState.Stopped, "a report of the stopped queue");
        Assert.Equal("Filter failed", stopped.Queues[0].StateMessage);

        await rig.Cups.AdministerAsync("cupsenable", ["office"]);
        await Eventually.TrueAsync(() => Events(rig, EventKind.Cleared).Any(), "queue-stopped cleared", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_print_system_that_does_not_answer_makes_the_host_unreachable_not_empty()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        rig.Options.CupsUri = new Uri($"ipp://127.0.0.1:{FreePort.Next()}/");
        rig.Options.RequestTimeout = TimeSpan.FromSeconds(1);

        await rig.StartAgentAsync();

        var report = await rig.ReportAsync(r => !r.PrintSystemReachable, "a report saying the print system does not answer");
        Assert.Empty(report.Queues);
        Assert.NotEqual("", report.PrintSystemProblem);
        await Eventually.TrueAsync(() => rig.Agent.Cloud.Received.Any(e => e.Status?.State == DeviceState.Unreachable), "the host reported unreachable");
    }

    [Fact]
    public async Task Changing_a_queue_needs_cupsds_root_certificate_which_the_host_role_sends()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        using var anonymous = new HttpClient();
        using var administrator = new HttpClient(new Agent.Collectors.Ipp.CupsAuthorizationHandler(rig.Cups.CertificateDirectory));

        var refused = await Assert.ThrowsAsync<Agent.Collectors.Ipp.IppRequestException>(() =>
            new Agent.Collectors.Ipp.CupsScheduler(anonymous, rig.Cups.Uri, TimeSpan.FromSeconds(5)).SetPpdAsync("office", TestPpds.Ppd("2.0"), TestContext.Current.CancellationToken));
        await new Agent.Collectors.Ipp.CupsScheduler(administrator, rig.Cups.Uri, TimeSpan.FromSeconds(5)).SetPpdAsync("office", TestPpds.Ppd("2.0"), TestContext.Current.CancellationToken);

        Assert.Contains("HTTP 401", refused.Message, StringComparison.Ordinal);
        Assert.Equal(TestPpds.Ppd("2.0"), await rig.Cups.PpdAsync("office"));
    }

    private static IEnumerable<DeviceEvent> Events(HostRig rig, EventKind kind) =>
        rig.Agent.Cloud.Received.Where(e => e.Event is { } x && x.Kind == kind && x.Code == PrintHostCollector.QueueStoppedCode).DistinctBy(e => e.Sequence).Select(e => e.Event!);
}
