using System.Globalization;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// What support's own proposals store in English (a diagnostics request's title and "what the printer will do", who
/// asked for a proposal) reads in each reader's language beside the stored text, on the fixes APIs for customer and
/// staff, rows stored before these texts were resources included (issue 19). Expected words are the translators'
/// (Resources/Fixes/ProposalTexts.*.resx).
/// </summary>
public sealed class SupportProposalLanguageTests
{
    private const string StoredTitle = "Diagnostics report for support";

    private const string StoredDescribe =
        "The printer collects a report for support: its current status, its recent events, the last lines of its log and its settings " +
        "(never passwords or keys). You see the report before support does, and you can discard it.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string> DiagnosticsByLanguage => new()
    {
        { "en-US", StoredTitle, StoredDescribe, "requested by {0}" },
        { "zh-CN,zh;q=0.9", "供客服查看的诊断报告",
            "打印机会为客服收集一份报告：当前状态、最近的事件、日志的最后几行和设置（绝不包括密码或密钥）。您会先于客服看到报告，也可以将其丢弃。", "由 {0} 请求" },
        { "ja-JP", "サポート向けの診断レポート",
            "プリンターがサポート向けのレポートを作成します。内容は現在の状態、最近のイベント、ログの最後の数行、設定です（パスワードや鍵は含まれません）。レポートはサポートより先にお客様が確認でき、破棄することもできます。",
            "{0} が依頼" },
    };

    [Theory]
    [MemberData(nameof(DiagnosticsByLanguage))]
    public async Task A_diagnostics_request_reads_in_the_readers_language_beside_the_english_it_stored(
        string acceptLanguage, string title, string describe, string requestedBy)
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "ask-report-1", "HHHH1111");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var requested = await OkAsync<JsonElement>(agent, "/api/devices/ask-report-1/diagnostics");
        var id = requested.GetProperty("id").GetString()!;
        var staff = await agent.GetJsonAsync<JsonElement>($"/api/fixes/{id}");
        var mine = await owner.GetJsonAsync<JsonElement>($"/api/me/fixes/{id}");

        foreach (var fix in new[] { requested, staff, mine })
        {
            Assert.Equal((StoredTitle, title), (Text(fix, "articleTitle"), Text(fix, "articleTitleForReader")));
            Assert.Equal((StoredDescribe, describe), (Text(fix.GetProperty("preview"), "describe"), Text(fix.GetProperty("preview"), "describeForReader")));
        }
        foreach (var fix in new[] { requested, staff })
        {
            var stored = Assert.Single(Texts(fix, "reasons"));
            Assert.StartsWith("requested by ", stored, StringComparison.Ordinal);
            var asker = stored["requested by ".Length..];
            Assert.Equal(string.Format(CultureInfo.InvariantCulture, requestedBy, asker), Assert.Single(Texts(fix, "reasonsForReader")));
        }
    }

    [Theory]
    [InlineData("en-US", "suggested by {0} in a support session")]
    [InlineData("zh-CN,zh;q=0.9", "由 {0} 在客服会话中建议")]
    [InlineData("ja-JP", "{0} がサポートのチャットで提案")]
    public async Task Who_suggested_a_fix_in_a_session_reads_in_the_staff_readers_language(string acceptLanguage, string suggestedBy)
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "suggest-1", "HHHH2222");
        await using var _ = device;
        var session = await OpenAsync(owner, "suggest-1", "The printer jams, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        await OkAsync<JsonElement>(agent, $"/api/sessions/{session.Id}/take");

        var card = await OkAsync<MessageForReader>(agent, $"/api/sessions/{session.Id}/fixes", new { articleId = "paper-jam" });
        var proposalId = SupportCardText.Read<FixCard>(card.Body)!.ProposalId;
        var fix = await agent.GetJsonAsync<JsonElement>($"/api/fixes/{proposalId}");

        var stored = Assert.Single(Texts(fix, "reasons"));
        const string English = " in a support session";
        Assert.StartsWith("suggested by ", stored, StringComparison.Ordinal);
        Assert.EndsWith(English, stored, StringComparison.Ordinal);
        var asker = stored["suggested by ".Length..^English.Length];
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, suggestedBy, asker), Assert.Single(Texts(fix, "reasonsForReader")));
    }

    [Fact]
    public async Task A_diagnostics_request_stored_before_its_texts_were_resources_reads_in_the_readers_language()
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "old-report-1", "HHHH3333");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        // The row as SupportProposals wrote it with English literals, before ProposalTexts.
        var now = DateTimeOffset.UtcNow;
        var old = new FixProposal(
            "fix-old-request", "old-report-1", FixWorkflow.DiagnosticsRequestCode, "", Severity.Report, "Support (Sam (acc-1)) asks for a diagnostics report.",
            0, 1, null, null, StoredTitle, DeviceCommands.CollectDiagnostics, ConsentAction.Diagnostics, new Dictionary<string, string>(),
            StoredDescribe, null, null, ["requested by Sam (acc-1)"], FixState.Proposed, "", now, now.AddDays(3),
            null, null, null, null, null, null, null, null, null, null, null);
        var store = host.Services.GetRequiredService<SqliteFixStore>();
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.InsertAsync(work, old, Ct);
            return true;
        }, Ct);

        var mine = await owner.GetJsonAsync<JsonElement>("/api/me/fixes/fix-old-request");
        var staff = await agent.GetJsonAsync<JsonElement>("/api/fixes/fix-old-request");

        Assert.Equal(("サポート向けの診断レポート", StoredDescribe), (Text(mine, "articleTitleForReader"), Text(mine.GetProperty("preview"), "describe")));
        Assert.StartsWith("プリンターがサポート向けのレポートを作成します。", Text(mine.GetProperty("preview"), "describeForReader"), StringComparison.Ordinal);
        Assert.Equal("供客服查看的诊断报告", Text(staff, "articleTitleForReader"));
        Assert.Equal(["requested by Sam (acc-1)"], Texts(staff, "reasons"));
        Assert.Equal(["由 Sam (acc-1) 请求"], Texts(staff, "reasonsForReader"));
    }

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static string[] Texts(JsonElement element, string property) => [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
