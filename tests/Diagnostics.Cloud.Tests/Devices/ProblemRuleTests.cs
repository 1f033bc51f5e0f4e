using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Notifications;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Notifications;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// "When a condition is a problem" (cloud/Diagnostics.Cloud/Devices/README.md): a condition that stops printing counts
/// whatever severity the printer gave it; the rest by their severity. Through the real ingestion path.
/// </summary>
public sealed class ProblemRuleTests
{
    // As ippeveprinter reports a jam while idle (printer-state-reasons media-jam-report): RFC 8011's -report suffix.
    private static ActiveCondition JamReport() => new() { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Report, Message = "Media Jam" };

    [Theory, BothEngines]
    public async Task A_jam_the_printer_calls_a_report_makes_the_device_critical_proposes_a_fix_and_notifies_its_owner_keeping_its_severity(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("jam-report");
        await owner.PairAsync(device);
        var status = device.NewEnvelope(status: new DeviceStatus { Model = "Acme LaserPro 500", State = DeviceState.Idle, Conditions = [JamReport()] });
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        await device.RaiseAsync(new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Report, Message = "Media Jam" });

        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        var details = await staff.GetJsonAsync<DeviceDetails>("/api/devices/jam-report");
        Assert.Equal(DeviceHealth.Critical, details.Health);
        Assert.Equal(Severity.Report, Assert.Single(details.ActiveConditions).Severity);
        var notification = Assert.Single((await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items);
        Assert.Equal((Conditions.PaperJam, Severity.Error, "Paper jam"), (notification.Condition, notification.Severity, notification.Title));
        FixView? fix = null;
        await Eventually.TrueAsync(async () => (fix = (await staff.GetJsonAsync<List<FixView>>("/api/fixes?deviceId=jam-report")).SingleOrDefault()) is not null,
            "a fix proposed for the jam");
        Assert.Equal(("ipp:media-jam", "paper-jam"), (fix!.Code, fix.ArticleId));
    }

    [Theory]
    [InlineData(Conditions.PaperJam, Severity.Report, DeviceHealth.Critical)]
    [InlineData(Conditions.OutOfPaper, Severity.Warning, DeviceHealth.Critical)]
    [InlineData(Conditions.DoorOpen, Severity.Report, DeviceHealth.Critical)]
    [InlineData(Conditions.TonerEmpty, Severity.Report, DeviceHealth.Critical)]
    [InlineData(Conditions.TonerLow, Severity.Report, DeviceHealth.Healthy)]
    [InlineData(Conditions.TonerLow, Severity.Warning, DeviceHealth.Warning)]
    [InlineData("", Severity.Report, DeviceHealth.Healthy)]
    [InlineData("", Severity.Error, DeviceHealth.Critical)]
    public void Health_counts_a_condition_that_stops_printing_as_an_error_and_the_rest_by_their_severity(string condition, Severity severity, DeviceHealth health)
    {
        var status = new DeviceStatus { Conditions = [new ActiveCondition { Code = "x:y", Condition = condition, Severity = severity }] };

        Assert.Equal(health, DeviceHealthRules.From(status));
        Assert.Equal(health != DeviceHealth.Healthy, DeviceHealthRules.IsProblem(severity, condition));
    }
}
