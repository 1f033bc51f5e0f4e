using System.Net;
using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>Reading server-rendered pages in tests: fetch one, and find elements by their <c>data-testid</c>.</summary>
internal static partial class RenderedPage
{
    public static async Task<string> GetPageAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} -> {(int)response.StatusCode}: {html}");
        return html;
    }

    /// <summary>The text of the element carrying that data-testid (the first one, markup stripped).</summary>
    public static string TestIdText(string html, string testId)
    {
        var match = Regex.Match(html, $"""<(\w+)[^>]*data-testid="{Regex.Escape(testId)}"[^>]*>(.*?)</\1>""", RegexOptions.Singleline);
        Assert.True(match.Success, $"no element with data-testid=\"{testId}\"");
        return WebUtility.HtmlDecode(Tags().Replace(match.Groups[2].Value, "")).Trim();
    }

    /// <summary>The text of every element carrying that data-testid, in page order (markup stripped, white space collapsed).</summary>
    public static List<string> TestIdTexts(string html, string testId) =>
        [.. Regex.Matches(html, $"""<(\w+)[^>]*data-testid="{Regex.Escape(testId)}"[^>]*>(.*?)</\1>""", RegexOptions.Singleline)
            .Select(m => Regex.Replace(WebUtility.HtmlDecode(Tags().Replace(m.Groups[2].Value, " ")), @"\s+", " ").Trim())];

    public static int CountTestId(string html, string testId) => Regex.Count(html, $"""data-testid="{Regex.Escape(testId)}"[\s>/]""");

    public static List<string> Attribute(string html, string testId, string attribute) =>
        [.. Regex.Matches(html, $"""<\w+[^>]*data-testid="{Regex.Escape(testId)}"[^>]*>""")
            .Select(m => Regex.Match(m.Value, $"""{attribute}="([^"]*)" """.TrimEnd()).Groups[1].Value)];

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
