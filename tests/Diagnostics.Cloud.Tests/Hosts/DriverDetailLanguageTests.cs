using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;
using static Diagnostics.Cloud.Tests.Hosts.TestHosts;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>
/// What a host said about a driver package (its own refusal, its installer's result) reads in the staff reader's
/// language when the host said it with a code, and as the host wrote it otherwise (an older agent, a code this cloud
/// does not know, values that do not fit). Expected words are the translators' (Resources/Updates/DriverDetails.*.resx),
/// written here as they read; queue names, versions, IPP keywords and the tools' output stay as the host sent them.
/// </summary>
public sealed class DriverDetailLanguageTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly UpdateDetail TestJobRolledBack = UpdateDetail.DriverRolledBack(
        UpdateDetail.DriverTestJobFailed(12, "office", "processing-stopped", "", []), ["office"], "office (SHA-256 0123456789abcdef…)");

    private static readonly UpdateDetail Mislabelled = UpdateDetail.DriverFileVersion("1.9", "2.0");

    [Theory, BothEngines]
    public async Task A_hosts_coded_driver_result_reads_in_each_staff_readers_language_on_the_api_and_the_rollout_page(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "2.0");
        await using var rolledBack = await HostAsync(host, "laptop-1", Report("LAPTOP-1", "linux", Queue("office", "1.0")));
        await using var refused = await HostAsync(host, "laptop-2", Report("LAPTOP-2", "linux", Queue("office", "1.5")));
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<Cloud.Hosts.HostView>>("/api/hosts")).Count == 2, "2 hosts stored");
        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, waves = new[] { 100 }, waveWindowSeconds = 0, failureThresholdPercent = 100 }, Ct);
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(() => !rolledBack.UpdateOffers.IsEmpty && !refused.UpdateOffers.IsEmpty, "both offers");

        var back = new UpdateReport { OfferId = rolledBack.UpdateOffers.First().OfferId, Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed, RunningVersion = "1.0" };
        back.WriteDetail(TestJobRolledBack);
        await TestReleases.ReportAsync(rolledBack, update: back);
        var invalid = new UpdateReport { OfferId = refused.UpdateOffers.First().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.DriverInvalid, RunningVersion = "1.5" };
        invalid.WriteDetail(Mislabelled);
        await TestReleases.ReportAsync(refused, update: invalid);
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices"))
            .All(d => d.State is "failed" or "rolledback"), "both results stored");

        var expected = new Dictionary<string, (string RolledBack, string Refused)>
        {
            ["en"] = (TestJobRolledBack.Text, Mislabelled.Text),
            ["zh-Hans"] = ("office 上的测试打印任务 12 没有打印出来：processing-stopped；office 已逐字节恢复为原来的 PPD",
                "驱动程序包中 PPD 的 *FileVersion 是 1.9，而清单上写的是 2.0"),
            ["ja"] = ("office のテストジョブ 12 は印刷されませんでした: processing-stopped。office は元の PPD にバイト単位でそのまま戻しました",
                "パッケージの PPD の *FileVersion は 1.9 ですが、マニフェストでは 2.0 となっています"),
        };
        foreach (var (language, words) in expected)
        {
            using var devices = await RolloutLanguageTests.GetJsonAsync(supervisor, $"/api/updates/rollouts/{rollout.Id}/devices", language);
            var byId = devices.RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString()!);
            // Programs read the host's English and the stable code in every language.
            Assert.Equal(TestJobRolledBack.Text, byId["laptop-1"].GetProperty("detail").GetString());
            Assert.Equal(UpdateDetail.DriverRolledBackCode, byId["laptop-1"].GetProperty("deviceDetail").GetProperty("code").GetString());
            Assert.Equal(words.RolledBack, byId["laptop-1"].GetProperty("detailForReader").GetString());
            Assert.Equal(words.Refused, byId["laptop-2"].GetProperty("detailForReader").GetString());

            // The page's text as a person reads it (the renderer escapes an apostrophe its own way).
            var page = WebUtility.HtmlDecode(await RolloutLanguageTests.GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}", language));
            Assert.Contains(words.RolledBack, page, StringComparison.Ordinal);
            Assert.Contains(words.Refused, page, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string, string> Worded() => new()
    {
        { "installed", "zh-Hans", "office、lab：驱动程序 1.0、（无） → 2.0（PPD 已通过 cupstestppd 检查）；读回的版本为 2.0；测试打印任务 12、13 已完成" },
        { "installed", "ja", "office、lab: ドライバー 1.0、（なし） → 2.0（PPD はcupstestppd の検査に合格）。読み返したバージョンは 2.0 です。テストジョブ 12、13 が完了しました" },
        { "too large", "zh-Hans", "CUPS PPD 驱动程序包只能包含一个不超过 1,048,576 字节的 PPD；此包有 2,000,000 字节" },
        // CLDR's full date and short time ("f"), said to be UTC, as every device time on these pages.
        { "expired", "ja", "ドライバーパッケージは 2026年12月7日月曜日 8:40（UTC） に期限切れになりました（ホストの時計: 2026年12月7日月曜日 9:05（UTC））" },
        { "host changed", "zh-Hans", "开始安装前主机的情况已变化：本主机上没有打印到 Acme InkJet 20 的打印队列（现有队列：office → Acme LaserPro 500、lab → 未知型号）" },
        { "without ppd", "ja", "Acme LaserPro 500 のキューは PPD を使っていません（office: ドライバーレス（IPP Everywhere）、raw: RAW（そのまま送信））。PPD を入れるとその設定が置き換わってしまいます" },
        { "wrong platform", "zh-Hans", "此驱动程序包适用于 windows/x64,arm64 (Windows INF)；本主机是 linux/x64，只能安装 CUPS PPD" },
        { "hook failed", "ja", "ドライバーのインストールコマンド（/usr/local/bin/dx-driver）が終了コード 3 で終わりました: pnputil: the package is not signed" },
        { "hook installed", "zh-Hans", "/usr/local/bin/dx-driver 已为 office、lab 安装了 Printer Application 4.0" },
        { "not saved", "ja", "キューの現在のドライバーを保存できなかったため、何も変更していません: キュー office がなくなっています" },
        { "stopped, going back failed", "zh-Hans", "安装驱动程序期间代理程序停止了运行；回退也失败了：office could not be given its saved PPD back: server-error-busy" },
        { "timed out", "ja", "office のテストジョブ 9 は 120 秒以内に完了しませんでした（processing, job-printing）" },
    };

    [Theory]
    [MemberData(nameof(Worded))]
    public void A_coded_driver_detail_reads_in_the_readers_language_and_as_the_host_said_it_in_English(string situation, string language, string expected)
    {
        var said = situation switch
        {
            "installed" => UpdateDetail.DriverInstalled("2.0", UpdateDetail.CheckedByCupsTestPpd, UpdateDetail.ProofPrinted, ["office", "lab"], ["1.0", ""], [12, 13]),
            "too large" => UpdateDetail.DriverPpdTooLarge(1_048_576, 2_000_000),
            "expired" => UpdateDetail.DriverExpired(Ms(8, 40), DateTimeOffset.FromUnixTimeMilliseconds(Ms(9, 5))),
            "host changed" => UpdateDetail.DriverHostChanged(UpdateDetail.DriverNoQueue(["Acme InkJet 20"], [Queue("office", "1.0"), Queue("lab", "1.0", model: "")])),
            "without ppd" => UpdateDetail.DriverQueuesWithoutPpd([TestReleases.Model], [Queue("office", "", driver: QueueDriver.Driverless), Queue("raw", "", driver: QueueDriver.Raw)]),
            "wrong platform" => UpdateDetail.DriverWrongPlatform([HostPlatforms.TryParse("windows/x64,arm64:windows-inf", out _)!], "linux", "x64", [DriverFormat.CupsPpd]),
            "hook failed" => UpdateDetail.DriverHookFailed("/usr/local/bin/dx-driver", 3, "pnputil: the package is not signed"),
            "hook installed" => UpdateDetail.DriverHookInstalled(DriverFormat.PrinterApplication, "4.0", "/usr/local/bin/dx-driver", ["office", "lab"]),
            "not saved" => UpdateDetail.DriverNotSaved("office", "", gone: true),
            "stopped, going back failed" => UpdateDetail.DriverRollbackFailed(UpdateDetail.DriverAgentStopped(), ["office could not be given its saved PPD back: server-error-busy"]),
            _ => UpdateDetail.DriverTestJobTimedOut(9, "office", TimeSpan.FromMinutes(2), "processing", "", ["job-printing"]),
        };

        using (new UiCulture(language))
            Assert.Equal(expected, RolloutNotes.ReadDetail(said.Text, said));
        using (new UiCulture("en"))
            Assert.Equal(said.Text, RolloutNotes.ReadDetail(said.Text, said));
    }

    [Fact]
    public void An_older_agents_words_an_unknown_code_and_values_that_do_not_fit_read_as_the_host_sent_them()
    {
        using var _ = new UiCulture("zh-Hans");
        UpdateDetail[] asSent =
        [
            UpdateDetail.Words("the package's PPD says *FileVersion 1.9; the manifest says 2.0"),
            new(UpdateDetail.DriverFileVersionCode, ["1.9"], "the package's PPD says *FileVersion 1.9; the manifest says (lost)"),
            new("DriverFromANewerAgent", ["x"], "something a newer agent knows to say"),
            UpdateDetail.DriverRolledBack(new UpdateDetail("DriverFromANewerAgent", [], "a newer reason"), ["office"], "office (SHA-256 0123456789abcdef…)"),
            new(UpdateDetail.DriverInstalledCode, ["2.0", "cupstestppd", "print", "5", "office"], "office: driver 1.0 → 2.0"),
        ];
        foreach (var said in asSent)
            Assert.Equal(said.Text, RolloutNotes.ReadDetail(said.Text, said));
    }

    private static long Ms(int hour, int minute) => new DateTimeOffset(2026, 12, 7, hour, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
}
