using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// How a fix card's fix ended, told in the chat: the assistant says it in the customer's language (what they write in,
/// else the language they chose), the solution card they keep too; an agent reads the same line in their own language,
/// and the hand-over reason and note (stored in English) with their states in the agent's words. Expected words are the
/// translators' (Resources/Support/SupportBot.*.resx, SupportStaffText.*.resx, FixNotes.*.resx, the articles under
/// cloud/knowledge-base); the English literals are what rows written before hold.
/// </summary>
public sealed class FixEndedLanguageTests
{
    private static readonly Dictionary<string, string?> FastChecks = new()
    {
        ["Support:FixCheckInterval"] = "00:00:00.500",
        ["Fixes:CheckInterval"] = "00:00:00.500",
    };

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SupportMessage OutcomeLine(IEnumerable<SupportMessage> messages, string proposalId) =>
        Assert.Single(messages, m => m.AuthorKind == AuthorKind.Bot && m.ClientId == $"fix-outcome:{proposalId}");

    [Fact]
    public async Task A_Chinese_customers_fix_that_worked_is_told_in_Chinese_and_an_English_agent_reads_the_same_line_in_English()
    {
        await using var host = new CloudHost(settings: FastChecks);
        var (device, owner) = await PairedDeviceAsync(host, "end-zh-1", "FFFF7101", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "end-zh-1", "打印机卡纸了");
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved fix reaches the device");
        await SendResultAsync(device, Assert.Single(device.Commands), CommandOutcome.Succeeded, "paper path cleared");
        await ReportAsync(device);
        await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Closed, "the assistant closes the session once the jam clears");

        // The customer: the line and the solution card in Chinese, the article's Chinese title and what its fix does.
        const string Line = "成功了：打印机报告“卡纸”已经解决了问题。";
        var messages = await MessagesAsync(owner, session.Id);
        Assert.Equal(Line, OutcomeLine(messages, fix.ProposalId).Body);
        var solution = Card<SolutionCard>(Assert.Single(messages, m => m.Kind == MessageKind.Solution));
        Assert.Equal("有纸张卡在打印机里，取出之前打印无法继续。 打印机已执行自动修复，问题已经消除。执行的操作："
            + "打印机会让进纸辊转动一次，把卡在纸路里的纸推出来。如果纸已经撕破或皱成一团，请不要使用此功能，改为用手取出。", solution.Solution);
        Assert.Contains(Line, TestIdTexts(await GetPageAsync(owner, $"/app/support/{session.Id}"), "message-text"));

