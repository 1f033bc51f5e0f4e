using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// What the agent's own A/B slot installer says when the slots let an update down, stored as the device sent it (code,
/// values, English words) and read in each reader's language, the slot's answer worded inside the step's sentence.
/// Expected words are the translators' (Resources/Updates/UpdateExplanations.{zh-Hans,ja}.resx), written here as they read.
/// </summary>
public sealed class SlotDetailLanguageTests
{
    private const string EngineMessage = "10.1 Engine controller error";

    private static string Read(UpdateDetail said, string language)
    {
        using var _ = new UiCulture(language);
        return RolloutNotes.ReadDetail(said.Text, said);
    }

    private static UpdateDetail Altered() => UpdateDetail.SlotImageAltered("a", 65536, "00ff", 65537, "11ee", "slot.json");

    [Theory]
    [InlineData("zh-Hans", "安装程序无法将新版本设为启动版本：分区 b 中没有版本 2.3.0")]
    [InlineData("ja", "インストーラーが新しいバージョンを起動対象に設定できませんでした: スロット b にバージョン 2.3.0 が入っていません")]
    public void A_failed_activation_reads_with_the_slots_answer_worded_inside_it(string language, string expected)
    {
        var said = UpdateDetail.ActivateFailed(UpdateDetail.SlotNotHolding("b", "2.3.0"));

        Assert.Equal(expected, Read(said, language));
        Assert.Equal("slot b does not hold 2.3.0", Read(said, "en"));
    }

    [Theory]
    [InlineData("zh-Hans", "健康检查未通过：启动 2.3.0 后，设备报告了 acme:10.1（HARDWARE_FAULT）：" + EngineMessage
        + "；回退也失败了：没有可以回退的正常版本：分区 a 中的映像与写入时不一致（65,536 字节，SHA-256 00ff；写入时为 65,537 字节，11ee）")]
    [InlineData("ja", "ヘルスチェックに失敗しました: 2.3.0 の起動後、デバイスが acme:10.1（HARDWARE_FAULT）を報告しました: " + EngineMessage
        + "。元に戻す処理も失敗しました: 戻せる正常なバージョンがありません: スロット a のイメージが書き込んだときと異なります（65,536 バイト、SHA-256 00ff。書き込み時は 65,537 バイト、11ee）")]
    public void A_rollback_the_slots_refused_reads_with_the_slot_problem_and_the_health_reason_both_worded(string language, string expected)
    {
        // As the agent reports it (SlotDetailsTests drives it through a real agent and its slots).
        var said = UpdateDetail.RollbackFailed(UpdateDetail.HealthNewError("2.3.0", "acme:10.1", "HARDWARE_FAULT", EngineMessage), UpdateDetail.SlotNoGoodSlot(Altered()));

        Assert.Equal(expected, Read(said, language));
    }

    [Theory]
    [InlineData("zh-Hans", "重启到新版本失败：两个分区都无法启动：分区 a 中的映像与写入时不一致（65,536 字节，SHA-256 00ff；写入时为 65,537 字节，11ee）；分区 b 中没有完整的映像；已回退到 2.1.0")]
    [InlineData("ja", "新しいバージョンでの再起動に失敗しました: どちらのスロットからも起動できません: スロット a のイメージが書き込んだときと異なります（65,536 バイト、SHA-256 00ff。書き込み時は 65,537 バイト、11ee）。スロット b に完全なイメージがありません。2.1.0 に戻しました")]
    public void A_reboot_neither_slot_could_take_reads_with_both_slots_problems(string language, string expected)
    {
        var said = UpdateDetail.AfterRebootFailed(UpdateDetail.RebootFailed(UpdateDetail.SlotNeitherBoots(Altered(), UpdateDetail.SlotIncomplete("b", "slot.json"))), "2.1.0", null);

        Assert.Equal(expected, Read(said, language));
    }

    [Theory]
    [InlineData("zh-Hans", "设备保存的更新推送已无法通过检查：软件包的清单不符合打包规则：清单没有列出任何兼容的型号。", "已停止")]
    [InlineData("ja", "デバイスに保存された更新の案内がチェックを通らなくなりました: パッケージのマニフェストがパッケージ規則に違反しています: 対応機種が 1 つも記載されていません。", "中止しました")]
    public void The_journals_refused_offer_and_a_stop_without_reason_read_in_the_readers_language(string language, string refused, string stopped)
    {
        var rule = new UpdateDetail(UpdateDetail.ManifestRuleCode, [ManifestProblem.NoModel], "the manifest names no model");

        Assert.Equal(refused, Read(UpdateDetail.JournalOfferRefused(rule), language));
        Assert.Equal(stopped, Read(UpdateDetail.Stopped(), language));
    }

    [Fact]
    public void A_slot_answer_this_cloud_cannot_word_leaves_the_whole_sentence_as_the_device_said_it()
    {
        var newer = UpdateDetail.StageFailed(new UpdateDetail("SlotFromANewerAgent", ["x"], "slot b is on fire"));

        Assert.Equal("slot b is on fire", Read(newer, "zh-Hans"));
    }
}
