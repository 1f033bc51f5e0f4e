using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Broker.Hooks;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Diagnostics.Cloud.Tests.Broker.Hooks;

/// <summary>
/// The HTTP hooks as EMQX and VerneMQ call them: the request bodies are the brokers' documented ones (URL above each),
/// the answers asserted are the ones those documents define. The cloud runs with <c>Broker:Mode=External</c> and
/// <c>DeviceAccounts=HttpHooks</c>; no broker listens (the hooks are plain HTTP; the connection's retries log warnings).
/// </summary>
public sealed class BrokerHooksContractTests : IAsyncLifetime
{
    private const string Secret = "a-shared-secret-of-at-least-32-characters";
    private const string CloudUser = "dx-cloud";
    private const string CloudPassword = "cloud-password-for-tests";

    private CloudHost _host = null!;
    private HttpClient _http = null!;

    public ValueTask InitializeAsync()
    {
        _host = new CloudHost(settings: HookSettings());
        _http = _host.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    internal static Dictionary<string, string?> HookSettings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Broker:Mode"] = "External",
            ["Broker:External:Host"] = "127.0.0.1",
            // Nothing listens there: the hooks are what is tested, and the connection only retries (warnings).
            ["Broker:External:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:External:UserName"] = CloudUser,
            ["Broker:External:Password"] = CloudPassword,
            ["Broker:External:DeviceAccounts"] = "HttpHooks",
            ["Broker:Hooks:Enabled"] = "true",
            ["Broker:Hooks:Secret"] = Secret,
            ["Devices:EnrollmentKey"] = DeviceTls.EnrollmentKey,
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    // --- EMQX: https://docs.emqx.com/en/emqx/latest/access-control/authn/http.html -----------------------------------
    // Body template configured in EMQX (cloud/README.md): {"clientid":"${clientid}","username":"${username}","password":"${password}","peerhost":"${peerhost}"}
    // Answer: 200, application/json, {"result":"allow"|"deny"|"ignore","is_superuser":bool}.

    [Fact]
    public async Task Emqx_authentication_allows_a_registered_device_with_its_token_and_never_as_superuser()
    {
        var token = await _host.RegisterAsync("hook-emqx-ok");

        using var response = await PostAsync("/broker/emqx/authenticate", $$"""{"clientid":"hook-emqx-ok","username":"hook-emqx-ok","password":"{{token}}","peerhost":"10.0.0.7"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response);
        Assert.Equal("allow", body.GetProperty("result").GetString());
        Assert.False(body.GetProperty("is_superuser").GetBoolean());
    }

    [Fact]
    public async Task Emqx_authentication_denies_a_wrong_token_an_unknown_device_another_devices_name_and_a_revoked_device()
    {
        var token = await _host.RegisterAsync("hook-emqx-deny");
        var otherToken = await _host.RegisterAsync("hook-emqx-other");

        Assert.Equal("deny", await EmqxAuthenticateAsync("hook-emqx-deny", "hook-emqx-deny", "not-the-token"));
        Assert.Equal("deny", await EmqxAuthenticateAsync("nobody-here", "nobody-here", token));
        // Client id and user name must be the same device, as at the embedded broker's CONNECT.
        Assert.Equal("deny", await EmqxAuthenticateAsync("hook-emqx-deny", "hook-emqx-other", otherToken));
        Assert.Equal("deny", await EmqxAuthenticateAsync("hook-emqx-deny", "hook-emqx-deny", ""));
        Assert.Equal("allow", await EmqxAuthenticateAsync("hook-emqx-deny", "hook-emqx-deny", token));

        Assert.True(await _host.Registry.RevokeAsync("hook-emqx-deny", "test", TestContext.Current.CancellationToken));

        Assert.Equal("deny", await EmqxAuthenticateAsync("hook-emqx-deny", "hook-emqx-deny", token));
        Assert.True(_host.Metrics.RejectedTotal(RejectReason.AuthFailed) >= 5);
        Assert.True(_host.Logged(BrokerEventIds.BrokerHookDenied, "hook-emqx-deny"));
    }

    [Fact]
    public async Task Emqx_authentication_of_a_certificate_device_checks_the_forwarded_certificate_like_the_embedded_broker()
    {
        var (key, csr) = DeviceTls.NewRequest("hook-cert");
        using var enrolled = await DeviceTls.PostRequestAsync(_http, "hook-cert", csr, DeviceTls.WithEnrollmentKey);
        var (certificate, token, _) = await DeviceTls.IssuedAsync(enrolled, key);
        var pem = JsonSerializer.Serialize(certificate.ExportCertificatePem());

        Assert.Equal("allow", await RawEmqxAuthenticateAsync($$"""{"clientid":"hook-cert","username":"","password":"","cert_pem":{{pem}}}"""));
        // A device that holds a valid certificate may not fall back to its token (as at the embedded broker).
        Assert.Equal("deny", await EmqxAuthenticateAsync("hook-cert", "hook-cert", token!));
        // The certificate names hook-cert: another client id is refused.
        Assert.Equal("deny", await RawEmqxAuthenticateAsync($$"""{"clientid":"hook-cert-2","username":"","password":"","cert_pem":{{pem}}}"""));
        Assert.Equal("deny", await RawEmqxAuthenticateAsync("""{"clientid":"hook-cert","username":"","password":"","cert_pem":"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----"}"""));

        Assert.True(await _host.Registry.RevokeAsync("hook-cert", "test", TestContext.Current.CancellationToken));

        Assert.Equal("deny", await RawEmqxAuthenticateAsync($$"""{"clientid":"hook-cert","username":"","password":"","cert_pem":{{pem}}}"""));
        certificate.Dispose();
        key.Dispose();
    }

    // --- EMQX: https://docs.emqx.com/en/emqx/latest/access-control/authz/http.html ------------------------------------
    // Body template: {"clientid":"${clientid}","username":"${username}","action":"${action}","topic":"${topic}","qos":"${qos}","retain":"${retain}"}
    // Answer: 200, application/json, {"result":"allow"|"deny"}.

    [Theory]
    [InlineData("publish", "dx/hook-acl/up/event", "allow")]
    [InlineData("publish", "dx/hook-acl/up/status", "allow")]
    [InlineData("publish", "dx/hook-acl/presence", "allow")]
    [InlineData("publish", "dx/hook-other/up/event", "deny")]
    [InlineData("publish", "dx/hook-other/presence", "deny")]
    [InlineData("publish", "dx/hook-acl/down/command", "deny")]
    [InlineData("publish", "dx/hook-acl/up/+", "deny")]
    [InlineData("publish", "dx/hook-acl/up/#", "deny")]
    [InlineData("publish", "dx/+/up/event", "deny")]
    [InlineData("publish", "$SYS/broker/uptime", "deny")]
    [InlineData("publish", "$share/g/dx/hook-acl/up/event", "deny")]
    [InlineData("publish", "", "deny")]
    [InlineData("subscribe", "dx/hook-acl/down/#", "allow")]
    [InlineData("subscribe", "dx/hook-acl/down/command", "allow")]
    [InlineData("subscribe", "dx/hook-acl/down/+", "allow")]
    [InlineData("subscribe", "dx/hook-other/down/#", "deny")]
    [InlineData("subscribe", "dx/+/down/#", "deny")]
    [InlineData("subscribe", "dx/hook-acl/up/#", "deny")]
    [InlineData("subscribe", "#", "deny")]
    [InlineData("subscribe", "+/hook-acl/down/#", "deny")]
    [InlineData("subscribe", "$SYS/#", "deny")]
    [InlineData("subscribe", "$share/g/dx/hook-acl/down/#", "deny")]
    [InlineData("subscribe", "$share/diagnostics/dx/+/up/#", "deny")]
    [InlineData("all", "dx/hook-acl/up/event", "deny")]
    public async Task Emqx_authorization_applies_the_device_topic_rules(string action, string topic, string expected)
    {
        await _host.RegisterAsync("hook-acl");
        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["clientid"] = "hook-acl", ["username"] = "hook-acl", ["action"] = action, ["topic"] = topic, ["qos"] = "1", ["retain"] = "false",
        });

        using var response = await PostAsync("/broker/emqx/authorize", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, (await JsonAsync(response)).GetProperty("result").GetString());
    }

    [Fact]
    public async Task Emqx_authorization_refuses_a_device_revoked_after_it_connected_and_an_unregistered_one()
    {
        await _host.RegisterAsync("hook-revoked");
        Assert.Equal("allow", await EmqxAuthorizeAsync("hook-revoked", "hook-revoked", "publish", "dx/hook-revoked/up/event"));

        Assert.True(await _host.Registry.RevokeAsync("hook-revoked", "test", TestContext.Current.CancellationToken));

        Assert.Equal("deny", await EmqxAuthorizeAsync("hook-revoked", "hook-revoked", "publish", "dx/hook-revoked/up/event"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("hook-revoked", "hook-revoked", "subscribe", "dx/hook-revoked/down/#"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("hook-never", "hook-never", "publish", "dx/hook-never/up/event"));
    }

    [Fact]
    public async Task Emqx_authorization_denies_a_client_whose_user_name_is_another_device()
    {
        await _host.RegisterAsync("hook-a");
        await _host.RegisterAsync("hook-b");
        Assert.Equal("deny", await EmqxAuthorizeAsync("hook-a", "hook-b", "publish", "dx/hook-a/up/event"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("hook-a", "hook-b", "publish", "dx/hook-b/up/event"));
        Assert.Equal("allow", await EmqxAuthorizeAsync("hook-a", "hook-a", "publish", "dx/hook-a/up/event"));
    }

    [Fact]
    public async Task Emqx_the_clouds_own_account_gets_its_password_checked_and_only_the_clouds_topics()
    {
        Assert.Equal("allow", await EmqxAuthenticateAsync("dx-cloud-1", CloudUser, CloudPassword));
        Assert.Equal("deny", await EmqxAuthenticateAsync("dx-cloud-1", CloudUser, "guess"));

        Assert.Equal("allow", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "subscribe", "$share/diagnostics/dx/+/up/#"));
        Assert.Equal("allow", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "subscribe", "$share/diagnostics/dx/+/presence"));
        Assert.Equal("allow", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "publish", "dx/any-device/down/command"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "publish", "dx/any-device/up/event"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "publish", "dx/+/down/command"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "subscribe", "#"));
        Assert.Equal("deny", await EmqxAuthorizeAsync("dx-cloud-1", CloudUser, "subscribe", "$share/other-group/dx/+/up/#"));
    }

    // --- VerneMQ: https://docs.vernemq.com/plugindevelopment/webhookplugins (header vernemq-hook) -------------------------
    // Answers: {"result":"ok"} or {"result":{"error":"not_allowed"}}; a subscription rewritten per topic (QoS 128, or 135 for _m5).

    [Fact]
    public async Task VerneMq_auth_on_register_allows_the_device_with_its_token_and_refuses_otherwise()
    {
        var token = await _host.RegisterAsync("hook-verne");
        var documented = $$"""{"peer_addr":"127.0.0.1","peer_port":8888,"username":"hook-verne","password":"{{token}}","mountpoint":"","client_id":"hook-verne","clean_session":false}""";
        var documentedM5 = $$$"""{"peer_addr":"127.0.0.1","peer_port":8888,"mountpoint":"","client_id":"hook-verne","username":"hook-verne","password":"{{{token}}}","clean_start":true,"properties":{}}""";

        Assert.Equal("""{"result":"ok"}""", await VerneMqAsync("auth_on_register", documented));
        Assert.Equal("""{"result":"ok"}""", await VerneMqAsync("auth_on_register_m5", documentedM5));
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_register", documented.Replace(token, "wrong", StringComparison.Ordinal)));
        // A mountpoint moves the client's topics out of the tree the rules are for.
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_register", documented.Replace("\"mountpoint\":\"\"", "\"mountpoint\":\"tenant-b\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerneMq_auth_on_publish_applies_the_device_topic_rules()
    {
        await _host.RegisterAsync("hook-vpub");
        static string Publish(string topic) => $$"""{"username":"hook-vpub","client_id":"hook-vpub","mountpoint":"","qos":1,"topic":"{{topic}}","payload":"aGVsbG8=","retain":false}""";

        Assert.Equal("""{"result":"ok"}""", await VerneMqAsync("auth_on_publish", Publish("dx/hook-vpub/up/event")));
        Assert.Equal("""{"result":"ok"}""", await VerneMqAsync("auth_on_publish_m5", Publish("dx/hook-vpub/presence")));
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_publish", Publish("dx/someone-else/up/event")));
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_publish", Publish("dx/hook-vpub/up/#")));
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_publish_m5", Publish("$SYS/broker")));
    }

    [Fact]
    public async Task VerneMq_auth_on_subscribe_allows_own_downlink_and_marks_each_refused_filter()
    {
        await _host.RegisterAsync("hook-vsub");
        Assert.Equal("""{"result":"ok"}""", await VerneMqAsync("auth_on_subscribe",
            """{"client_id":"hook-vsub","mountpoint":"","username":"hook-vsub","topics":[{"topic":"dx/hook-vsub/down/#","qos":1}]}"""));

        var mixed = await VerneMqAsync("auth_on_subscribe",
            """{"client_id":"hook-vsub","mountpoint":"","username":"hook-vsub","topics":[{"topic":"dx/hook-vsub/down/#","qos":1},{"topic":"$SYS/#","qos":1}]}""");
        Assert.Equal("""{"result":"ok","topics":[{"topic":"dx/hook-vsub/down/#","qos":1},{"topic":"$SYS/#","qos":128}]}""", mixed);

        var mixedM5 = await VerneMqAsync("auth_on_subscribe_m5",
            """{"username":"hook-vsub","mountpoint":"","client_id":"hook-vsub","topics":[{"topic":"dx/hook-vsub/down/command","qos":1},{"topic":"$share/g/dx/+/up/#","qos":1}],"properties":{}}""");
        Assert.Equal("""{"result":"ok","modifiers":{"topics":[{"topic":"dx/hook-vsub/down/command","qos":1},{"topic":"$share/g/dx/+/up/#","qos":135}]}}""", mixedM5);

        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_subscribe",
            """{"client_id":"hook-vsub","mountpoint":"","username":"hook-vsub","topics":[{"topic":"#","qos":0},{"topic":"dx/other/down/#","qos":1}]}"""));
        Assert.Equal("""{"result":{"error":"not_allowed"}}""", await VerneMqAsync("auth_on_subscribe",
            """{"client_id":"hook-vsub","mountpoint":"","username":"hook-vsub","topics":[]}"""));
    }

    [Fact]
    public async Task VerneMq_a_hook_not_served_here_is_a_bad_request()
    {
        using var response = await PostAsync("/broker/vernemq", """{"client_id":"x","mountpoint":""}""", request => request.Headers.Add(BrokerHooksApi.VerneMqHookHeader, "on_deliver"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    // --- Who may call, and what a hostile body gets ------------------------------------------------------------------

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a-shared-secret-of-at-least-32-characterz")]
    public async Task A_caller_without_the_brokers_secret_is_refused_and_nothing_is_decided(string? secret)
    {
        var token = await _host.RegisterAsync("hook-secret");

        using var response = await PostAsync("/broker/emqx/authenticate", $$"""{"clientid":"hook-secret","username":"hook-secret","password":"{{token}}"}""",
            request =>
            {
                request.Headers.Remove("X-Broker-Secret");
                if (secret is not null)
                    request.Headers.TryAddWithoutValidation("X-Broker-Secret", secret);
            });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("allow", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True(_host.Logged(BrokerEventIds.BrokerHookCallerRefused, "/broker/emqx/authenticate"));
        Assert.False(_host.Logged(BrokerEventIds.BrokerHookDenied, "hook-secret"));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"clientid\":\"x\",")]
    [InlineData("[\"clientid\",\"x\"]")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    public async Task A_garbled_body_is_a_bad_request_never_an_allow(string body)
    {
        using var response = await PostAsync("/broker/emqx/authorize", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Fields_of_the_wrong_type_are_taken_as_missing_and_denied()
    {
        Assert.Equal("deny", (await JsonAsync(await PostAsync("/broker/emqx/authorize",
            """{"clientid":["hook-type"],"username":{"a":1},"action":"publish","topic":42}"""))).GetProperty("result").GetString());
        Assert.Equal("deny", (await JsonAsync(await PostAsync("/broker/emqx/authenticate",
            """{"clientid":null,"username":true,"password":123}"""))).GetProperty("result").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_unread()
    {
        var huge = $$"""{"clientid":"hook-big","username":"hook-big","action":"publish","topic":"dx/hook-big/up/event","pad":"{{new string('x', 70 * 1024)}}"}""";

        using var response = await PostAsync("/broker/emqx/authorize", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task With_hooks_off_there_is_no_route_to_ask()
    {
        await using var host = new CloudHost();
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/broker/emqx/authenticate") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Broker-Secret", Secret);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        // No route: the pages' catch-all (GET only) answers 405, the API 404 — never a decision.
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)response.StatusCode}");
        Assert.DoesNotContain("result", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_client_certificate_configured_only_that_certificate_may_call()
    {
        using var brokerCertificate = SelfSigned("CN=emqx-node-1");
        using var stranger = SelfSigned("CN=emqx-node-1");
        var thumbprint = Convert.ToHexString(brokerCertificate.GetCertHash(HashAlgorithmName.SHA256));
        await using var host = new CloudHost(settings: HookSettings(
            ("Broker:Hooks:Secret", ""), ("Broker:Hooks:ClientCertificateThumbprints:0", thumbprint)));
        var token = await host.RegisterAsync("hook-mtls");
        var body = $$"""{"clientid":"hook-mtls","username":"hook-mtls","password":"{{token}}"}""";

        Assert.Equal(StatusCodes.Status200OK, (await SendWithCertificateAsync(host, body, brokerCertificate)).Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendWithCertificateAsync(host, body, stranger)).Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendWithCertificateAsync(host, body, null)).Response.StatusCode);
    }

    [Fact]
    public async Task Hooks_without_a_secret_or_certificate_stop_the_start_with_a_clear_error()
    {
        await using var host = new CloudHost(settings: HookSettings(("Broker:Hooks:Secret", "")));

        var error = Assert.ThrowsAny<Exception>(() => host.Services);

        Assert.Contains("Broker:Hooks: set Secret or ClientCertificateThumbprints", error.ToString(), StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Through the test server with the TLS client certificate set on the connection, as Kestrel sets it after the handshake.</summary>
    private static Task<HttpContext> SendWithCertificateAsync(CloudHost host, string body, X509Certificate2? certificate) =>
        host.Server.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/broker/emqx/authenticate";
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Connection.ClientCertificate = certificate;
        }, TestContext.Current.CancellationToken);

    private async Task<string?> EmqxAuthenticateAsync(string clientId, string userName, string password) =>
        await RawEmqxAuthenticateAsync(JsonSerializer.Serialize(new { clientid = clientId, username = userName, password, peerhost = "127.0.0.1" }));

    private async Task<string?> RawEmqxAuthenticateAsync(string body)
    {
        using var response = await PostAsync("/broker/emqx/authenticate", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("result").GetString();
    }

    private async Task<string?> EmqxAuthorizeAsync(string clientId, string userName, string action, string topic)
    {
        using var response = await PostAsync("/broker/emqx/authorize", JsonSerializer.Serialize(new { clientid = clientId, username = userName, action, topic }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("result").GetString();
    }

    private async Task<string> VerneMqAsync(string hook, string body)
    {
        using var response = await PostAsync("/broker/vernemq", body, request => request.Headers.Add(BrokerHooksApi.VerneMqHookHeader, hook));
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, Action<HttpRequestMessage>? adjust = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Broker-Secret", Secret);
        adjust?.Invoke(request);
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
}
