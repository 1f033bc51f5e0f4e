using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Tests.Devices;

public sealed class DevicesApiTests
{
    [Theory, BothEngines]
    public async Task Registering_returns_201_with_a_token_that_lets_the_device_connect(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();

        var response = await http.PostAsJsonAsync("/api/devices", new { deviceId = "api-1", model = "M1" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/devices/api-1", response.Headers.Location?.OriginalString);
        var registered = await response.Content.ReadJsonAsync<RegisteredDevice>();
        Assert.Equal("api-1", registered!.DeviceId);
        Assert.Equal(43, registered.Token.Length); // 32 bytes, base64url without padding
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "api-1", registered.Token);
        Assert.True(device.IsConnected);

        // The token is shown once: nothing that reads the device gives it back.
        var details = await http.GetStringAsync(new Uri("/api/devices/api-1", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(registered.Token, details, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Registering_without_an_id_generates_a_valid_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var response = await (await host.SignedInClientAsync()).PostAsJsonAsync("/api/devices", new { model = "M1" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(Topics.IsValidDeviceId((await response.Content.ReadJsonAsync<RegisteredDevice>())!.DeviceId));
    }

    [Theory, BothEngines]
    public async Task Registering_an_existing_id_is_409_problem_details(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await http.PostAsJsonAsync("/api/devices", new { deviceId = "api-dup" }, TestContext.Current.CancellationToken);

        var response = await http.PostAsJsonAsync("/api/devices", new { deviceId = "api-dup" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadJsonAsync<ProblemDetails>();
        Assert.Equal(409, problem!.Status);
        Assert.Equal("Device already registered", problem.Title);
    }

    [Theory]
    [InlineData("has/slash")]
    [InlineData(".dot-first")]
    [InlineData("plus+sign")]
    public async Task Registering_an_invalid_id_is_400_problem_details(string deviceId)
    {
        await using var host = new CloudHost();

        var response = await (await host.SignedInClientAsync()).PostAsJsonAsync("/api/devices", new { deviceId }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadJsonAsync<ProblemDetails>();
        Assert.Equal(400, problem!.Status);
        Assert.Equal("Invalid device id", problem.Title);
    }

    [Theory, BothEngines]
    public async Task Unknown_device_is_404_problem_details(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();

        var response = await http.GetAsync(new Uri("/api/devices/unknown", UriKind.Relative), TestContext.Current.CancellationToken);
        var events = await http.GetAsync(new Uri("/api/devices/unknown/events", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadJsonAsync<ProblemDetails>();
        Assert.Equal(404, problem!.Status);
        Assert.Contains("unknown", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Device_list_filters_by_health_model_condition_and_presence_and_pages(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var jammed = await host.ConnectDeviceAsync("list-jammed", "Alpha");
        var status = jammed.NewEnvelope(status: Ingestion.IngestionPipelineTests.JammedStatus());
        status.Status!.Model = "Alpha";
        await jammed.SendAsync(status);
        await jammed.WaitForAckAsync(status.Sequence);
        await using var fine = await host.ConnectDeviceAsync("list-fine", "Beta");
        var ok = fine.NewEnvelope(status: new DeviceStatus { Model = "Beta", State = DeviceState.Idle });
        await fine.SendAsync(ok);
        await fine.WaitForAckAsync(ok.Sequence);
        await host.RegisterAsync("list-silent", "Beta");

        var critical = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?health=critical");
        var beta = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?model=Beta");
        var byCondition = await http.GetJsonAsync<Paged<DeviceSummary>>($"/api/devices?condition={Conditions.PaperJam}");
        var byCode = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?condition=ipp:toner-low");
        var offline = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?online=false");
        var page2 = await http.GetJsonAsync<Paged<DeviceSummary>>("/api/devices?page=2&pageSize=2");

        Assert.Equal(["list-jammed"], critical.Items.Select(d => d.DeviceId));
        Assert.Equal(["list-fine", "list-silent"], beta.Items.Select(d => d.DeviceId));
        Assert.Equal(["list-jammed"], byCondition.Items.Select(d => d.DeviceId));
        Assert.Equal(["list-jammed"], byCode.Items.Select(d => d.DeviceId));
        Assert.Equal(["list-silent"], offline.Items.Select(d => d.DeviceId));
        Assert.Equal(3, page2.Total);
        Assert.Equal(["list-silent"], page2.Items.Select(d => d.DeviceId));
        Assert.Equal(2, critical.Items.Single().ActiveConditions);
    }

    [Theory, BothEngines]
    public async Task Invalid_paging_is_400_problem_details(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        var response = await (await host.SignedInClientAsync()).GetAsync(new Uri("/api/devices?pageSize=0", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid paging", (await response.Content.ReadJsonAsync<ProblemDetails>())!.Title);
    }

    [Theory, BothEngines]
    public async Task Unknown_health_filter_is_400_problem_details(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        var response = await (await host.SignedInClientAsync()).GetAsync(new Uri("/api/devices?health=sickly", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid health filter", (await response.Content.ReadJsonAsync<ProblemDetails>())!.Title);
    }

    [Theory, BothEngines]
    public async Task Fleet_summary_counts_health_presence_and_top_conditions(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var jammed = await host.ConnectDeviceAsync("fleet-jammed");
        var status = jammed.NewEnvelope(status: Ingestion.IngestionPipelineTests.JammedStatus());
        await jammed.SendAsync(status);
        await jammed.WaitForAckAsync(status.Sequence);
        await using var low = await host.ConnectDeviceAsync("fleet-low");
        var warning = low.NewEnvelope(status: new DeviceStatus
        {
            Conditions = [new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning }],
        });
        await low.SendAsync(warning);
        await low.WaitForAckAsync(warning.Sequence);
        await host.RegisterAsync("fleet-new");

        var summary = await http.GetJsonAsync<FleetSummary>("/api/fleet/summary");

        Assert.Equal(3, summary.Total);
        Assert.Equal(1, summary.ByHealth["critical"]);
        Assert.Equal(1, summary.ByHealth["warning"]);
        Assert.Equal(1, summary.ByHealth["unknown"]);
        Assert.Equal(0, summary.ByHealth["healthy"]);
        Assert.Equal(2, summary.ByPresence["online"]);
        Assert.Equal(1, summary.ByPresence["offline"]);
        Assert.Equal(new ConditionCount(Conditions.TonerLow, 2), summary.TopConditions[0]);
        Assert.Equal(new ConditionCount(Conditions.PaperJam, 1), summary.TopConditions[1]);
    }
}
