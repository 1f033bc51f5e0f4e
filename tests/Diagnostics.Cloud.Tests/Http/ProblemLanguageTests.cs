using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Resources;
using System.Text.Json;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Http;

/// <summary>
/// A refusal's words (title, detail) are in the reader's language; what a program matches on (status, type, code) is
/// the same in every language.
/// </summary>
public sealed partial class ProblemLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-US,en;q=0.9", "Invalid paging", "pageSize <= 500")]
    [InlineData("zh-CN,zh;q=0.9", "分页参数无效", "pageSize 须在 1 到 500 之间")]
    [InlineData("ja-JP", "ページ指定が正しくありません", "pageSize は 1～500 で指定してください")]
    // A language without translations is answered in English, never half-translated or refused.
    [InlineData("fr-FR,fr;q=0.9", "Invalid paging", "pageSize <= 500")]
    public async Task The_same_refused_request_is_explained_in_the_readers_language_with_the_same_status_type_and_code(
        string acceptLanguage, string title, string detailPart)
    {
        await using var host = new CloudHost();
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        staff.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        using var refused = await staff.GetAsync(new Uri("/api/devices?page=0", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("https://httpstatuses.io/400", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal("InvalidPaging", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        Assert.Contains(detailPart, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // A refusal a service writes (not a problem title's fixed detail) is its folder's own text, one row per service.
    [Theory]
    [InlineData("/api/updates/rollouts", """{"packageId":"pkg-missing"}""", 400, "RolloutRefused", "目录中没有软件包“pkg-missing”，请先发布它。")]
    [InlineData("/api/kb/articles/no-such-article/phrases", """{"text":"paper keeps jamming"}""", 404, "ProposedForUnknownArticle", "没有已发布的文章 no-such-article。")]
    [InlineData("/api/kb/articles/no-such-article/phrases", """{"text":"x"}""", 400, "InvalidPhrase", "请填写 2 到 500 个字符的短语，用客户自己的话。")]
    public async Task A_refusal_a_service_writes_is_explained_in_Chinese_to_a_Chinese_reader(
        string path, string body, int status, string code, string detail)
    {
        await using var host = new CloudHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var refused = await supervisor.PostAsync(new Uri(path, UriKind.Relative), content, Ct);

        Assert.Equal(status, (int)refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_accounts_language_outranks_the_browsers_for_a_refusal_too()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        using (var picked = await customer.PutAsJsonAsync("/api/auth/language", new { language = "ja" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, picked.StatusCode);

        // Klingon: a language no one translated the apps into; a hostile or mistaken client may send anything.
        using var refused = await customer.PutAsJsonAsync("/api/auth/language", new { language = "tlh" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("UnsupportedLanguage", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("対応していない言語です", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("アプリが対応している言語は English (en), 日本語 (ja), 中文（简体） (zh-Hans) で、「tlh」は含まれていません。", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void Every_problem_code_the_cloud_uses_has_an_English_title_and_every_detail_it_formats_has_a_text()
    {
        var texts = new ResourceManager("Diagnostics.Cloud.Resources.Http.ApiProblems", typeof(ApiProblems).Assembly);
        var source = Path.Combine(RepositoryFiles.Root(), "cloud", "Diagnostics.Cloud");
        var missing = new List<string>();
        var used = 0;
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var code = File.ReadAllText(file);
            foreach (Match call in ProblemCall().Matches(code))
            {
                // The call's own text, up to the end of its statement: a code chosen by a condition names every candidate.
                var end = code.IndexOf(';', call.Index);
                var statement = code[call.Index..(end < 0 ? code.Length : end)];
                foreach (Match literal in CodeLiteral().Matches(statement))
                {
                    used++;
                    var name = literal.Groups[1].Value;
                    if (texts.GetString(name + ".Title", CultureInfo.InvariantCulture) is null)
                        missing.Add($"{Path.GetFileName(file)}: {name}.Title");
                    if (call.Groups["kind"].Value is "Create" or "Refusal" && texts.GetString(name + ".Detail", CultureInfo.InvariantCulture) is null)
                        missing.Add($"{Path.GetFileName(file)}: {name}.Detail");
                }
            }
        }
        Assert.True(used > 50, $"found only {used} problem calls: is the pattern still right?");
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    // ApiProblems.Create / Explained / Title, a code picked first by a switch ("=> (StatusCodes.Status409Conflict, \"Code\")"),
    // and a refusal no endpoint explained (ApiRefusals' "new Refusal(status, \"Code\"…)", which reads Title and Detail).
    [GeneratedRegex(@"ApiProblems\.(?<kind>Create|Explained|Title)\(|new (?<kind>Refusal)\(|=> \(StatusCodes\.\w+, (?=""\w+""\))", RegexOptions.ExplicitCapture)]
    private static partial Regex ProblemCall();

    [GeneratedRegex(@"""([A-Z][A-Za-z]+)""")]
    private static partial Regex CodeLiteral();
}
