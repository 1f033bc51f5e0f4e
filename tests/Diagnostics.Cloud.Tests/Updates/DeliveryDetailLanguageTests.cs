using System.Net;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// What a device says about getting an update onto it (the download, the payload's bytes, the customer's approval, the
/// firmware installer's steps), stored as the device sent it (code, values, English words) and read in each reader's
/// language: numbers and times in their culture, the installer's and the network's own words quoted as they came.
/// Expected words are the translators' (Resources/Updates/UpdateExplanations.{zh-Hans,ja}.resx), written here as they read.
/// </summary>
public sealed class DeliveryDetailLanguageTests : IDisposable
{
    private const string CommitWords = "the mark-good command (/usr/bin/rauc) exited with code 5: rauc: failed to mark slot good";
    private const string RollbackWords = "the rollback command (/usr/bin/rauc) exited with code 6: rauc: other slot is not bootable";

    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Read(UpdateDetail said, string language)
    {
        using var _ = new UiCulture(language);
        return RolloutNotes.ReadDetail(said.Text, said);
    }

    [Theory]
    [InlineData("zh-Hans", "下载连续失败 8 次，已放弃（已收到 204,800 字节中的 49,152 字节）：服务器返回了 503 Service Unavailable")]
    [InlineData("ja", "ダウンロードが 8 回続けて失敗したため中止しました（204,800 バイト中 49,152 バイト受信済み）: サーバーが 503 Service Unavailable を返しました")]
    public void A_download_that_gave_up_reads_with_its_counts_in_the_readers_format_and_its_last_problem_worded(string language, string expected)
    {
        var said = UpdateDetail.DownloadGaveUp(8, 49_152, 204_800, UpdateDetail.DownloadServerError(503, "Service Unavailable"));

        Assert.Equal(expected, Read(said, language));
        // An English reader reads the words the device sent, as before.
        Assert.Equal("gave up after 8 failed attempts in a row at 49152 of 204800 bytes: the server answered 503 Service Unavailable", Read(said, "en"));
    }

    [Fact]
    public void A_download_problem_this_cloud_cannot_word_leaves_the_whole_sentence_as_the_device_said_it()
    {
        var newer = UpdateDetail.DownloadGaveUp(2, 0, 1024, new UpdateDetail("FromANewerAgent", ["x"], "something a newer agent knows to say"));
        Assert.Equal("gave up after 2 failed attempts in a row at 0 of 1024 bytes: something a newer agent knows to say", Read(newer, "ja"));

        // The network stack's message is its own words, quoted inside the reader's sentence.
        var refused = UpdateDetail.DownloadGaveUp(2, 0, 1024, UpdateDetail.DownloadNetworkError("Connection refused (127.0.0.1:20001)"));
        Assert.Equal("下载连续失败 2 次，已放弃（已收到 1,024 字节中的 0 字节）：连接失败：Connection refused (127.0.0.1:20001)", Read(refused, "zh-Hans"));
    }

    [Theory]
    [InlineData("zh-Hans", "服务器拒绝了下载：404 Not Found（https://cloud.example/api/devices/p-1/updates/o-7/payload）")]
    [InlineData("ja", "サーバーがダウンロードを拒否しました: 404 Not Found（https://cloud.example/api/devices/p-1/updates/o-7/payload）")]
    public void A_refused_download_reads_with_the_status_and_address_as_sent(string language, string expected) =>
        Assert.Equal(expected, Read(UpdateDetail.DownloadRefused(404, "Not Found", new Uri("https://cloud.example/api/devices/p-1/updates/o-7/payload")), language));

    [Theory]
    [InlineData("zh-Hans", "下载的文件大小为 1,048,576 字节，但清单中写的是 1,048,580 字节")]
    [InlineData("ja", "ダウンロードしたファイルは 1,048,576 バイトですが、マニフェストには 1,048,580 バイトと記載されています")]
    public void A_payload_of_the_wrong_size_reads_with_both_sizes_in_the_readers_format(string language, string expected) =>
        Assert.Equal(expected, Read(new UpdateDetail(UpdateDetail.PayloadSizeMismatchCode, ["1048576", "1048580"], "the payload is 1048576 bytes; the manifest says 1048580"), language));

    // Times as CLDR writes each language's full date and short time ("f"), said to be UTC.
    [Theory]
    [InlineData("zh-Hans", "许可 approval-o-7 已于 2026年12月7日星期一 08:40（UTC） 过期（设备时钟：2026年12月7日星期一 09:05（UTC））")]
    [InlineData("ja", "承認 approval-o-7 は 2026年12月7日月曜日 8:40（UTC） に期限切れになりました（デバイスの時計: 2026年12月7日月曜日 9:05（UTC））")]
    public void An_expired_approval_reads_with_its_times_in_the_readers_calendar(string language, string expected) =>
        Assert.Equal(expected, Read(ConsentExpired(), language));

