using System.Net;
using System.Text;
using System.Text.Json;
using Diagnostics.Agent.Provisioning;

namespace Diagnostics.Agent.Tests.Provisioning;

public sealed class HttpDeviceProvisionerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Posts_device_id_and_model_and_returns_the_issued_token()
    {
        var cloud = new ScriptedCloud(HttpStatusCode.Created, """{"deviceId":"dev-1","token":"s3cret"}""");
        using var http = new HttpClient(cloud);

        var credentials = await new HttpDeviceProvisioner(http, new Uri("http://cloud.test:5000")).ProvisionAsync("dev-1", "Acme 400", Ct);

        Assert.Equal(new DeviceCredentials("dev-1", "s3cret"), credentials);
        Assert.Equal(HttpMethod.Post, cloud.Method);
        Assert.Equal("http://cloud.test:5000/api/devices", cloud.Uri?.ToString());
        using var body = JsonDocument.Parse(cloud.Body!);
        Assert.Equal("dev-1", body.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("Acme 400", body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Conflict_fails_clearly_because_the_id_is_taken_and_no_credentials_are_saved()
    {
        using var http = new HttpClient(new ScriptedCloud(HttpStatusCode.Conflict, ""));

        var error = await Assert.ThrowsAsync<DeviceProvisioningException>(() =>
            new HttpDeviceProvisioner(http, new Uri("http://cloud.test")).ProvisionAsync("dev-1", "M", Ct));

        Assert.Contains("already has a device 'dev-1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presents_the_enrollment_key_when_configured()
    {
        var cloud = new ScriptedCloud(HttpStatusCode.Created, """{"deviceId":"dev-1","token":"s3cret"}""");
        using var http = new HttpClient(cloud);

        await new HttpDeviceProvisioner(http, new Uri("http://cloud.test"), "factory-key").ProvisionAsync("dev-1", "M", Ct);

        Assert.Equal("factory-key", cloud.EnrollmentKey);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task A_refused_registration_says_which_setting_is_missing(HttpStatusCode status)
    {
        using var http = new HttpClient(new ScriptedCloud(status, ""));

        var error = await Assert.ThrowsAsync<DeviceProvisioningException>(() =>
            new HttpDeviceProvisioner(http, new Uri("http://cloud.test")).ProvisionAsync("dev-1", "M", Ct));

        Assert.Contains("Agent:EnrollmentKey", error.Message, StringComparison.Ordinal);
    }

    private sealed class ScriptedCloud(HttpStatusCode status, string responseBody) : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }
        public Uri? Uri { get; private set; }
        public string? Body { get; private set; }
        public string? EnrollmentKey { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            EnrollmentKey = request.Headers.TryGetValues(HttpDeviceProvisioner.EnrollmentKeyHeader, out var keys) ? keys.Single() : null;
            Uri = request.RequestUri;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(responseBody, Encoding.UTF8, "application/json") };
        }
    }
}
