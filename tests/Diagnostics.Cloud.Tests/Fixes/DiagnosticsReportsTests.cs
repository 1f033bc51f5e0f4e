using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>Support asks for a report, the owner approves, the device uploads it, the owner reviews it before support can read it.</summary>
public sealed class DiagnosticsReportsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Bundle(string deviceId, string commandId, string log = "agent started") => JsonSerializer.SerializeToUtf8Bytes(
        new DiagnosticsBundle(deviceId, commandId, DateTimeOffset.UtcNow, "test",
        [
            new BundleSection(DiagnosticsBundles.StatusSection, "Status", "application/json", "{\"state\":\"idle\"}"),
            new BundleSection(DiagnosticsBundles.AgentLogSection, "Agent log", "text/plain", log),
        ]), DiagnosticsBundles.Json);

    private static async Task<HttpResponseMessage> UploadAsync(CloudHost host, string deviceId, string token, byte[] body)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, DiagnosticsBundles.UploadPath(deviceId)) { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.SendAsync(request, Ct);
    }

    [Theory, BothEngines]
    public async Task A_requested_report_reaches_support_only_after_its_owner_releases_it(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "report-1", "GGGG1111");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "GGGG1111");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        using var requested = await agent.PostAsync(new Uri("/api/devices/report-1/diagnostics", UriKind.Relative), null, Ct);
        var request = (await requested.Content.ReadJsonAsync<FixView>())!;
        Assert.Equal((DeviceCommands.CollectDiagnostics, ConsentAction.Diagnostics), (request.Preview!.Command, request.Preview.Action));
        Assert.Equal("Support asks for a diagnostics report", request.Problem);
        // Before the owner agrees the device has nothing to send, and anything it sends is refused.
        using (var unrequested = await UploadAsync(host, "report-1", device.Token, Bundle("report-1", "cmd-made-up")))
            Assert.Equal(HttpStatusCode.Conflict, unrequested.StatusCode);
        await owner.PostAsync(new Uri($"/api/me/fixes/{request.Id}/approve", UriKind.Relative), null, Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the request reaches the device");
        var command = Assert.Single(device.Commands);

        using (var forged = await UploadAsync(host, "report-1", "not-the-token", Bundle("report-1", command.CommandId)))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using (var garbage = await UploadAsync(host, "report-1", device.Token, "not json"u8.ToArray()))
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        using (var uploaded = await UploadAsync(host, "report-1", device.Token, Bundle("report-1", command.CommandId)))
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        using (var again = await UploadAsync(host, "report-1", device.Token, Bundle("report-1", command.CommandId)))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var report = Assert.Single(await owner.GetJsonAsync<List<DiagnosticsReport>>("/api/me/devices/report-1/reports"));
        var review = await owner.GetJsonAsync<ReportContent>($"/api/me/reports/{report.Id}");
        Assert.Equal([DiagnosticsBundles.StatusSection, DiagnosticsBundles.AgentLogSection], review.Sections.Select(s => s.Name));
        using (var early = await agent.GetAsync(new Uri($"/api/reports/{report.Id}/download", UriKind.Relative), Ct))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);
        using (var strangerReleases = await stranger.PostAsync(new Uri($"/api/me/reports/{report.Id}/release", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.NotFound, strangerReleases.StatusCode);

        var page = await GetPageAsync(owner, "/app/devices/report-1");
        Assert.Equal(["review"], Attribute(page, "report-card", "data-state"));
        Assert.Equal([DiagnosticsBundles.StatusSection, DiagnosticsBundles.AgentLogSection], Attribute(page, "report-section", "data-section"));

        using (var released = await owner.PostAsync(new Uri($"/api/me/reports/{report.Id}/release", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(["released"], Attribute(await GetPageAsync(agent, "/dashboard/devices/report-1"), "report-row", "data-state"));
        using var download = await agent.GetAsync(new Uri($"/api/reports/{report.Id}/download", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Contains("agent started", await download.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var audit = await agent.GetJsonAsync<List<AuditRecord>>("/api/devices/report-1/audit");
        Assert.Equal(["report.requested", "consent.approved", "command.sent", "report.uploaded", "report.released"], audit.Select(a => a.Action));
    }

    [Theory, BothEngines]
    public async Task A_discarded_report_is_gone_for_everyone(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "report-2", "GGGG2222");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "GGGG2222");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        using var requested = await agent.PostAsync(new Uri("/api/devices/report-2/diagnostics", UriKind.Relative), null, Ct);
        var request = (await requested.Content.ReadJsonAsync<FixView>())!;
        await owner.PostAsync(new Uri($"/api/me/fixes/{request.Id}/approve", UriKind.Relative), null, Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the request reaches the device");
        using (await UploadAsync(host, "report-2", device.Token, Bundle("report-2", device.Commands.Single().CommandId, "secret-looking line")))
        {
        }
        var report = Assert.Single(await owner.GetJsonAsync<List<DiagnosticsReport>>("/api/me/devices/report-2/reports"));

        using var discarded = await owner.PostAsync(new Uri($"/api/me/reports/{report.Id}/discard", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.OK, discarded.StatusCode);
        Assert.Empty((await owner.GetJsonAsync<ReportContent>($"/api/me/reports/{report.Id}")).Sections);
        using var download = await agent.GetAsync(new Uri($"/api/reports/{report.Id}/download", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
        Assert.DoesNotContain("secret-looking", await download.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