    [Theory]
    [InlineData("zh-Hans", "maintenance", "许可 approval-o-7 允许的是执行维护操作，而不是安装更新")]
    [InlineData("ja", "maintenance", "承認 approval-o-7 はメンテナンス操作のためのもので、更新のインストールのためのものではありません")]
    [InlineData("ja", "teleport", "承認 approval-o-7 はteleportのためのもので、更新のインストールのためのものではありません")]
    public void An_approval_for_another_action_names_both_actions_in_the_readers_words(string language, string action, string expected) =>
        Assert.Equal(expected, Read(new UpdateDetail(UpdateDetail.ConsentOtherActionCode, ["approval-o-7", action, "install"],
            $"consent approval-o-7 is for {action}, but update o-7 needs install"), language));

    [Theory]
    [InlineData("zh-Hans", "安装程序无法写入新版本：the install command (/usr/bin/rauc) exited with code 3: rauc: bundle signature verification failed")]
    [InlineData("ja", "インストーラーが新しいバージョンを書き込めませんでした: the install command (/usr/bin/rauc) exited with code 3: rauc: bundle signature verification failed")]
    public void An_install_step_that_failed_reads_in_the_readers_language_with_the_installers_words_quoted(string language, string expected) =>
        Assert.Equal(expected, Read(UpdateDetail.StageFailed("the install command (/usr/bin/rauc) exited with code 3: rauc: bundle signature verification failed"), language));

    [Theory]
    [InlineData("zh-Hans", "健康检查未通过：无法将新版本标记为可用：" + CommitWords + "；回退也失败了：" + RollbackWords)]
    [InlineData("ja", "ヘルスチェックに失敗しました: 新しいバージョンを正常として確定できませんでした: " + CommitWords + "。元に戻す処理も失敗しました: " + RollbackWords)]
    public void A_rollback_that_failed_after_the_commit_failed_reads_with_both_installers_words(string language, string expected)
    {
        // As the agent reports it (DeliveryDetailsTests drives it through a real agent and installer hooks).
        var said = UpdateDetail.RollbackFailed(UpdateDetail.CommitFailed(CommitWords), RollbackWords);
        Assert.Equal($"health check failed: marking the new version good failed: {CommitWords}; going back failed too: {RollbackWords}", said.Text);

        Assert.Equal(expected, Read(said, language));
    }

    [Theory]
    [InlineData("zh-Hans", "重启到新版本失败：the reboot command (/sbin/reboot) exited with code 1: busy；已回退到 2.1.0")]
    [InlineData("ja", "新しいバージョンでの再起動に失敗しました: the reboot command (/sbin/reboot) exited with code 1: busy。2.1.0 に戻しました")]
    public void A_failed_reboot_reads_with_the_version_the_device_is_back_on(string language, string expected) =>
        Assert.Equal(expected, Read(UpdateDetail.AfterRebootFailed(UpdateDetail.RebootFailed("the reboot command (/sbin/reboot) exited with code 1: busy"), "2.1.0", null), language));

    [Fact]
    public async Task A_customer_and_a_supervisor_read_a_stored_approval_refusal_in_their_language_and_programs_the_devices_words()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, supervisor, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "dd-own", "CDCD5858");
        await using var _ = device;
        using (var approve = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/dd-own/approve", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer");

        var refused = new UpdateReport { OfferId = device.UpdateOffers.Last().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.ConsentMissing, RunningVersion = "1.0.0" };
        refused.WriteDetail(ConsentExpired());
        await TestReleases.ReportAsync(device, update: refused);
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"))[0].State == "failed", "the update failed");

        const string zh = "许可 approval-o-7 已于 2026年12月7日星期一 08:40（UTC） 过期（设备时钟：2026年12月7日星期一 09:05（UTC））";
        const string ja = "承認 approval-o-7 は 2026年12月7日月曜日 8:40（UTC） に期限切れになりました（デバイスの時計: 2026年12月7日月曜日 9:05（UTC））";
        using (var mine = await RolloutLanguageTests.GetJsonAsync(owner, "/api/me/updates", "zh-Hans"))
        {
            Assert.Equal((refused.Detail, zh), (mine.RootElement[0].GetProperty("detail").GetString(), mine.RootElement[0].GetProperty("detailForReader").GetString()));
            Assert.Equal(UpdateDetail.ConsentExpiredCode, mine.RootElement[0].GetProperty("deviceDetail").GetProperty("code").GetString());
        }
        Assert.Equal($"アップデートはインストールされませんでした。プリンターは引き続き 1.0.0 で動いています。理由: {ja}。",
            TestIdText(await RolloutLanguageTests.GetPageAsync(owner, "/app/devices/dd-own", "ja"), "update-state"));
        using (var devices = await RolloutLanguageTests.GetJsonAsync(supervisor, $"/api/updates/rollouts/{rollout.Id}/devices", "ja"))
        {
            var row = Assert.Single(devices.RootElement.EnumerateArray());
            Assert.Equal((refused.Detail, ja), (row.GetProperty("detail").GetString(), row.GetProperty("detailForReader").GetString()));
        }
    }

    private static UpdateDetail ConsentExpired() =>
        new(UpdateDetail.ConsentExpiredCode, ["approval-o-7", "1796632800000", "1796634300000"],
            "consent approval-o-7 expired at 2026-12-07T08:40:00Z (device clock 2026-12-07T09:05:00Z)");
}
