using System.Globalization;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>
/// The dashboard pages an agent or author works in speak the agent's language: the words from the page's resources,
/// dates and numbers in the agent's culture. Expected words are the translators' (written here as they read), so a
/// page that falls back to English, or a resource renamed without its translations, fails.
/// </summary>
public sealed class DashboardLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string[]> Pages => new()
    {
        { "zh-CN", "/dashboard/fixes", ["<h1>修复</h1>", "全部状态", "提出时间"] },
        { "ja-JP", "/dashboard/fixes", ["<h1>修正</h1>", "すべての状態", "提案日時"] },
        { "zh-CN", "/dashboard/rollouts", ["<h1>更新</h1>", "还没有推送计划", "签名密钥"] },
        { "ja-JP", "/dashboard/rollouts", ["<h1>アップデート</h1>", "ロールアウトはまだありません", "署名鍵"] },
        { "zh-CN", "/dashboard/rollouts/no-such-rollout", ["<h1>找不到推送计划</h1>", "不存在推送计划“no-such-rollout”。"] },
        { "ja-JP", "/dashboard/rollouts/no-such-rollout", ["<h1>ロールアウトが見つかりません</h1>", "ロールアウト「no-such-rollout」はありません。"] },
        { "zh-CN", "/dashboard/kb/paper-jam", ["适用范围", "客户操作步骤", "版本记录", "已发布 v1"] },
        { "ja-JP", "/dashboard/kb/paper-jam", ["対象", "お客様向けの手順", "バージョン", "公開中 v1"] },
        { "zh-CN", "/dashboard/kb/no-such-article", ["<h1>找不到文章</h1>"] },
        { "ja-JP", "/dashboard/kb/no-such-article", ["<h1>記事が見つかりません</h1>"] },
        { "zh-CN", "/dashboard/kb/new/edit", ["<h1>新建文章</h1>", "保存草稿"] },
        { "ja-JP", "/dashboard/kb/paper-jam/edit", ["<h1>paper-jam を編集</h1>", "下書きを保存", "公開中 v1 を編集中"] },
        { "zh-CN", "/dashboard/support/unanswered", ["<h1>智能助手没能回答的问题</h1>", "全部语言", "待审核的训练短语"] },
        { "ja-JP", "/dashboard/support/unanswered", ["<h1>アシスタントが答えられなかった質問</h1>", "すべての言語", "提案中の学習フレーズ"] },
        { "zh-CN", "/dashboard/support/assistant", ["<h1>智能助手在各语言中的表现</h1>", "最近 30 天", "此期间没有结束的对话。"] },
        { "ja-JP", "/dashboard/support/assistant", ["<h1>言語ごとのアシスタントの実績</h1>", "過去 30 日間", "この期間に終わった会話はありません。"] },
        { "zh-CN", "/dashboard/support", ["<h1>客服</h1>", "快捷回复", "智能助手没能回答的问题", "最近 30 天", "进行中的对话（0）", "满意度"] },
        { "ja-JP", "/dashboard/support", ["<h1>サポート</h1>", "定型文", "過去 30 日間", "進行中の会話（0）", "満足度"] },
        { "zh-CN", "/dashboard/support/history", ["<h1>客服历史记录</h1>", "全部类别", "纸张处理", "0 个对话", "客户评分"] },
        { "ja-JP", "/dashboard/support/history", ["<h1>サポート履歴</h1>", "すべてのカテゴリ", "用紙の扱い", "0 件の会話"] },
        { "zh-CN", "/dashboard/drivers", ["<h1>打印机驱动程序</h1>", "还没有主机上报打印队列。", "打印机型号"] },
        { "ja-JP", "/dashboard/drivers", ["<h1>プリンタードライバー</h1>", "印刷キューを報告したホストはまだありません。"] },
        { "zh-CN", "/account/password", ["<h1>修改密码</h1>", "当前密码", "至少 10 个字符"] },
        { "ja-JP", "/account/password", ["<h1>パスワードの変更</h1>", "現在のパスワード", "10 文字以上"] },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_dashboard_page_speaks_the_agents_language(string acceptLanguage, string url, string[] words)
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Supervisor);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var html = await GetPageAsync(agent, url);

        foreach (var word in words)
            Assert.Contains(word, html, StringComparison.Ordinal);
        // English only where it is a name (commands, codes), never as the page's words.
        Assert.DoesNotContain("<h1>Fixes</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Knowledge base</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Chinese_agent_reads_the_desk_the_conversation_and_the_device_in_Chinese_and_the_customer_reads_the_chat_page_in_Chinese()
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "zh-desk-1", "FFFF7171", Jam);
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var session = await OpenAsync(owner, "zh-desk-1", "打印机卡纸了，请帮我转人工");
        if (session.State == SessionState.Bot)
            await OkAsync<SupportSession>(owner, $"/api/me/sessions/{session.Id}/handover");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        var desk = await GetPageAsync(agent, "/dashboard/support");
        var conversation = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        var devicePage = await GetPageAsync(agent, "/dashboard/devices/zh-desk-1");
        var chat = await GetPageAsync(owner, $"/app/support/{session.Id}");

        // The desk: the queue with its relative time ("刚刚开始等待"), the severity of the device's problem, the Take button.
        Assert.Equal([session.Id], Attribute(desk, "queued-session", "data-session-id"));
        Assert.Matches("(刚刚|\\d+ 秒前|\\d+ 分钟前)开始等待", TestIdText(desk, "queued-session"));
        Assert.Contains("错误", TestIdText(desk, "queued-session"), StringComparison.Ordinal);
        Assert.Contains(">接待</button>", desk, StringComparison.Ordinal);
        Assert.Contains("等待中（1）", desk, StringComparison.Ordinal);
        // The conversation: the agent's tools and the device panel, with the condition's name and the health in Chinese.
        Assert.Contains("接手此对话", TestIdText(conversation, "session-take"), StringComparison.Ordinal);
        Assert.Contains("转人工原因：", conversation, StringComparison.Ordinal);
        // Why the assistant handed over, stored in English, in the agent's Chinese on the page and on the desk.
        Assert.Contains("客户要求转人工。", TestIdText(conversation, "handover-reason"), StringComparison.Ordinal);
        Assert.Contains("客户要求转人工。", TestIdText(desk, "queued-session"), StringComparison.Ordinal);
        Assert.Equal("严重", TestIdText(conversation, "panel-health"));
        Assert.StartsWith("错误 · 卡纸", TestIdText(conversation, "panel-condition"), StringComparison.Ordinal);
        Assert.Contains("当前状况", conversation, StringComparison.Ordinal);
        Assert.Matches("最后在线：(刚刚|\\d+ 秒前)", conversation);
        Assert.Equal("连接中", TestIdText(conversation, "live-status"));
        // The device page: health, presence and the condition in the fleet's Chinese words.
        Assert.Equal("严重", TestIdText(devicePage, "device-health"));
        Assert.Equal("在线", TestIdText(devicePage, "device-presence"));
        Assert.Contains("卡纸", TestIdText(devicePage, "active-condition"), StringComparison.Ordinal);
        // The customer's chat page around the conversation.
        Assert.Contains("<title>与客服的对话</title>", chat, StringComparison.Ordinal);
        Assert.Contains("‹ 帮助", chat, StringComparison.Ordinal);
        // An English agent takes it: the page is English, and the canned replies in the customer's language come first.
        var english = await host.SignedInClientAsync(AccountRole.Agent);
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB");
        await OkAsync<SupportSession>(english, $"/api/sessions/{session.Id}/take");
        var held = await GetPageAsync(english, $"/dashboard/support/{session.Id}");
        Assert.Contains("<h3>Canned reply</h3>", held, StringComparison.Ordinal);
        Assert.Equal("zh-Hans", Attribute(held, "canned-option", "data-language")[0]);
        Assert.Contains("The customer asked for a person.", TestIdText(held, "handover-reason"), StringComparison.Ordinal);
        foreach (var word in new[] { "Take this conversation", "Why a person", "Active conditions", ">critical<", ">online<", "Waiting (", "Canned reply", "asked for a person" })
        {
            Assert.DoesNotContain(word, desk, StringComparison.Ordinal);
            Assert.DoesNotContain(word, conversation, StringComparison.Ordinal);
            Assert.DoesNotContain(word, devicePage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_knowledge_article_shows_its_dates_in_the_readers_culture()
    {
        await using var host = new CloudHost();
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var english = await host.SignedInClientAsync(AccountRole.Agent);
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");

        var japanese = await GetPageAsync(agent, "/dashboard/kb/paper-jam");
        var american = await GetPageAsync(english, "/dashboard/kb/paper-jam");

        // Japanese writes dates year first with slashes (2026/12/06 15:04), American English month first (12/6/2026 3:04 PM).
        Assert.Matches(@"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}（UTC）", japanese);
        // (ICU puts a narrow no-break space before AM/PM, which the page may send as a character reference.)
        Assert.Matches(@"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}[^<]{0,12}[AP]M UTC", american);
    }

    [Fact]
    public async Task The_assistant_figures_page_shows_what_the_api_counts_for_each_language_in_the_readers_language()
    {
        await using var host = new CloudHost();
        // A Chinese customer the assistant helps alone; an English one handed to a person.
        var chinese = await host.SignedInClientAsync(AccountRole.Customer);
        var solved = await OpenAsync(chinese, null, "屏幕显示错误代码13.20，打印不出来");
        await OkAsync<SupportSession>(chinese, $"/api/me/sessions/{solved.Id}/solved");
        var english = await host.SignedInClientAsync(AccountRole.Customer);
        // Words the assistant finds no article for: it hands the conversation to a person.
        var handed = await OpenAsync(english, null, "Hello");
        await OkAsync<SupportMessage>(english, $"/api/me/sessions/{handed.Id}/messages", new { text = "It makes a strange noise sometimes" });
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{handed.Id}/take");
        await OkAsync<SupportSession>(agent, $"/api/sessions/{handed.Id}/close", new { summary = "Cleared the jam", category = "Paper handling", solution = "Open the rear door." });
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        using var api = JsonDocument.Parse(await agent.GetStringAsync(new Uri("/api/support/figures/assistant", UriKind.Relative), Ct));
        var page = await GetPageAsync(agent, "/dashboard/support/assistant");

        var expected = api.RootElement.EnumerateArray().ToList();
        Assert.Equal(["en", "zh-Hans"], expected.Select(f => f.GetProperty("language").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(f => f.GetProperty("language").GetString()), Attribute(page, "figures-row", "data-language"));
        Assert.Equal(expected.Select(f => Raw(f, "conversations")), Attribute(page, "figures-conversations", "data-value"));
        Assert.Equal(expected.Select(f => Raw(f, "resolutionRate")), Attribute(page, "figures-resolution", "data-value"));
        Assert.Equal(expected.Select(f => Raw(f, "handoverRate")), Attribute(page, "figures-handover", "data-value"));
        Assert.Equal(expected.Select(f => Raw(f, "rightArticleFirst")), Attribute(page, "figures-right-first", "data-value"));
        // The Chinese conversation: solved by the assistant alone, never handed over, shown as percentages.
        var row = expected.FindIndex(f => f.GetProperty("language").GetString() == "zh-Hans");
        Assert.Equal(1, expected[row].GetProperty("resolutionRate").GetDouble());
        Assert.Equal("100.0%", TestIdTexts(page, "figures-resolution")[row]);
        Assert.Equal("0.0%", TestIdTexts(page, "figures-handover")[row]);
        Assert.Contains("助手独立解决率", page, StringComparison.Ordinal);
        Assert.Contains("中文（简体） (zh-Hans)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_assistant_figures_page_refuses_whom_the_api_refuses_and_a_period_that_ends_before_it_starts()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var denied = await GetPageAsync(customer, "/dashboard/support/assistant");
        using var deniedApi = await customer.GetAsync(new Uri("/api/support/figures/assistant", UriKind.Relative), Ct);
        var backwards = await GetPageAsync(agent, "/dashboard/support/assistant?from=2026-12-06&to=2026-11-01");
        var notADate = await GetPageAsync(agent, "/dashboard/support/assistant?from=yesterday");

        Assert.Equal(1, CountTestId(denied, "access-denied"));
        Assert.Equal(0, CountTestId(denied, "figures-period"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, deniedApi.StatusCode);
        Assert.Equal(1, CountTestId(backwards, "figures-bad-period"));
        Assert.Equal(0, CountTestId(backwards, "figures-row"));
        Assert.Equal(1, CountTestId(notADate, "figures-bad-period"));
    }

    private static string Raw(JsonElement figures, string name)
    {
        var value = figures.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? "" : value.GetDouble().ToString("R", CultureInfo.InvariantCulture);
    }
}
