using System.Net;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>
/// Every page of both apps, found from the app's own endpoints so a new page is covered without touching this test,
/// carries a Content-Security-Policy (W3C CSP Level 3) that lets scripts come only from the site's own files, and
/// no page holds a script the policy would block.
/// </summary>
public sealed partial class SecurityHeadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Every_page_carries_a_policy_that_allows_only_the_sites_own_script_files_and_holds_no_inline_script(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var pages = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => Fill(e.RoutePattern))
            .Distinct()
            .Order()
            .ToList();
        Assert.Contains("/account/login", pages);
        Assert.Contains("/dashboard", pages);
        Assert.Contains("/app", pages);
        var visitors = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
            ["admin"] = await host.SignedInClientAsync(AccountRole.Admin),
            ["customer"] = await host.SignedInClientAsync(AccountRole.Customer),
        };

        var problems = new List<string>();
        foreach (var page in pages)
        {
            foreach (var (who, client) in visitors)
            {
                using var response = await client.GetAsync(new Uri(page, UriKind.Relative), Ct);
                var html = await response.Content.ReadAsStringAsync(Ct);
                problems.AddRange(PolicyProblems(response).Select(p => $"{page} as {who}: {p}"));
                problems.AddRange(InlineScripts(html).Select(p => $"{page} as {who}: {p}"));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory, BothEngines]
    public async Task Scripts_styles_the_offline_page_the_api_and_errors_carry_the_headers_too(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var client = host.CreateClient();
        var problems = new List<string>();

        foreach (var path in new[]
        {
            "/_framework/blazor.web.js", "/css/site.css", "/companion/offline.html", "/companion/manifest.webmanifest",
            "/app/service-worker.js", "/api/auth/me", "/health", "/no/such/page",
        })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
            problems.AddRange(PolicyProblems(response).Select(p => $"{path}: {p}"));
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
                problems.AddRange(InlineScripts(await response.Content.ReadAsStringAsync(Ct)).Select(p => $"{path}: {p}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>What the standards ask of each header; empty when all is well.</summary>
    private static IEnumerable<string> PolicyProblems(HttpResponseMessage response)
    {
        var policies = Values(response, "Content-Security-Policy");
        if (policies.Count != 1)
        {
            yield return $"{policies.Count} Content-Security-Policy headers (one expected)";
            yield break;
        }
        var directives = policies[0].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(d => d[0], d => string.Join(' ', d[1..]), StringComparer.OrdinalIgnoreCase);
        foreach (var (directive, expected) in new[]
        {
            ("script-src", "'self'"), ("object-src", "'none'"), ("base-uri", "'self'"), ("frame-ancestors", "'none'"),
            ("default-src", "'self'"), ("form-action", "'self'"),
        })
        {
            if (!directives.TryGetValue(directive, out var actual) || actual != expected)
                yield return $"CSP {directive} is '{actual}', expected {expected}";
        }
        foreach (var (header, expected) in new[]
        {
            ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
        })
        {
            if (Values(response, header) is not [var actual] || !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                yield return $"{header} is '{string.Join(", ", Values(response, header))}', expected {expected}";
        }
        if (Values(response, "Permissions-Policy") is not [var permissions] || !permissions.Contains("camera=()", StringComparison.Ordinal)
            || !permissions.Contains("geolocation=()", StringComparison.Ordinal))
        {
            yield return "no Permissions-Policy switching off camera and geolocation";
        }
    }

    /// <summary>Script the policy would block: a script element without src, an on* handler attribute, a javascript: URL.</summary>
    private static IEnumerable<string> InlineScripts(string html)
    {
        foreach (Match script in ScriptElement().Matches(html))
        {
            if (!script.Groups["attributes"].Value.Contains("src=", StringComparison.OrdinalIgnoreCase))
                yield return $"inline script: {Shorten(script.Value)}";
        }
        foreach (Match handler in HandlerAttribute().Matches(html))
            yield return $"inline event handler: {Shorten(handler.Value)}";
        if (html.Contains("javascript:", StringComparison.OrdinalIgnoreCase))
            yield return "javascript: URL";
    }

    private static List<string> Values(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) || response.Content.Headers.TryGetValues(header, out values) ? [.. values] : [];

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    /// <summary>A path the route matches, with "x" for each parameter (pages show "not found" for unknown ids).</summary>
    private static string Fill(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p is RoutePatternLiteralPart literal ? literal.Content : "x"))));

    [GeneratedRegex(@"<script(?<attributes>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptElement();

    [GeneratedRegex(@"<[a-z][^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex HandlerAttribute();
}