        // An English agent: the same stored line, on the session page with its "show in English" switch, which reads it
        // as the assistant writes it in English, the article by its English title.
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        Assert.Equal(Line, OutcomeLine(await MessagesAsync(agent, session.Id, staff: true), fix.ProposalId).Body);
        var agentsPage = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        Assert.Contains(Line, TestIdTexts(agentsPage, "message-text"));
        Assert.Equal(["zh-Hans"], Attribute(agentsPage, "customer-language", "data-language"));
        var index = host.Services.GetRequiredService<KnowledgeBase>().Index;
        Assert.Equal("It worked: the printer reports that \"Paper jam\" fixed the problem.", MessageTranslation.Translate(Line, AuthorKind.Bot, Chinese, English, [], index));
        Assert.Equal("うまくいきました。プリンターから「紙詰まり」で問題が解決したと報告がありました。", MessageTranslation.Translate(Line, AuthorKind.Bot, Chinese, Japanese, [], index));
    }

    [Fact]
    public async Task A_Japanese_customers_failed_fix_is_told_in_Japanese_with_the_devices_note_and_each_agent_reads_the_hand_over_in_their_language()
    {
        await using var host = new CloudHost(settings: FastChecks);
        var (device, owner) = await PairedDeviceAsync(host, "end-ja-1", "FFFF7202", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "end-ja-1", "紙詰まりです");
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the approved fix reaches the device");
        var command = Assert.Single(device.Commands);
        await SendResultAsync(device, command, CommandOutcome.Failed, "rollers blocked");
        var queued = await SessionWhenAsync(owner, session.Id, s => s.State == SessionState.Queued, "the failed fix hands over");

        // The customer reads the fix's note (stored in English) in Japanese inside the assistant's Japanese line.
        var line = OutcomeLine(await MessagesAsync(owner, session.Id), fix.ProposalId).Body;
        Assert.Equal($"「紙詰まり」では解決しませんでした。デバイスは {command.Name} を実行できませんでした: rollers blocked", line);
        Assert.Equal($"\"Paper jam\" did not fix it: The device could not run {command.Name}: rollers blocked",
            MessageTranslation.Translate(line, AuthorKind.Bot, Japanese, English, [], host.Services.GetRequiredService<KnowledgeBase>().Index));

        // The reason is stored in English, as before; each agent reads it, the note's states and the article's title in their own language.
        Assert.Equal($"The automated fix \"Paper jam\" failed: The device could not run {command.Name}: rollers blocked", queued.HandoverReason);
        var english = await host.SignedInClientAsync(AccountRole.Agent);
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        var japanese = await host.SignedInClientAsync(AccountRole.Agent);
        japanese.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var chinese = await host.SignedInClientAsync(AccountRole.Agent);
        chinese.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        var englishPage = await GetPageAsync(english, $"/dashboard/support/{session.Id}");
        Assert.EndsWith(queued.HandoverReason!, Assert.Single(TestIdTexts(englishPage, "handover-reason")), StringComparison.Ordinal);
        Assert.Contains("Device end-ja-1 (Acme LaserPro 500, firmware 2.1.0): Stopped, Critical, Online.", NoteOf(englishPage), StringComparison.Ordinal);
        Assert.Contains("Active: ipp:media-jam (PAPER_JAM, Error)", NoteOf(englishPage), StringComparison.Ordinal);

        var japanesePage = await GetPageAsync(japanese, $"/dashboard/support/{session.Id}");
        Assert.EndsWith($"自動修復「紙詰まり」は失敗しました: デバイスは {command.Name} を実行できませんでした: rollers blocked",
            Assert.Single(TestIdTexts(japanesePage, "handover-reason")), StringComparison.Ordinal);
        Assert.Contains("デバイス end-ja-1（Acme LaserPro 500、ファームウェア 2.1.0）: 停止中、重大、オンライン。", NoteOf(japanesePage), StringComparison.Ordinal);
        Assert.Contains("発生中: ipp:media-jam（紙詰まり、エラー）", NoteOf(japanesePage), StringComparison.Ordinal);
        Assert.Contains("修復 紙詰まり: 失敗 — ", NoteOf(japanesePage), StringComparison.Ordinal);

        var chinesePage = await GetPageAsync(chinese, $"/dashboard/support/{session.Id}");
        Assert.EndsWith($"自动修复“卡纸”失败：设备无法执行 {command.Name}：rollers blocked",
            Assert.Single(TestIdTexts(chinesePage, "handover-reason")), StringComparison.Ordinal);
        Assert.Contains("设备 end-ja-1（Acme LaserPro 500，固件 2.1.0）：已停止，严重，在线。", NoteOf(chinesePage), StringComparison.Ordinal);
        Assert.Contains("当前问题：ipp:media-jam（卡纸，错误）", NoteOf(chinesePage), StringComparison.Ordinal);

        // The device panel beside the conversation: the fix's article title and state in each agent's words (titles:
        // cloud/knowledge-base/paper-jam.*.md).
        Assert.Equal([("Paper jam", "failed"), ("紙詰まり", "失敗"), ("卡纸", "失败")],
            new[] { englishPage, japanesePage, chinesePage }.Select(page => PanelFix(page, fix.ProposalId)));
    }

    [Fact]
    public async Task A_customer_who_chose_Japanese_declines_in_Japanese_and_is_told_in_Japanese_that_the_fix_was_decided_already()
    {
        await using var host = new CloudHost(settings: FastChecks);
        var (device, owner) = await PairedDeviceAsync(host, "end-ja-2", "FFFF7303", Jam);
        await using var _ = device;
        // No words to tell the language by: the account's choice decides.
        using (var set = await owner.PutAsJsonAsync("/api/auth/language", new { language = "ja" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        var session = await OpenAsync(owner, "end-ja-2", null);
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));

        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/decline");
        await Eventually.TrueAsync(async () => (await MessagesAsync(owner, session.Id)).Any(m => m.ClientId == $"fix-outcome:{fix.ProposalId}"), "the assistant says how the fix ended");

        Assert.Equal("「紙詰まり」をお断りになりました。引き続き手順に沿ってご自身で操作するか、「担当者と話す」をタップしてください。",
            OutcomeLine(await MessagesAsync(owner, session.Id), fix.ProposalId).Body);
        var (status, body) = await SendAsync(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/approve");
        Assert.Equal(HttpStatusCode.Conflict, status);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("この修復はすでに判断済みか終了しているため、承認も却下もできません。", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_Japanese_customer_who_taps_Solved_keeps_a_solution_that_says_so_in_Japanese()
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "end-ja-3", "FFFF7606", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "end-ja-3", "紙詰まりです");

        await OkAsync<SupportSession>(owner, $"/api/me/sessions/{session.Id}/solved");

        var solution = Card<SolutionCard>(Assert.Single(await MessagesAsync(owner, session.Id), m => m.Kind == MessageKind.Solution));
        Assert.EndsWith(" 問題が解決したことをご確認いただきました。", solution.Solution, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "This fix can no longer be approved or declined: it was decided already, or it has ended.")]
    [InlineData("zh-CN", "此修复已无法批准或拒绝：它已经有了决定，或者已经结束。")]
    public async Task Deciding_a_fix_twice_is_refused_in_the_customers_language(string acceptLanguage, string expected)
    {
        await using var host = new CloudHost(settings: FastChecks);
        var (device, owner) = await PairedDeviceAsync(host, "end-twice", "FFFF7404", Jam);
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var session = await OpenAsync(owner, "end-twice", null);
        var fix = Card<FixCard>((await MessagesAsync(owner, session.Id)).Single(m => m.Kind == MessageKind.Fix));
        await OkAsync<FixView>(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/decline");

        var (status, body) = await SendAsync(owner, $"/api/me/sessions/{session.Id}/fixes/{fix.ProposalId}/decline");

        Assert.Equal(HttpStatusCode.Conflict, status);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(expected, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Lines_stored_in_English_before_read_in_each_readers_language()
    {
        await using var host = new CloudHost();
        var (device, owner, session) = await QueuedSessionAsync(host, "end-old-1", "FFFF7505");
        await using var _ = device;
        // What the version before stored: the assistant's English line and the English reason, note inside.
        const string OldLine = "\"Paper jam\" did not fix it: The device could not run clear-paper-path: rollers blocked";
        const string OldReason = "The automated fix \"Paper jam\" failed: The device could not run clear-paper-path: rollers blocked";
        await using (var connection = await host.Database.OpenAsync())
        {
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE support_sessions SET handover_reason = @OldReason WHERE id = @Id;", new { OldReason, session.Id }));
        }
        await host.Services.GetRequiredService<SupportMessageStore>().AppendAsync(session.Id,
            new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, OldLine, false, "fix-outcome:old", host.Services.GetRequiredService<TimeProvider>().GetUtcNow()), Ct);
        var index = host.Services.GetRequiredService<KnowledgeBase>().Index;

        // The customer, now reading the app in Chinese, reads the assistant's old English line in Chinese; the API keeps it as stored.
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        Assert.Contains("“卡纸”没能解决问题：设备无法执行 clear-paper-path：rollers blocked", TestIdTexts(await GetPageAsync(owner, $"/app/support/{session.Id}"), "message-text"));
        Assert.Contains(await MessagesAsync(owner, session.Id), m => m.Body == OldLine);

        // An English line reads as the assistant writes it in Chinese and Japanese, the note and title with it; in English as stored.
        Assert.Equal("“卡纸”没能解决问题：设备无法执行 clear-paper-path：rollers blocked", MessageTranslation.Translate(OldLine, AuthorKind.Bot, English, Chinese, [], index));
        Assert.Equal("「紙詰まり」では解決しませんでした。デバイスは clear-paper-path を実行できませんでした: rollers blocked",
            MessageTranslation.Translate(OldLine, AuthorKind.Bot, English, Japanese, [], index));
        Assert.Equal("It worked: the printer reports that \"Paper jam\" fixed the problem.",
            MessageTranslation.Translate("It worked: the printer reports that \"Paper jam\" fixed the problem.", AuthorKind.Bot, English, English, [], index));

        var japanese = await host.SignedInClientAsync(AccountRole.Agent);
        japanese.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var english = await host.SignedInClientAsync(AccountRole.Agent);
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        Assert.EndsWith("自動修復「紙詰まり」は失敗しました: デバイスは clear-paper-path を実行できませんでした: rollers blocked",
            Assert.Single(TestIdTexts(await GetPageAsync(japanese, $"/dashboard/support/{session.Id}"), "handover-reason")), StringComparison.Ordinal);
        Assert.EndsWith(OldReason, Assert.Single(TestIdTexts(await GetPageAsync(english, $"/dashboard/support/{session.Id}"), "handover-reason")), StringComparison.Ordinal);
        Assert.Equal(OldReason, (await SessionAsync(english, session.Id, staff: true)).HandoverReason);
    }

    // The panel's line for one fix: "{title}: {state} {ago} · decided by …", its title and state word.
    private static (string Title, string State) PanelFix(string page, string proposalId)
    {
        var line = TestIdTexts(page, "panel-fix")[Attribute(page, "panel-fix", "data-fix-id").IndexOf(proposalId)];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return (line[..colon], line[(colon + 2)..].Split(' ')[0]);
    }

    // The assistant's hand-over note as the page shows it (the internal lines' texts, markup and line breaks collapsed).
    private static string NoteOf(string page) => string.Join(" ", TestIdTexts(page, "message-text"));
}
