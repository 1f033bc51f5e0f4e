using System.Net;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>
/// An unknown page address answers 404 (RFC 9110 §15.5.5) with the not-found page in the reader's language rather than
/// an empty body the browser words in its own (issue 19, second audit row 3); the API's unknown addresses keep their
/// problem details (RFC 9457). Expected words are the translators' (Resources/Web/Components/PageNotFound.*.resx).
/// </summary>
public sealed class NotFoundPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-US", "en", "Not found", "There is nothing at this address.")]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "找不到页面", "此地址没有内容。")]
    [InlineData("ja-JP", "ja", "ページが見つかりません", "このアドレスには何もありません。")]
    public async Task An_unknown_page_address_answers_404_with_the_not_found_page_in_the_readers_language(
        string acceptLanguage, string language, string heading, string sentence)
    {
        await using var host = new CloudHost();
        var anonymous = host.CreateClient();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        foreach (var reader in new[] { anonymous, agent })
        {
            reader.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
            foreach (var path in new[] { "/nope", "/dashboard/no/such/page" })
            {
                using var response = await reader.GetAsync(new Uri(path, UriKind.Relative), Ct);
                var html = await response.Content.ReadAsStringAsync(Ct);

                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains($"<html lang=\"{language}\"", html, StringComparison.Ordinal);
                Assert.Equal(heading, TestIdText(html, "not-found"));
                Assert.Contains(sentence, System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task An_unknown_api_address_keeps_its_problem_details_and_a_refused_page_keeps_its_status()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");

        using var api = await customer.GetAsync(new Uri("/api/nope", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await api.Content.ReadAsStringAsync(Ct));
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("data-testid=\"not-found\"", await api.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A form post to an address nothing answers is no page read: its status alone, no page.
        using var posted = await customer.PostAsync(new Uri("/nope", UriKind.Relative), new StringContent(""), Ct);
        Assert.NotEqual(HttpStatusCode.OK, posted.StatusCode);
        Assert.DoesNotContain("data-testid=\"not-found\"", await posted.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
