using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Cloud.Updates;

namespace Diagnostics.Cloud.Tests.Http;

/// <summary>
/// A hostile or mistaken client's requests through the real host: each is refused with problem details (RFC 9457) whose
/// words are in the reader's language and whose code names what was wrong, and what was stored before is still there
/// after (read back through the API).
/// </summary>
public sealed class BadInputProblemTests : IDisposable
{
    // A cloud that runs updates, so a paired device has a maintenance window to keep.
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string WindowUrl = "/api/me/devices/bi-window/maintenance-window";

    [Theory]
    [InlineData("en-US,en;q=0.9", "Unknown field", "This request has no field 'start'; check its spelling. Nothing was changed.")]
    [InlineData("zh-CN,zh;q=0.9", "未知字段", "此请求没有“start”这个字段，请检查拼写。未做任何更改。")]
    public async Task A_window_with_unknown_field_names_is_refused_in_the_readers_language_and_the_stored_window_stays(
        string acceptLanguage, string title, string detail)
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, owner) = await OwnerWithNightWindowAsync(host);
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        // The audit's request: before, it answered 200 and the window became "any time".
        using var refused = await SendJsonAsync(owner, HttpMethod.Put, WindowUrl, """{"start":"25:00","end":"xx"}""");

        var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest, "UnknownMember");
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        await AssertNightWindowAsync(owner);
    }

    [Theory]
    [InlineData("""{"from":"01:00","to":"02:00","timeZone":"UTC","alwaysOpen":true}""", "UnknownMember", "alwaysOpen")]
    [InlineData("""{"from":1,"to":"02:00"}""", "WrongMemberType", "from")]
    [InlineData("""{"from":"01:00","to":"02:00","notWhilePrinting":"yes"}""", "WrongMemberType", "notWhilePrinting")]
    [InlineData("""{"from":"01:00",""", "MalformedBody", null)]
    // Members left out: read as 00:00 they would store "any time" over the customer's window.
    [InlineData("""{}""", "WindowTimesRefused", null)]
    [InlineData("""{"from":"01:00","timeZone":"UTC"}""", "WindowTimesRefused", null)]
    public async Task Each_hostile_window_body_is_refused_with_its_code_and_changes_nothing(string body, string code, string? namedMember)
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, owner) = await OwnerWithNightWindowAsync(host);
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        using var refused = await SendJsonAsync(owner, HttpMethod.Put, WindowUrl, body);

        var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest, code);
        var detail = problem.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", detail);
        if (namedMember is not null)
            Assert.Contains($"“{namedMember}”", detail, StringComparison.Ordinal);
        await AssertNightWindowAsync(owner);
    }

    [Theory]
    [InlineData("en-US", "{nope", "MalformedBody", "Unreadable request body", "The body is not valid JSON. Nothing was changed.")]
    [InlineData("zh-CN", "{nope", "MalformedBody", "无法读取请求体", "请求体不是有效的 JSON，未做任何更改。")]
    [InlineData("en-US", """{"code":5}""", "WrongMemberType", "Unreadable request body", "The value of 'code' has the wrong type. Nothing was changed.")]
    [InlineData("zh-CN", """{"code":5}""", "WrongMemberType", "无法读取请求体", "字段“code”的值类型不正确，未做任何更改。")]
    [InlineData("ja-JP", """{"code":5}""", "WrongMemberType", "本文を読み取れません", "「code」の値の型が正しくありません。何も変更していません。")]
    public async Task A_pairing_body_that_does_not_bind_is_explained_not_answered_empty(
        string acceptLanguage, string body, string code, string title, string detail)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        using var refused = await SendJsonAsync(customer, HttpMethod.Post, "/api/me/devices/pair", body);

        var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest, code);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tag_list_with_a_tag_that_is_not_text_is_refused_and_the_stored_tags_stay()
    {
        await using var host = new CloudHost();
        await host.RegisterAsync("bi-tags");
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        using (var tagged = await supervisor.PutAsJsonAsync("/api/devices/bi-tags/tags", new[] { "pilot" }, Ct))
            Assert.Equal(HttpStatusCode.OK, tagged.StatusCode);

        using var refused = await SendJsonAsync(supervisor, HttpMethod.Put, "/api/devices/bi-tags/tags", """["night", 5]""");

        var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest, "WrongMemberType");
        Assert.Equal("字段“[1]”的值类型不正确，未做任何更改。", problem.GetProperty("detail").GetString());
        Assert.Equal(["pilot"], await supervisor.GetJsonAsync<List<string>>("/api/devices/bi-tags/tags"));
    }

    [Theory]
    [InlineData("en-US", "Not signed in", "Not permitted")]
    [InlineData("zh-CN,zh;q=0.9", "未登录", "无权执行此操作")]
    public async Task Refusals_by_authorization_are_problem_details_in_the_readers_language(string acceptLanguage, string notSignedIn, string notPermitted)
    {
        await using var host = new CloudHost();
        using var anonymous = host.CreateClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        using var unknown = await anonymous.GetAsync(new Uri("/api/me/devices", UriKind.Relative), Ct);
        using var forbidden = await customer.GetAsync(new Uri("/api/devices", UriKind.Relative), Ct);

        Assert.Equal(notSignedIn, (await ProblemAsync(unknown, HttpStatusCode.Unauthorized, "NotSignedIn")).GetProperty("title").GetString());
        Assert.Equal(notPermitted, (await ProblemAsync(forbidden, HttpStatusCode.Forbidden, "NotPermitted")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_page_keeps_its_own_answer_to_a_reader_who_is_not_signed_in()
    {
        await using var host = new CloudHost();
        using var anonymous = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var page = await anonymous.GetAsync(new Uri("/app", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.NotEqual("application/problem+json", page.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<(DeviceClient Device, HttpClient Owner)> OwnerWithNightWindowAsync(CloudHost host)
    {
        var device = await PairedDevices.ConnectAnnouncingAsync(host, "bi-window", "CDCD3333");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "CDCD3333");
        using var set = await owner.PutAsJsonAsync(WindowUrl, new { from = "22:00", to = "06:00", timeZone = "Europe/Berlin", notWhilePrinting = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await AssertNightWindowAsync(owner);
        return (device, owner);
    }

    private static async Task AssertNightWindowAsync(HttpClient owner) =>
        Assert.Equal(new MaintenanceWindowView("22:00", "06:00", "Europe/Berlin", NotWhilePrinting: false, AlwaysOpen: false),
            await owner.GetJsonAsync<MaintenanceWindowView>(WindowUrl));

    private static async Task<HttpResponseMessage> SendJsonAsync(HttpClient client, HttpMethod method, string url, string body)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        return await client.SendAsync(request, Ct);
    }

    /// <summary>The refusal's problem details, after checking what a program matches on: status, media type, type and code.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage refused, HttpStatusCode status, string code)
    {
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.True(refused.StatusCode == status, $"expected {(int)status}, got {(int)refused.StatusCode}: {body}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal($"https://httpstatuses.io/{(int)status}", problem.GetProperty("type").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }
}
