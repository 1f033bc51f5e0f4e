using System.Net;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary><c>GET /api/devices</c>: search, firmware, sort and order on top of the older filters.</summary>
public sealed class DeviceListApiQueryTests
{
    private static async Task SendStatusAsync(CloudHost host, string deviceId, DeviceStatus status)
    {
        await using var device = await host.ConnectDeviceAsync(deviceId, status.Model);
        var envelope = device.NewEnvelope(status: status);
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
    }

    [Theory, BothEngines]
    public async Task Search_firmware_sort_and_order_narrow_and_order_the_list(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Agent);
        await SendStatusAsync(host, "q-jammed", Ingestion.IngestionPipelineTests.JammedStatus()); // LaserJet 4000, SN123, 1.2.3, 2 conditions
        await SendStatusAsync(host, "q-fine", new DeviceStatus { Model = "Deskjet", Serial = "DJ-9", FirmwareVersion = "2.0", State = DeviceState.Idle });
        await SendStatusAsync(host, "q-low", new DeviceStatus
        {
            Model = "Deskjet", Serial = "DJ-10", FirmwareVersion = "1.2.3",
            Conditions = [new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning }],
        });

        var bySerial = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?search=dj-");
        var byFirmware = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?firmware=1.2.3");
        var combined = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?firmware=1.2.3&model=Deskjet&condition=TONER_LOW&search=q-");
        var mostConditions = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?sort=conditions&order=desc");
        var byModelDescending = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?sort=model&order=desc");

        Assert.Equal(["q-fine", "q-low"], bySerial.Items.Select(d => d.DeviceId));
        Assert.Equal(["q-jammed", "q-low"], byFirmware.Items.Select(d => d.DeviceId));
        Assert.Equal("1.2.3", byFirmware.Items[0].Firmware);
        Assert.Equal("SN123", byFirmware.Items[0].Serial);
        Assert.Equal(["q-low"], combined.Items.Select(d => d.DeviceId));
        Assert.Equal(1, combined.Total);
        Assert.Equal(["q-jammed", "q-low", "q-fine"], mostConditions.Items.Select(d => d.DeviceId));
        Assert.Equal(["q-jammed", "q-fine", "q-low"], byModelDescending.Items.Select(d => d.DeviceId));
    }

    [Theory]
    [BothEngines("sort=colour", "Invalid sort")]
    [BothEngines("order=sideways", "Invalid order")]
    public async Task Unknown_sort_or_order_is_400_problem_details(string query, string title, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        var response = await (await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Agent)).GetAsync(new Uri($"/api/devices?{query}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(title, (await response.Content.ReadJsonAsync<ProblemDetails>())!.Title);
    }
}
