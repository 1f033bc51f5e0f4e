using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Hosts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using static Diagnostics.Cloud.Tests.Hosts.TestHosts;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>Host reports through the real broker and ingestion into the host inventory, read back through the API.</summary>
public sealed class HostInventoryTests
{
    private const string Uuid = "28fba994-9694-3f2f-6ad0-75f711cf7977";

    private static async Task<HostView> HostAsync(HttpClient staff, string hostId, Func<HostView, bool> until)
    {
        HostView? view = null;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await staff.GetAsync(new Uri($"/api/hosts/{hostId}", UriKind.Relative), TestContext.Current.CancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
                return false;
            view = System.Text.Json.JsonSerializer.Deserialize<HostView>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), Json.Options);
            return until(view!);
        }, $"host {hostId} as expected", TimeSpan.FromSeconds(15));
        return view!;
    }

    [Theory, BothEngines]
    public async Task A_hosts_queues_are_stored_and_tied_to_printers_by_uuid_serial_device_uri_and_mapping(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        // Printers as their agents report them: one without a serial number reports its printer-uuid instead.
        await using var byUuid = await TestReleases.DeviceOnAsync(host, "printer-uuid", "2.1.0");
        await TestReleases.ReportAsync(byUuid, new DeviceStatus { Model = TestReleases.Model, Serial = Uuid, FirmwareVersion = "2.1.0" });
        await using var bySerial = await TestReleases.DeviceOnAsync(host, "printer-serial", "2.1.0");
        await TestReleases.ReportAsync(bySerial, new DeviceStatus { Model = TestReleases.Model, Serial = "X123", FirmwareVersion = "2.1.0" });
        await host.RegisterAsync("printer-mapped", TestReleases.Model);
        const string Uri = "ipp://192.0.2.10/ipp/print";

        await using var laptop = await TestHosts.HostAsync(host, "laptop-7", Report("LAPTOP-7", "linux",
            Queue("office", "1.0", uuid: "urn:uuid:" + Uuid, uri: Uri),
            Queue("sales", "1.0", serial: "X123"),
            Queue("front-desk", "1.0", mapped: "printer-mapped"),
            Queue("unknown", "1.0", serial: "NOT-REGISTERED")));
        await using var server = await TestHosts.HostAsync(host, "print-server", Report("PRINTSRV", "linux", Queue("office-again", "2.0", uri: Uri)));

        var view = await HostAsync(staff, "laptop-7", h => h.Queues.Count == 4);
        Assert.Equal(("LAPTOP-7", "linux/x64", "CUPS 2.4.2", true), (view.HostName, view.Platform, view.PrintSystem, view.PrintSystemReachable));
        Assert.Equal(
            ["front-desk printer-mapped mapping", "office printer-uuid printer-uuid", "sales printer-serial serial", "unknown  none"],
            view.Queues.Select(q => $"{q.Queue} {q.DeviceId} {q.MatchedBy}").Order(StringComparer.Ordinal));
        // The print server's queue has no uuid of its own: the same device URI as the laptop's tied one names the printer.
        var other = await HostAsync(staff, "print-server", h => h.Queues.Count == 1 && h.Queues[0].DeviceId is not null);
        Assert.Equal(("printer-uuid", "device-uri"), (other.Queues[0].DeviceId, other.Queues[0].MatchedBy));

        var hosts = await staff.GetJsonAsync<List<PrinterHostView>>("/api/devices/printer-uuid/hosts");
        Assert.Equal(["LAPTOP-7 office 1.0", "PRINTSRV office-again 2.0"], hosts.Select(h => $"{h.HostName} {h.Queue} {h.DriverVersion}"));
        var printerPage = await Web.RenderedPage.GetPageAsync(staff, "/dashboard/devices/printer-uuid");
        Assert.Equal(["laptop-7", "print-server"], Web.RenderedPage.Attribute(printerPage, "device-host", "data-host-id"));
        Assert.Equal(["1.0", "2.0"], Web.RenderedPage.Attribute(printerPage, "device-host", "data-driver-version"));
    }

    [Theory, BothEngines]
    public async Task Per_model_the_spread_of_driver_versions_across_hosts(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        await using var a = await TestHosts.HostAsync(host, "host-a", Report("A", "linux", Queue("q1", "1.0"), Queue("q2", "2.0")));
        await using var b = await TestHosts.HostAsync(host, "host-b", Report("B", "linux", Queue("q1", "2.0")));
        await using var c = await TestHosts.HostAsync(host, "host-c", Report("C", "linux", Queue("q1", "", driver: QueueDriver.Driverless), Queue("ink", "5.1", model: "Acme InkJet 20")));

        await Eventually.TrueAsync(async () => (await staff.GetJsonAsync<List<HostView>>("/api/hosts")).Count == 3, "three hosts stored");
        var spread = await staff.GetJsonAsync<List<ModelDriverSpread>>($"/api/drivers/spread?model={System.Uri.EscapeDataString(TestReleases.Model)}");

        var model = Assert.Single(spread);
        Assert.Equal((TestReleases.Model, 3, 4), (model.Model, model.Hosts, model.Queues));
        Assert.Equal(["ppd 2.0 2", "ppd 1.0 1", "driverless  1"], model.Versions.Select(v => $"{v.Driver} {v.DriverVersion} {v.Hosts}"));
        Assert.Equal(2, (await staff.GetJsonAsync<List<ModelDriverSpread>>("/api/drivers/spread")).Count);
    }

    [Theory, BothEngines]
    public async Task An_older_report_does_not_replace_a_newer_one_and_an_unanswering_print_system_keeps_the_queues_known(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        await using var laptop = await host.ConnectDeviceAsync("laptop-7", "Print host");
        var newer = laptop.NewEnvelope(sequence: 1_000);
        newer.HostReport = Report("LAPTOP-7", "linux", Queue("office", "2.0"));
        var older = laptop.NewEnvelope(sequence: 999);
        older.HostReport = Report("LAPTOP-7", "linux", Queue("office", "1.0"));

        await laptop.SendAsync(newer);
        await laptop.WaitForAckAsync(1_000);
        await HostAsync(staff, "laptop-7", h => h.Queues.Count == 1);
        await laptop.SendAsync(older);
        var unanswering = laptop.NewEnvelope(sequence: 1_001);
        unanswering.HostReport = new HostReport { System = Report("LAPTOP-7", "linux").System, PrintSystemReachable = false, PrintSystemProblem = "connection refused" };
        await laptop.SendAsync(unanswering);
        await laptop.WaitForAckAsync(1_001);

        var view = await HostAsync(staff, "laptop-7", h => !h.PrintSystemReachable);
        Assert.Equal("connection refused", view.Problem);
        Assert.Equal(["office 2.0"], view.Queues.Select(q => $"{q.Queue} {q.DriverVersion}"));
    }

    [Theory, BothEngines]
    public async Task A_queue_is_tied_once_its_printer_reports_the_serial_and_a_rule_that_names_two_printers_ties_none(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Hosts:CheckInterval"] = "00:00:00.200" }, engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        await using var twinA = await TestReleases.DeviceOnAsync(host, "twin-a", "1.0");
        await TestReleases.ReportAsync(twinA, new DeviceStatus { Model = TestReleases.Model, Serial = "SAME" });
        await using var twinB = await TestReleases.DeviceOnAsync(host, "twin-b", "1.0");
        await TestReleases.ReportAsync(twinB, new DeviceStatus { Model = TestReleases.Model, Serial = "SAME" });
        await using var laptop = await TestHosts.HostAsync(host, "laptop-7", Report("LAPTOP-7", "linux", Queue("office", "1.0", serial: "LATE"), Queue("twins", "1.0", serial: "SAME")));
        await HostAsync(staff, "laptop-7", h => h.Queues.Count == 2);

        await using var late = await TestReleases.DeviceOnAsync(host, "late-printer", "1.0");
        await TestReleases.ReportAsync(late, new DeviceStatus { Model = TestReleases.Model, Serial = "LATE" });

        var view = await HostAsync(staff, "laptop-7", h => h.Queues.Single(q => q.Queue == "office").DeviceId is not null);
        Assert.Equal(("late-printer", "serial"), (view.Queues.Single(q => q.Queue == "office").DeviceId, view.Queues.Single(q => q.Queue == "office").MatchedBy));
        Assert.Null(view.Queues.Single(q => q.Queue == "twins").DeviceId);
    }

    [Theory, BothEngines]
    public async Task A_customer_sees_the_host_they_paired_and_no_other(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var laptop = await PairedDevices.ConnectAnnouncingAsync(host, "laptop-7", "HHHH2222");
        await TestHosts.ReportAsync(laptop, Report("LAPTOP-7", "linux", Queue("office", "1.0")));
        await using var other = await TestHosts.HostAsync(host, "someone-elses", Report("OTHER", "linux", Queue("office", "1.0")));
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "HHHH2222");

        var mine = await HostAsync(owner, "laptop-7", h => h.Queues.Count == 1);
        using var notMine = await owner.GetAsync(new Uri("/api/hosts/someone-elses", UriKind.Relative), TestContext.Current.CancellationToken);
        using var list = await owner.GetAsync(new Uri("/api/hosts", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal("LAPTOP-7", mine.HostName);
        Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }
}
