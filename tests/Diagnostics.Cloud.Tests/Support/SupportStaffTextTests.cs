using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// What the desk stores for staff (hand-over reasons, the hand-over note, a transfer note's prefix) is English, the same
/// for every agent and for the queries that match it; each agent reads it in their own language, with the values (titles,
/// names, notes) as written. Expected words are the translators'.
/// </summary>
public sealed class SupportStaffTextTests
{
    [Theory]
    [InlineData("zh-Hans", "The customer asked for a person.", "客户要求转人工。")]
    [InlineData("ja", "The customer asked for a person.", "お客様が担当者との対応を希望しました。")]
    [InlineData("zh-Hans", "The steps of \"Paper jam\" did not solve it.", "“Paper jam”中的步骤没有解决问题。")]
    [InlineData("ja", "Mei took it over from the assistant.", "Mei がアシスタントから対応を引き継ぎました。")]
    [InlineData("ja", "The automated fix \"Clear the queue\" already failed on this device: the printer did not answer: timeout",
        "自動修復「Clear the queue」はこのデバイスですでに失敗しています: the printer did not answer: timeout")]
    // A failed fix's stored note inside the reason reads in the agent's language too.
    [InlineData("zh-Hans", "The automated fix \"Clear the queue\" already failed on this device: The device could not run clear-queue: timeout",
        "自动修复“Clear the queue”已在该设备上失败过：设备无法执行 clear-queue：timeout")]
    [InlineData("zh-Hans", "Transfer note: 客户要的是换货，不是维修", "转接备注：客户要的是换货，不是维修")]
    // A fix's state in its place reads as the dashboard words it; a title in its place stays as written, even one that is a state's word.
    [InlineData("zh-Hans", "Opened from the fix \"Paper jam\", which is expired: Nobody decided in time.", "从修复“Paper jam”发起，该修复状态为 已过期：在期限内没有人做出决定。")]
    [InlineData("ja", "Fix failed: failed", "修復 failed: 失敗")]
    [InlineData("zh-Hans", "Device d-1 (Online, firmware Stopped): Idle, Warning, Offline.", "设备 d-1（Online，固件 Stopped）：空闲，警告，离线。")]
    // A state newer than the dashboard's words reads as stored.
    [InlineData("ja", "Fix Paper jam: rerouted", "修復 Paper jam: rerouted")]
    // The reason a fix card's failed fix gave (stored in English before and after), its note inside.
    [InlineData("ja", "The automated fix \"Paper jam\" failed: Nobody decided in time.", "自動修復「Paper jam」は失敗しました: 期限までにどなたも判断しませんでした。")]
    // English readers read it as stored; stored text that is none of the desk's lines reads as stored in every language.
    [InlineData("en", "The customer asked for a person.", "The customer asked for a person.")]
    [InlineData("ja", "Escalated by the night shift.", "Escalated by the night shift.")]
    public void A_stored_line_reads_in_the_agents_language(string language, string stored, string expected)
    {
        using var _ = new UiCulture(language);
        Assert.Equal(expected, SupportStaffText.Read(stored));
    }

    [Fact]
    public void The_hand_over_note_reads_line_by_line_with_the_reason_inside_it_and_the_customers_language_by_its_own_name()
    {
        var note = string.Join('\n',
            SupportStaffText.Write("Note.HandedOver", SupportStaffText.Write("Handover.NotSure")),
            SupportStaffText.Write("Note.Device", "lp-7", "Acme LaserPro 500", "2.4.1", "Stopped", "Critical", "Online"),
            SupportStaffText.Write("Note.Active", "ipp:media-jam", "PAPER_JAM", "Error"),
            SupportStaffText.Write("Note.FixWithNote", "Paper jam", "failed", "the jam is still there"),
            SupportStaffText.Write("Note.CustomerLanguage", "Chinese (Simplified) (zh-Hans)"),
            SupportStaffText.Write("Note.AssistantShowed", "Paper jam; Paper path"));

        using var _ = new UiCulture("ja");
        var lines = SupportStaffText.Read(note)!.Split('\n');

        Assert.Equal([
            "引き継ぎの理由: アシスタントは、お客様の言葉に合う記事を特定できませんでした。",
            // The device's state, health and presence, the condition, its severity and the fix's state in the dashboard's words.
            "デバイス lp-7（Acme LaserPro 500、ファームウェア 2.4.1）: 停止中、重大、オンライン。",
            "発生中: ipp:media-jam（紙詰まり、エラー）",
            "修復 Paper jam: 失敗 — the jam is still there",
            "お客様の言語: 中文（简体） (zh-Hans)。",
            "アシスタントが表示した記事: Paper jam; Paper path",
        ], lines);
    }

    [Fact]
    public void What_is_stored_stays_the_English_the_unanswered_questions_query_matches()
    {
        using var _ = new UiCulture("zh-Hans");
        Assert.Equal("The assistant was not sure which article fits the customer's words.", SupportBot.NotSureReason);
        Assert.Equal("The assistant found no article for the device's problems.", SupportBot.NoArticleReason);
        Assert.Equal("The steps of \"", SupportBot.StepsDidNotHelpPrefix);
        Assert.StartsWith(SupportBot.StepsDidNotHelpPrefix, SupportStaffText.Write("Handover.StepsDidNotHelp", "纸张卡住"), StringComparison.Ordinal);
        Assert.Equal("Transfer note: 12.5", SupportStaffText.Write("TransferNote", 12.5));
        Assert.Throws<ArgumentException>(() => SupportStaffText.Write("NoSuchLine"));
    }
}
