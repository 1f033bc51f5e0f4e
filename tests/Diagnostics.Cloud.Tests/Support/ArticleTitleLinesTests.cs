using System.Globalization;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Knowledge;
using Diagnostics.Cloud.Web.Dashboard;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Knowledge.KnowledgeApiTests;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The conversation's own lines ("Li Lei approved \"Paper jam\"…") and the notes for staff (hand-over reasons, the
/// hand-over note) are stored in English with the article's English title; each reader reads the title in their
/// translation of the article, or the English title marked as not translated, and so do the support panel's fix line,
/// the customer's context beside a conversation and the fleet's attention list. Rows stored before read the same way.
/// Expected titles are the translators' (read from cloud/knowledge-base/&lt;id&gt;[.&lt;language&gt;].md), the lines around
/// them the translators' of Resources/Support/SupportSystemText.*.resx and SupportStaffText.*.resx.
/// </summary>
public sealed class ArticleTitleLinesTests
{
    private static readonly Dictionary<string, string?> FastChecks = new()
    {
        ["Support:FixCheckInterval"] = "00:00:00.500",
        ["Fixes:CheckInterval"] = "00:00:00.500",
    };

    /// <summary>The not-translated mark of the fixes pages (Resources/Web/Dashboard/FixList.*.resx).</summary>
    private static readonly Dictionary<string, string> NotTranslated = new()
    {
        ["zh-CN"] = "（暂无中文版）",
        ["ja-JP"] = "（日本語版はまだありません）",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An article's title as its translator wrote it in the file's header (the English original for "en").</summary>
    private static string TranslatorsTitle(string articleId, string language)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "knowledge-base", language == "en" ? $"{articleId}.md" : $"{articleId}.{language}.md");
        return File.ReadLines(file).First(line => line.StartsWith("title: ", StringComparison.Ordinal))["title: ".Length..].Trim().Trim('"');
    }

    private static void ReadsIn(HttpClient client, string acceptLanguage)
    {
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
    }

    private static async Task<string> NameAsync(HttpClient client) => (await client.GetJsonAsync<AccountView>("/api/auth/me")).DisplayName;

    // The assistant's hand-over note as the page shows it (the internal lines' texts).
    private static string NoteOf(string page) => string.Join(" ", TestIdTexts(page, "message-text"));

    [Fact]
    public async Task An_approved_fix_and_its_failure_quote_the_articles_title_in_each_readers_translation_and_are_stored_in_English()
    {
        await using var host = new CloudHost(settings: FastChecks);
        var (device, owner) = await PairedDeviceAsync(host, "tl-1", "FFFF7A01", Jam);
        await using var _ = device;
        var name = await NameAsync(owner);
        var session = await OpenAsync(owner, "tl-1", null);
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved fix reaches the device");
        var command = Assert.Single(device.Commands);
        await SendResultAsync(device, command, CommandOutcome.Failed, "rollers blocked");
        var queued = await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Queued, "the failed fix hands over");

        // Stored in English, with the English title: what the API, scripts and the logs read.
        var english = TranslatorsTitle("paper-jam", "en");
        var approved = $"{name} approved \"{english}\": the printer does it now.";
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.AuthorKind == AuthorKind.System && m.Body == approved);
        Assert.Equal($"The automated fix \"{english}\" failed: The device could not run {command.Name}: rollers blocked", queued.HandoverReason);

        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        foreach (var (language, kb, approvedLine, reason, noteFix, showed) in new[]
        {
            ("en-US", "en", "{0} approved \"{1}\": the printer does it now.", "The automated fix \"{0}\" failed: ", "Fix {0}: failed — ", "The assistant showed: {0}"),
            ("zh-CN", "zh-Hans", "{0} 批准了“{1}”，打印机正在执行。", "自动修复“{0}”失败：", "修复 {0}：失败 — ", "助手已展示：{0}"),
            ("ja-JP", "ja", "{0} が「{1}」を承認しました。プリンターが実行しています。", "自動修復「{0}」は失敗しました: ", "修復 {0}: 失敗 — ", "アシスタントが表示した記事: {0}"),
        })
        {
            var title = TranslatorsTitle("paper-jam", kb);
            ReadsIn(owner, language);
            ReadsIn(agent, language);

            // The customer reads the conversation's line in their app's language, the title with it.
            Assert.Contains(string.Format(CultureInfo.InvariantCulture, approvedLine, name, title),
                TestIdTexts(await GetPageAsync(owner, $"/app/support/{session.Id}"), "message-text"));

            // The agent reads the reason and the note in theirs, on the conversation and on the desk.
            var page = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
            Assert.Contains(string.Format(CultureInfo.InvariantCulture, reason, title), Assert.Single(TestIdTexts(page, "handover-reason")), StringComparison.Ordinal);
            Assert.Contains(string.Format(CultureInfo.InvariantCulture, noteFix, title), NoteOf(page), StringComparison.Ordinal);
            Assert.Contains(string.Format(CultureInfo.InvariantCulture, showed, title), NoteOf(page), StringComparison.Ordinal);
            Assert.Equal(0, CountTestId(page, "panel-fix-not-translated"));
            Assert.Contains(string.Format(CultureInfo.InvariantCulture, reason, title),
                Assert.Single(TestIdTexts(await GetPageAsync(agent, "/dashboard/support"), "queued-session")), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("zh-CN", "{0} 批准了“{1}”，打印机正在执行。", "自动修复“{0}”失败：", "从修复“{0}”发起")]
    [InlineData("ja-JP", "{0} が「{1}」を承認しました。プリンターが実行しています。", "自動修復「{0}」は失敗しました: ", "修復「{0}」から開始されました")]
    public async Task An_article_without_the_readers_translation_is_quoted_in_English_marked_as_not_translated_wherever_its_title_shows(
        string language, string approvedLine, string cardFailed, string fromFailedFix)
    {
        const string Untranslated = "Paper jam (any tray)";
        var settings = new Dictionary<string, string?>(FastChecks) { ["Knowledge:ImportOnStart"] = "false" };
        await using var host = new CloudHost(settings: settings);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(title: Untranslated));
        var (printer, owner) = await PairedDeviceAsync(host, "tl-2", "FFFF7A02", Jam);
        await using var _ = printer;
        await using var second = await PairedDevices.ConnectAnnouncingAsync(host, "tl-3", "FFFF7A03");
        await PairedDevices.PairAsync(owner, "FFFF7A03");
        await ReportAsync(second, Jam);
        var name = await NameAsync(owner);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        ReadsIn(owner, language);
        ReadsIn(agent, language);
        var mark = NotTranslated[language];

        // The second printer's fix, approved in a chat, fails: the conversation is handed over and an agent takes it; the
        // printer then reports the jam gone, so the fleet's attention list shows it for its failed fix.
        var other = await OpenAsync(owner, "tl-3", null);
        var otherFix = Card<FixCard>((await MessagesAsync(owner, other.Id)).Single(m => m.Kind == MessageKind.Fix));
        await OkAsync<FixView>(owner, $"/api/me/sessions/{other.Id}/fixes/{otherFix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !second.Commands.IsEmpty, "the approved fix reaches the second printer");
        await SendResultAsync(second, Assert.Single(second.Commands), CommandOutcome.Failed, "rollers blocked");
        await SessionWhenAsync(owner, other.Id, s => s.State == SessionState.Queued, "the failed fix hands over");
        await OkAsync<SupportSession>(agent, $"/api/sessions/{other.Id}/take");
        await ReportAsync(second);

        // The first printer: the customer approves its fix in a new conversation.
        var session = await OpenAsync(owner, "tl-2", null);
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));
        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");

        // The line: the English title, marked, inside the reader's sentence; stored as ever.
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.Body == $"{name} approved \"{Untranslated}\": the printer does it now.");
        Assert.Contains(string.Format(CultureInfo.InvariantCulture, approvedLine, name, Untranslated + mark),
            TestIdTexts(await GetPageAsync(owner, $"/app/support/{session.Id}"), "message-text"));

        // Beside the conversation: the printer's own fix in the device panel, the other printer's in the customer's context.
        var page = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        var panel = TestIdTexts(page, "panel-fix-not-translated");
        Assert.NotEmpty(panel);
        Assert.All(panel, text => Assert.Equal(mark, text));
        Assert.Equal([mark], TestIdTexts(page, "context-fix-not-translated"));
        Assert.StartsWith(Untranslated, Assert.Single(TestIdTexts(page, "context-fix")), StringComparison.Ordinal);

        // The hand-over reason of the conversation the failed fix handed over.
        Assert.Contains(string.Format(CultureInfo.InvariantCulture, cardFailed, Untranslated + mark),
            Assert.Single(TestIdTexts(await GetPageAsync(agent, $"/dashboard/support/{other.Id}"), "handover-reason")), StringComparison.Ordinal);

        // The fleet's attention list: the second printer, for its failed fix.
        var fleet = await GetPageAsync(agent, "/dashboard");
        Assert.Contains(("tl-3", nameof(AttentionReason.FixFailed)), Attribute(fleet, "attention-item", "data-device-id").Zip(Attribute(fleet, "attention-item", "data-reason")));
        Assert.Equal([mark], TestIdTexts(fleet, "attention-not-translated"));

        // "Ask support" on the failed fix: the reason names the fix it was opened from.
        var fromFix = await OpenAsync(owner, "tl-3", null, fixId: otherFix.ProposalId);
        Assert.Contains(string.Format(CultureInfo.InvariantCulture, fromFailedFix, Untranslated + mark),
            Assert.Single(TestIdTexts(await GetPageAsync(agent, $"/dashboard/support/{fromFix.Id}"), "handover-reason")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_and_notes_stored_before_read_the_title_in_each_readers_translation_and_a_fix_named_by_its_code_as_stored()
    {
        await using var host = new CloudHost();
        var (device, owner, session) = await QueuedSessionAsync(host, "tl-4", "FFFF7A04");
        await using var _ = device;
        var jam = TranslatorsTitle("paper-jam", "en");
        var paper = TranslatorsTitle("out-of-paper", "en");
        // What earlier versions stored: the conversation's lines and the staff's reason and note, English titles inside.
        var approved = $"Li Lei approved \"{jam}\": the printer does it now.";
        var declinedCode = "Li Lei declined \"ipp:media-jam\".";
        var reason = $"Opened from the fix \"{jam}\", which is failed: The device could not run clear-paper-path: rollers blocked";
        var note = string.Join('\n',
            $"Handed over: The steps of \"{jam}\" did not solve it.",
            $"Fix {jam}: failed — The device could not run clear-paper-path: rollers blocked",
            $"The assistant showed: {jam}; {paper}");
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var store = host.Services.GetRequiredService<SupportMessageStore>();
        await store.AppendAsync(session.Id, new NewMessage(MessageKind.System, AuthorKind.System, "system", "Diagnostics", approved, false, "old-1", now), Ct);
        await store.AppendAsync(session.Id, new NewMessage(MessageKind.System, AuthorKind.System, "system", "Diagnostics", declinedCode, false, "old-2", now), Ct);
        await store.AppendAsync(session.Id, new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, note, true, "old-3", now), Ct);
        await using (var connection = await host.Database.OpenAsync())
        {
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE support_sessions SET handover_reason = @reason WHERE id = @Id;", new { reason, session.Id }));
        }

        ReadsIn(owner, "zh-CN");
        var lines = TestIdTexts(await GetPageAsync(owner, $"/app/support/{session.Id}"), "message-text");
        Assert.Contains($"Li Lei 批准了“{TranslatorsTitle("paper-jam", "zh-Hans")}”，打印机正在执行。", lines);
        Assert.Contains("Li Lei 拒绝了“ipp:media-jam”。", lines);
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.Body == approved);

        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        ReadsIn(agent, "ja-JP");
        var japanese = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        var jamJa = TranslatorsTitle("paper-jam", "ja");
        Assert.EndsWith($"修復「{jamJa}」から開始されました（状態: 失敗）: デバイスは clear-paper-path を実行できませんでした: rollers blocked",
            Assert.Single(TestIdTexts(japanese, "handover-reason")), StringComparison.Ordinal);
        Assert.Contains($"引き継ぎの理由: 「{jamJa}」の手順では解決しませんでした。", NoteOf(japanese), StringComparison.Ordinal);
        Assert.Contains($"修復 {jamJa}: 失敗 — デバイスは clear-paper-path を実行できませんでした: rollers blocked", NoteOf(japanese), StringComparison.Ordinal);
        // A list of titles reads as a list of the reader's language (Resources/Localization/ListFormat.ja.resx: "、").
        Assert.Contains($"アシスタントが表示した記事: {jamJa}、{TranslatorsTitle("out-of-paper", "ja")}", NoteOf(japanese), StringComparison.Ordinal);

        ReadsIn(agent, "en-US");
        var englishPage = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        Assert.EndsWith(reason, Assert.Single(TestIdTexts(englishPage, "handover-reason")), StringComparison.Ordinal);
        Assert.Contains($"The assistant showed: {jam}; {paper}", NoteOf(englishPage), StringComparison.Ordinal);
        Assert.Equal(reason, (await SessionAsync(agent, session.Id, staff: true)).HandoverReason);
    }

    [Fact]
    public async Task A_Chinese_customers_steps_that_did_not_help_are_stored_with_the_English_title_and_read_in_each_agents_language()
    {
        await using var host = new CloudHost();
        var tonerLow = new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning, Message = "Black toner low" };
        var (device, owner) = await PairedDeviceAsync(host, "tl-5", "FFFF7A05", tonerLow);
        await using var _ = device;

        var session = await OpenAsync(owner, "tl-5", "打印机不好用了");
        var shown = Card<ArticleCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Article));
        Assert.Equal(TranslatorsTitle(shown.ArticleId, "zh-Hans"), shown.Title);
        await OkAsync<SupportMessage>(owner, $"/api/me/sessions/{session.Id}/messages", new { text = "不是这个问题，无线网络每隔几分钟就断一次" });

        // The card the customer saw is Chinese; the reason kept for staff names the article by its English title.
        var handed = await SessionAsync(owner, session.Id);
        Assert.Equal((SessionState.Queued, $"The steps of \"{TranslatorsTitle(shown.ArticleId, "en")}\" did not solve it."), (handed.State, handed.HandoverReason));
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        ReadsIn(agent, "ja-JP");
        Assert.EndsWith($"「{TranslatorsTitle(shown.ArticleId, "ja")}」の手順では解決しませんでした。",
            Assert.Single(TestIdTexts(await GetPageAsync(agent, $"/dashboard/support/{session.Id}"), "handover-reason")), StringComparison.Ordinal);
    }
}
