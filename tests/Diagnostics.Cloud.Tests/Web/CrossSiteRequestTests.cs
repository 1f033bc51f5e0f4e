using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Web;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>
/// Another site posting a form to ours while our cookie is in the browser. Browsers name the page's origin in
/// <c>Origin</c> and, from secure contexts, in <c>Sec-Fetch-Site</c> (Fetch Metadata, W3C); the requests below carry
/// them as Chromium sends them for a form on http://evil.example, and for our own pages.
/// </summary>
public sealed partial class CrossSiteRequestTests
{
    private const string Evil = "http://evil.example";
    private static readonly string[] StateChanging = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Every_state_changing_route_refuses_a_cross_origin_form_post_with_the_cookie_and_takes_a_same_origin_or_bearer_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var cookie = await host.SignedInCookieAsync(AccountRole.Admin);
        var routes = StateChangingRoutes(host);
        // The routes the issue names, so a change to the enumeration cannot quietly empty it.
        Assert.Contains(routes, r => r.Path.EndsWith("/fixes/x/approve", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Path.EndsWith("/reports/x/release", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Path.EndsWith("/x/leave", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Path.EndsWith("/x/handover", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Path.EndsWith("/devices/x/later", StringComparison.Ordinal));
        Assert.True(routes.Count >= 40, $"only {routes.Count} state-changing routes found");

        var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var accepted = new List<string>();
        var refusedOwnOrigin = new List<string>();
        foreach (var (method, path) in routes)
        {
            foreach (var (origin, fetchSite) in new[] { (Evil, "cross-site"), ("http://app.localhost", "same-site"), (Evil, null), ("null", null) })
            {
                using var forged = await SendAsync(client, method, path, cookie, origin, fetchSite);
                if (!await IsRefusedAsCrossSiteAsync(forged))
                    accepted.Add($"{method} {path} from {origin} ({fetchSite ?? "no Sec-Fetch-Site"}) -> {(int)forged.StatusCode}");
            }
            using (var ownPage = await SendAsync(client, method, path, cookie, "http://localhost", "same-origin"))
            {
                if (await IsRefusedAsCrossSiteAsync(ownPage))
                    refusedOwnOrigin.Add($"{method} {path} from our own page");
            }
            using (var bearer = await SendAsync(client, method, path, cookie: null, Evil, "cross-site", bearer: "device-token"))
            {
                if (await IsRefusedAsCrossSiteAsync(bearer))
                    refusedOwnOrigin.Add($"{method} {path} with a bearer token");
            }
        }

        Assert.True(accepted.Count == 0, "cross-site requests reached the route:\n" + string.Join("\n", accepted));
        Assert.True(refusedOwnOrigin.Count == 0, "legitimate requests refused:\n" + string.Join("\n", refusedOwnOrigin));
    }

    [Theory, BothEngines]
    public async Task Another_site_cannot_approve_a_customers_fix_but_the_app_can_and_the_device_still_uploads_with_its_token(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "csrf-1", "CSRF1111");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "CSRF1111");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        using var requested = await agent.PostAsync(new Uri("/api/devices/csrf-1/diagnostics", UriKind.Relative), null, Ct);
        var proposal = (await requested.Content.ReadJsonAsync<FixView>())!;

        using (var forged = await SendAsync(owner, HttpMethods.Post, $"/api/me/fixes/{proposal.Id}/approve", cookie: null, Evil, "cross-site"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Equal(CrossSiteRequestGuard.RefusalCode, await ProblemCodeAsync(forged));
        }
        Assert.Equal(FixState.Proposed, (await owner.GetJsonAsync<FixView>($"/api/me/fixes/{proposal.Id}")).State);
        Assert.True(device.Commands.IsEmpty);

        using (var approved = await SendAsync(owner, HttpMethods.Post, $"/api/me/fixes/{proposal.Id}/approve", cookie: null, "http://localhost", "same-origin"))
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved request reaches the device");

        // A device (bearer token, no cookie) is not a browser page: an Origin header does not stop it.
        using var upload = new HttpRequestMessage(HttpMethod.Post, DiagnosticsBundles.UploadPath("csrf-1"))
        {
            Content = JsonContent.Create(new DiagnosticsBundle("csrf-1", device.Commands.Single().CommandId, DateTimeOffset.UtcNow, "test",
                [new BundleSection(DiagnosticsBundles.StatusSection, "Status", "application/json", "{}")]), options: DiagnosticsBundles.Json),
        };
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        upload.Headers.Add("Origin", Evil);
        using var uploaded = await host.CreateClient().SendAsync(upload, Ct);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Another_site_cannot_sign_people_out_or_open_the_live_channel_with_their_cookie(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var browser = await host.SignedInClientAsync(AccountRole.Customer);

        using (var forged = await SendAsync(browser, HttpMethods.Post, "/api/auth/logout", cookie: null, Evil, "same-site"))
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct)).StatusCode);

        // A WebSocket handshake is a GET, but it opens a channel that carries the person's live data.
        using (var handshake = new HttpRequestMessage(HttpMethod.Get, "/hubs/live?id=x"))
        {
            handshake.Headers.Add("Origin", Evil);
            handshake.Headers.Add("Upgrade", "websocket");
            handshake.Headers.Add("Connection", "Upgrade");
            using var refused = await browser.SendAsync(handshake, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(CrossSiteRequestGuard.RefusalCode, await ProblemCodeAsync(refused));
        }

        using (var signOut = await SendAsync(browser, HttpMethods.Post, "/api/auth/logout", cookie: null, "http://localhost", "same-origin"))
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct)).StatusCode);
    }

    /// <summary>Every route of the running app that takes POST, PUT, PATCH or DELETE, with its parameters filled in.</summary>
    private static List<(string Method, string Path)> StateChangingRoutes(CloudHost host) =>
    [
        .. host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => StateChanging.Contains(m, StringComparer.OrdinalIgnoreCase))
                .Select(method => (method, Fill(endpoint.RoutePattern))))
            .Distinct()
            .Order(),
    ];

    /// <summary>A path the route matches: numbers where it wants numbers, the first choice of a regex alternation, else "x".</summary>
    private static string Fill(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => ValueFor(parameter),
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "x",
        })));
        return "/" + string.Join('/', segments);
    }

    private static string ValueFor(RoutePatternParameterPart parameter)
    {
        foreach (var policy in parameter.ParameterPolicies.Select(p => p.Content ?? ""))
        {
            if (policy is "long" or "int")
                return "1";
            if (Alternation().Match(policy) is { Success: true } choice)
                return choice.Groups[1].Value;
        }
        return "x";
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, string method, string path, string? cookie, string origin, string? fetchSite, string? bearer = null)
    {
        // What a plain HTML form sends: an urlencoded body (a form cannot send JSON or custom headers cross-site).
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new FormUrlEncodedContent([new("field", "value")]) };
        if (cookie is not null)
            request.Headers.Add("Cookie", cookie);
        request.Headers.Add("Origin", origin);
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
            request.Headers.Add("Sec-Fetch-Mode", "navigate");
        }
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<bool> IsRefusedAsCrossSiteAsync(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden && await ProblemCodeAsync(response) == CrossSiteRequestGuard.RefusalCode;

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    [GeneratedRegex(@"^regex\(\^\(([^|)]+)")]
    private static partial Regex Alternation();
}
