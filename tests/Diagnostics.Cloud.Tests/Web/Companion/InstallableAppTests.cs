using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Web.Companion;

/// <summary>What a phone needs to install the companion app, served by the app itself.</summary>
public sealed class InstallableAppTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_manifest_describes_an_installable_app()
    {
        await using var host = new CloudHost();
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri("/companion/manifest.webmanifest", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/manifest+json", response.Content.Headers.ContentType?.MediaType);
        using var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = manifest.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("short_name").GetString()));
        Assert.Equal("/app", root.GetProperty("start_url").GetString());
        Assert.Equal("/", root.GetProperty("scope").GetString());
        Assert.Equal("standalone", root.GetProperty("display").GetString());
        Assert.StartsWith("#", root.GetProperty("theme_color").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("#", root.GetProperty("background_color").GetString(), StringComparison.Ordinal);
        var icons = root.GetProperty("icons").EnumerateArray()
            .Select(i => (Src: i.GetProperty("src").GetString()!, Sizes: i.GetProperty("sizes").GetString()!, Type: i.GetProperty("type").GetString()!, Purpose: i.GetProperty("purpose").GetString()!))
            .ToList();
        Assert.Contains(icons, i => i.Sizes == "192x192" && i.Type == "image/png" && i.Purpose.Contains("any", StringComparison.Ordinal));
        Assert.Contains(icons, i => i.Sizes == "512x512" && i.Type == "image/png" && i.Purpose.Contains("any", StringComparison.Ordinal));
        Assert.Contains(icons, i => i.Type == "image/png" && i.Purpose.Contains("maskable", StringComparison.Ordinal));

        foreach (var icon in icons)
        {
            using var image = await http.GetAsync(new Uri(icon.Src, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal(icon.Type, image.Content.Headers.ContentType?.MediaType);
            if (icon.Type == "image/png")
            {
                var bytes = await image.Content.ReadAsByteArrayAsync(Ct);
                var size = $"{BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16))}x{BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))}";
                Assert.Equal(icon.Sizes, size);
            }
        }
    }

    [Fact]
    public async Task The_service_worker_may_control_the_app_and_the_offline_page_is_served()
    {
        await using var host = new CloudHost();
        using var http = host.CreateClient();

        using var worker = await http.GetAsync(new Uri("/app/service-worker.js", UriKind.Relative), Ct);
        using var register = await http.GetAsync(new Uri("/companion/register-sw.js", UriKind.Relative), Ct);
        using var offline = await http.GetAsync(new Uri("/companion/offline.html", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.Equal("text/javascript", worker.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/app", Assert.Single(worker.Headers.GetValues("Service-Worker-Allowed")));
        Assert.Contains("offline.html", await worker.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        Assert.Contains("/app/service-worker.js", await register.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("text/html", offline.Content.Headers.ContentType?.MediaType);
        Assert.Contains("offline", await offline.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Companion_pages_link_the_manifest_and_register_the_worker()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Customer);

        var page = await customer.GetStringAsync(new Uri("/app", UriKind.Relative), Ct);

        Assert.Contains("<link rel=\"manifest\" href=\"/companion/manifest.webmanifest\" crossorigin=\"use-credentials\"", page, StringComparison.Ordinal);
        Assert.Contains("/companion/register-sw.js", page, StringComparison.Ordinal);
        Assert.Contains("name=\"viewport\"", page, StringComparison.Ordinal);
    }

    // The name under the icon on a phone's home screen and the page a phone without a connection shows were static
    // English files, whatever the customer reads (issue 19).
    [Theory]
    [InlineData("en-US", "en", "My devices", "You are offline", "Try again")]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "我的设备", "未连接网络", "重试")]
    [InlineData("ja-JP", "ja", "マイ機器", "オフラインです", "もう一度試す")]
    public async Task The_manifest_and_the_offline_page_are_in_the_readers_language(
        string acceptLanguage, string lang, string shortName, string offlineHeading, string tryAgain)
    {
        await using var host = new CloudHost();
        using var http = host.CreateClient();
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        using var manifest = JsonDocument.Parse(await http.GetStringAsync(new Uri("/companion/manifest.webmanifest", UriKind.Relative), Ct));
        var offline = await http.GetStringAsync(new Uri("/companion/offline.html", UriKind.Relative), Ct);

        Assert.Equal(shortName, manifest.RootElement.GetProperty("short_name").GetString());
        Assert.Contains(shortName, manifest.RootElement.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal(lang, manifest.RootElement.GetProperty("lang").GetString());
        Assert.Contains($"<html lang=\"{lang}\">", offline, StringComparison.Ordinal);
        Assert.Contains($"<h1>{offlineHeading}</h1>", offline, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/app\">{tryAgain}</a>", offline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_offline_page_a_signed_in_customer_keeps_is_in_their_accounts_language()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(Diagnostics.Cloud.Accounts.AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        using (var picked = await customer.PutAsJsonAsync("/api/auth/language", new { language = "zh-Hans" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, picked.StatusCode);

        // The worker fetches both with the customer's cookies (the manifest link asks for credentials).
        var offline = await customer.GetStringAsync(new Uri("/companion/offline.html", UriKind.Relative), Ct);
        using var manifest = JsonDocument.Parse(await customer.GetStringAsync(new Uri("/companion/manifest.webmanifest", UriKind.Relative), Ct));

        Assert.Contains("<h1>未连接网络</h1>", offline, StringComparison.Ordinal);
        Assert.Equal("我的设备", manifest.RootElement.GetProperty("short_name").GetString());
    }
}
