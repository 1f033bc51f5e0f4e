using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// What the update service writes down about a rollout (its default name, why it halted, where each device's update
/// stands) and the manifest rules a package breaks, read in the reader's language on the API and the pages, while what
/// is stored and what programs and logs read stays English, as it always was: rows written before read the same.
/// Expected words are the translators', written here as they read.
/// </summary>
public sealed class RolloutLanguageTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The English of each line is exactly what the service stored before these texts were resources: old rows.
    [Theory]
    [InlineData("the rollout was cancelled before this device began", "zh-Hans", "此设备开始更新前，推送计划已被取消")]
    [InlineData("the rollout was cancelled before this device began", "ja", "このデバイスが更新を始める前に、ロールアウトが取り消されました")]
    [InlineData("the rollout is paused", "ja", "ロールアウトは一時停止中です")]
    [InlineData("the rollout is halted", "zh-Hans", "推送计划已自动中止")]
    [InlineData("declined by Ann Lee (acc-7)", "ja", "Ann Lee (acc-7) がインストールしないことにしました")]
    [InlineData("declined by Ann Lee (acc-7)", "zh-Hans", "Ann Lee (acc-7) 选择不安装")]
    [InlineData("reported success while running 1.0.0, not 2.0.0", "zh-Hans", "设备报告更新成功，但运行的是 1.0.0，而不是 2.0.0")]
    [InlineData("reported success while running an unnamed version, not 2.0.0", "ja", "更新の成功が報告されましたが、動いているバージョンが示されていません（2.0.0 のはずです）")]
    [InlineData("waiting for the customer's approval", "ja", "お客様の承認を待っています")]
    [InlineData("waiting for the customer's approval", "zh-Hans", "正在等待客户批准")]
    [InlineData("delta from 1.0.0", "zh-Hans", "基于 1.0.0 的增量包")]
    [InlineData("full image", "ja", "フルイメージ")]
    // What a device said about its own update is its own words.
    [InlineData("did not reconnect within 60 s", "zh-Hans", "did not reconnect within 60 s")]
    public void A_stored_device_detail_reads_in_the_readers_language_and_as_stored_in_English(string stored, string language, string expected)
    {
        using (new UiCulture(language))
            Assert.Equal(expected, RolloutNotes.ReadDetail(stored));
        using (new UiCulture("en-US"))
            Assert.Equal(stored, RolloutNotes.ReadDetail(stored));
    }

    [Theory]
    // CLDR's full date (with the day of the week) and short time of each language ("f"), for a time stored the
    // invariant way ("u"): ja y年M月d日EEEE H:mm, zh y年M月d日EEEE HH:mm.
    [InlineData("ja", "Ann Lee (acc-7) が 2026年12月7日月曜日 8:40（UTC）まで延期しました")]
    [InlineData("zh-Hans", "Ann Lee (acc-7) 已推迟到 2026年12月7日星期一 08:40（UTC）")]
    public void A_put_off_update_names_its_time_in_the_readers_calendar(string language, string expected)
    {
        // As RemindLaterAsync has always stored it: $"put off until {until:u} by {actor}".
        var stored = string.Create(CultureInfo.InvariantCulture, $"put off until {new DateTimeOffset(2026, 12, 7, 8, 40, 0, TimeSpan.Zero):u} by Ann Lee (acc-7)");
        Assert.Equal(stored, RolloutNotes.Write("Detail.PutOff", RolloutNotes.Time(new DateTimeOffset(2026, 12, 7, 9, 40, 0, TimeSpan.FromHours(1))), "Ann Lee (acc-7)"));

        using var _ = new UiCulture(language);
        Assert.Equal(expected, RolloutNotes.ReadDetail(stored));
    }

    [Theory]
    [InlineData("wave 1: 2 of 20 installs failed or rolled back (10 %), above the 5 % threshold", "zh-Hans",
        "第 1 批：20 次安装中有 2 次失败或已回滚（10%），超过了 5% 的阈值")]
    [InlineData("wave 2: 3 of 7 installs failed or rolled back (42.9 %), above the 12.5 % threshold", "ja",
        "ウェーブ 2: インストール 7 件中 3 件が失敗またはロールバックしました（42.9%）。しきい値の 12.5% を超えています")]
    [InlineData("wave 1: devices that installed it raised 6 errors (2 per device-hour), against 0.33 per device-hour before they updated", "zh-Hans",
        "第 1 批：已安装的设备报告了 6 个错误（每台设备每小时 2 个），而它们更新前为每台设备每小时 0.33 个")]
    [InlineData("wave 1: devices that installed it raised 6 errors (2 per device-hour), against 0.33 per device-hour before they updated and 0.07 on devices not yet updated", "ja",
        "ウェーブ 1: インストールしたデバイスでエラーが 6 件発生しました（1 台 1 時間あたり 2 件）。更新前は 1 台 1 時間あたり 0.33 件、まだ更新していないデバイスでは 0.07 件でした")]
    // A language without its own texts reads English, with the numbers written its own way.
    [InlineData("wave 1: devices that installed it raised 6 errors (2 per device-hour), against 0.33 per device-hour before they updated", "de",
        "wave 1: devices that installed it raised 6 errors (2 per device-hour), against 0,33 per device-hour before they updated")]
    public void A_stored_halt_reason_reads_in_the_readers_language_with_its_numbers(string stored, string language, string expected)
    {
        using (new UiCulture(language))
            Assert.Equal(expected, RolloutNotes.ReadHaltReason(stored));
        using (new UiCulture("en"))
            Assert.Equal(stored, RolloutNotes.ReadHaltReason(stored));
    }

    [Fact]
    public void The_halt_reasons_are_stored_in_the_English_they_always_had()
    {
        using var _ = new UiCulture("ja");
        Assert.Equal("wave 1: devices that installed it raised 6 errors (2 per device-hour), against 0.33 per device-hour before they updated and 0.07 on devices not yet updated",
            RolloutPlanning.DescribeRegression(0, new ErrorRates(6, 3), new ErrorRates(1, 3), new ErrorRates(2, 30), 3, 2));
        Assert.Equal("wave 3: devices that installed it raised 6 errors (2 per device-hour), against 0.33 per device-hour before they updated",
            RolloutPlanning.DescribeRegression(2, new ErrorRates(6, 3), new ErrorRates(1, 3), new ErrorRates(0, 0), 3, 2));
    }

    [Fact]
    public void Only_the_default_name_is_worded_for_the_reader_and_a_typed_name_stays_as_typed()
    {
        using var _ = new UiCulture("ja");
        Assert.Equal("lp500-fw-2.0.0 to 2 model(s)", RolloutNotes.DefaultName("lp500-fw-2.0.0", 2));
        Assert.Equal("lp500-fw-2.0.0（2 機種向け）", RolloutNotes.ReadName("lp500-fw-2.0.0 to 2 model(s)", "lp500-fw-2.0.0", 2));
        Assert.Equal("Spring firmware", RolloutNotes.ReadName("Spring firmware", "lp500-fw-2.0.0", 2));
        // Looks like a default, but not this rollout's: someone typed it.
        Assert.Equal("lp500-fw-1.0.0 to 2 model(s)", RolloutNotes.ReadName("lp500-fw-1.0.0 to 2 model(s)", "lp500-fw-2.0.0", 2));
    }

    [Fact]
    public void A_manifest_rule_with_a_list_is_said_with_the_readers_list_separator()
    {
        var forms = new ManifestProblem(ManifestProblem.DriverForms, "a driver package carries one payload, so one driver form; it names CUPS PPD, Windows INF", "CUPS PPD", "Windows INF");
        var os = new ManifestProblem(ManifestProblem.UnknownOs, "operating system \"beos\" is not one of linux, windows, macos", "beos", "linux", "windows", "macos");
        var unknown = new ManifestProblem("FromANewerTool", "a rule this cloud does not know yet");

        using (new UiCulture("zh-Hans"))
        {
            Assert.Equal("软件包的清单不符合打包规则：驱动程序包只带一个载荷，因此只能有一种驱动程序形式；但它列出了 CUPS PPD、Windows INF。", UpdateExplanations.Rule(forms));
            Assert.Equal("软件包的清单不符合打包规则：操作系统“beos”不是 linux、windows、macos 中的任何一个。", UpdateExplanations.Rule(os));
            Assert.Equal("软件包的清单不符合打包规则。签名工具的原文：a rule this cloud does not know yet", UpdateExplanations.Rule(unknown));
        }
        using (new UiCulture("en"))
            Assert.Equal("The package's manifest breaks a packaging rule: the operating system \"beos\" is not one of linux, windows, macos.", UpdateExplanations.Rule(os));
    }

    [Fact]
    public async Task A_package_breaking_a_manifest_rule_is_refused_in_Japanese_and_its_check_and_log_keep_the_signing_tools_words()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var image = TestReleases.Image("2.0.0");
        var manifest = TestReleases.Manifest("lp500-fw-2.x", "2.x", image);

        using var refused = await TestReleases.PublishAsync(supervisor, await _releases.PackageAsync(manifest, image));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("パッケージのマニフェストがパッケージ規則に違反しています: バージョン「2.x」が 2.4.1 のようなドット区切りの数字になっていません。",
            problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal("ManifestMalformed: version \"2.x\" is not dotted numbers such as 2.4.1", problem.RootElement.GetProperty("check").GetString());
        Assert.Contains(host.Logs, l => l.EventId == UpdatesEventIds.PackageRefused
            && l.Message.Contains("ManifestMalformed: version \"2.x\" is not dotted numbers such as 2.4.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_halted_rollout_its_name_and_its_devices_details_read_in_each_staff_readers_language_on_the_api_and_the_pages()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var wrongVersion = await TestReleases.DeviceOnAsync(host, "rl-1", "1.0.0");
        await using var waiting = await TestReleases.DeviceOnAsync(host, "rl-2", "1.0.0");
        var rollout = await TestReleases.RolloutOfferedToAsync(supervisor, packageId, wrongVersion, waiting);

        // Success, but still on the old version: a failure, and one in one is above the threshold.
        await TestReleases.ReportAsync(wrongVersion, update: new UpdateReport { OfferId = wrongVersion.UpdateOffers.First().OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "1.0.0" });
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices"))
            .Single(d => d.DeviceId == "rl-2").Detail == "the rollout is halted", "halted, and the waiting device's offer withdrawn");

        var expected = new Dictionary<string, (string Name, string Halt, string WrongVersion, string Waiting)>
        {
            ["en"] = ("lp500-fw-2.0.0 to 1 model(s)", "wave 1: 1 of 1 installs failed or rolled back (100 %), above the 20 % threshold",
                "reported success while running 1.0.0, not 2.0.0", "the rollout is halted"),
            ["zh-Hans"] = ("lp500-fw-2.0.0（面向 1 个型号）", "第 1 批：1 次安装中有 1 次失败或已回滚（100%），超过了 20% 的阈值",
                "设备报告更新成功，但运行的是 1.0.0，而不是 2.0.0", "推送计划已自动中止"),
            ["ja"] = ("lp500-fw-2.0.0（1 機種向け）", "ウェーブ 1: インストール 1 件中 1 件が失敗またはロールバックしました（100%）。しきい値の 20% を超えています",
                "更新の成功が報告されましたが、動いているのは 2.0.0 ではなく 1.0.0 です", "ロールアウトは自動停止しています"),
        };
        foreach (var (language, words) in expected)
        {
            using var view = await GetJsonAsync(supervisor, $"/api/updates/rollouts/{rollout.Id}", language);
            // Programs read the stored English in every language.
            Assert.Equal(("lp500-fw-2.0.0 to 1 model(s)", "wave 1: 1 of 1 installs failed or rolled back (100 %), above the 20 % threshold"),
                (view.RootElement.GetProperty("name").GetString(), view.RootElement.GetProperty("haltReason").GetString()));
            Assert.Equal((words.Name, words.Halt), (view.RootElement.GetProperty("nameForReader").GetString(), view.RootElement.GetProperty("haltReasonForReader").GetString()));

            using var devices = await GetJsonAsync(supervisor, $"/api/updates/rollouts/{rollout.Id}/devices", language);
            var details = devices.RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString()!, d => d.GetProperty("detailForReader").GetString());
            Assert.Equal((words.WrongVersion, words.Waiting), (details["rl-1"], details["rl-2"]));

            var page = await GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}", language);
            Assert.Contains(words.Halt, TestIdText(page, "halt-reason"), StringComparison.Ordinal);
            Assert.Contains($"<h1>{WebUtility.HtmlEncode(words.Name)}</h1>", page, StringComparison.Ordinal);
            Assert.Contains(WebUtility.HtmlEncode(words.WrongVersion), page, StringComparison.Ordinal);
            var list = await GetPageAsync(supervisor, "/dashboard/rollouts", language);
            Assert.Contains(WebUtility.HtmlEncode(words.Halt), list, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_customers_own_decisions_read_in_their_language_with_the_time_in_their_calendar()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, supervisor, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "rl-own", "CBCB3434");
        await using var _ = device;

        using (var offered = await GetJsonAsync(owner, "/api/me/updates", "ja"))
            Assert.Equal("お客様の承認を待っています", offered.RootElement[0].GetProperty("detailForReader").GetString());

        using var later = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/me/updates/{rollout.Id}/devices/rl-own/later", UriKind.Relative));
        later.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");
        using var putOff = await owner.SendAsync(later, Ct);
        Assert.Equal(HttpStatusCode.OK, putOff.StatusCode);
        using var view = JsonDocument.Parse(await putOff.Content.ReadAsStringAsync(Ct));
        var stored = view.RootElement.GetProperty("detail").GetString()!;
        var until = view.RootElement.GetProperty("deferredUntil").GetDateTimeOffset();
        var by = stored[(stored.IndexOf(" by ", StringComparison.Ordinal) + 4)..];
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"put off until {until:u} by {by}"), stored);
        Assert.Equal($"{by} 已推迟到 {until.UtcDateTime.ToString("f", CultureInfo.GetCultureInfo("zh-Hans"))}（UTC）", view.RootElement.GetProperty("detailForReader").GetString());

        // The staff device page reads the same detail in the agent's own language.
        var page = await GetPageAsync(supervisor, "/dashboard/devices/rl-own", "ja");
        Assert.Contains($"{by} が {until.UtcDateTime.ToString("f", CultureInfo.GetCultureInfo("ja"))}（UTC）まで延期しました",
            Assert.Single(TestIdTexts(page, "device-update")), StringComparison.Ordinal);

        // Approved after all; the printer says it succeeded but still runs 1.0.0. The companion's card says why it failed
        // in the customer's language; a device's own words would be left out rather than read in English.
        using (var approve = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/rl-own/approve", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer");
        await TestReleases.ReportAsync(device, update: new UpdateReport { OfferId = device.UpdateOffers.Last().OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "1.0.0" });
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"))[0].State == "failed", "the update failed");

        Assert.Equal("更新未能安装，您的打印机仍在运行 1.0.0。原因：设备报告更新成功，但运行的是 1.0.0，而不是 2.0.0。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rl-own", "zh-Hans"), "update-state"));
        Assert.Equal("アップデートはインストールされませんでした。プリンターは引き続き 1.0.0 で動いています。理由: 更新の成功が報告されましたが、動いているのは 2.0.0 ではなく 1.0.0 です。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rl-own", "ja"), "update-state"));
        Assert.Equal("The update did not install; your printer still runs 1.0.0. reported success while running 1.0.0, not 2.0.0",
            TestIdText(await GetPageAsync(owner, "/app/devices/rl-own", "en"), "update-state"));
    }

    // Times as CLDR writes each language's full date and short time ("f"), said to be UTC.
    [Theory]
    [InlineData("zh-Hans", "设备等待开始安装期间，这次更新已于 2026年12月7日星期一 08:40（UTC） 过期（设备时钟：2026年12月7日星期一 09:05（UTC））")]
    [InlineData("ja", "デバイスがインストールの開始を待っている間に、この更新は 2026年12月7日月曜日 8:40（UTC） に期限切れになりました（デバイスの時計: 2026年12月7日月曜日 9:05（UTC））")]
    public void A_coded_device_detail_reads_in_the_readers_language_with_its_times_in_their_calendar(string language, string expected)
    {
        var said = UpdateDetail.OfferExpiredWaiting(Ms(2026, 12, 7, 8, 40), Ms(2026, 12, 7, 9, 5));
        // The words an agent has always sent, kept for logs, programs and older clouds.
        Assert.Equal("the offer expired at 2026-12-07T08:40:00Z while the device waited to start it (device clock 2026-12-07T09:05:00Z)", said.Text);

        using (new UiCulture(language))
            Assert.Equal(expected, RolloutNotes.ReadDetail(said.Text, said));
        using (new UiCulture("en"))
            Assert.Equal(said.Text, RolloutNotes.ReadDetail(said.Text, said));
    }

    [Fact]
    public void A_device_detail_reads_as_the_device_said_it_when_its_code_is_unknown_stale_or_its_values_do_not_fit()
    {
        using var _ = new UiCulture("zh-Hans");
        var newer = new UpdateDetail("FromANewerAgent", ["x"], "something a newer agent knows to say");
        Assert.Equal(newer.Text, RolloutNotes.ReadDetail(newer.Text, newer));
        Assert.Null(RolloutNotes.ReadDetailOrNull(newer.Text, newer));

        // The service's own note replaced the device's words: the code that came with them no longer applies.
        Assert.Equal("推送计划已自动中止", RolloutNotes.ReadDetail("the rollout is halted", UpdateDetail.ImageGone()));

        var short_ = new UpdateDetail(UpdateDetail.SupersededCode, [], "superseded by offer o-2 before the device began installing it");
        Assert.Equal(short_.Text, RolloutNotes.ReadDetail(short_.Text, short_));

        // An exception's message is the system's words, quoted inside the reader's sentence.
        var failed = UpdateDetail.AgentFailed("No space left on device : '/var/lib/dx/updates/a.part'");
        Assert.Equal("代理程序出错：No space left on device : '/var/lib/dx/updates/a.part'", RolloutNotes.ReadDetail(failed.Text, failed));
    }

    [Fact]
    public void A_manifest_rule_the_device_refused_reads_as_the_upload_refusal_words_it()
    {
        var problem = new ManifestProblem(ManifestProblem.Version, "version \"2.x\" is not dotted numbers such as 2.4.1", "2.x");
        var said = UpdateDetail.Of(new ManifestCheck(null, UpdateFailure.ManifestMalformed, problem.Text, problem));

        Assert.Equal((UpdateDetail.ManifestRuleCode, problem.Text), (said.Code, said.Text));
        using var _ = new UiCulture("ja");
        Assert.Equal(UpdateExplanations.Rule(problem), RolloutNotes.ReadDetail(said.Text, said));
        Assert.Equal("パッケージのマニフェストがパッケージ規則に違反しています: バージョン「2.x」が 2.4.1 のようなドット区切りの数字になっていません。",
            RolloutNotes.ReadDetail(said.Text, said));
    }

    [Theory, BothEngines]
    public async Task What_a_device_said_about_its_failed_update_reads_in_each_staff_readers_language_and_an_older_agents_words_as_sent(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var coded = await TestReleases.DeviceOnAsync(host, "rc-1", "1.0.0");
        await using var older = await TestReleases.DeviceOnAsync(host, "rc-2", "1.0.0");
        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, waves = new[] { 100 }, waveWindowSeconds = 0, failureThresholdPercent = 100 }, Ct);
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(() => !coded.UpdateOffers.IsEmpty && !older.UpdateOffers.IsEmpty, "both offers");

        var expired = new UpdateReport { OfferId = coded.UpdateOffers.First().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.OfferExpired, RunningVersion = "1.0.0" };
        expired.WriteDetail(UpdateDetail.OfferExpiredWaiting(Ms(2026, 12, 7, 8, 40), Ms(2026, 12, 7, 9, 5)));
        await TestReleases.ReportAsync(coded, update: expired);
        // An agent from before the codes: its words alone.
        const string ImageGone = "the verified image is gone from the device: offer the update again";
        await TestReleases.ReportAsync(older, update: new UpdateReport
        {
            OfferId = older.UpdateOffers.First().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.InstallFailed, Detail = ImageGone, RunningVersion = "1.0.0",
        });
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices"))
            .All(d => d.State == "failed"), "both failures stored");

        var expected = new Dictionary<string, string>
        {
            ["en"] = expired.Detail,
            ["zh-Hans"] = "设备等待开始安装期间，这次更新已于 2026年12月7日星期一 08:40（UTC） 过期（设备时钟：2026年12月7日星期一 09:05（UTC））",
            ["ja"] = "デバイスがインストールの開始を待っている間に、この更新は 2026年12月7日月曜日 8:40（UTC） に期限切れになりました（デバイスの時計: 2026年12月7日月曜日 9:05（UTC））",
        };
        foreach (var (language, words) in expected)
        {
            using var devices = await GetJsonAsync(supervisor, $"/api/updates/rollouts/{rollout.Id}/devices", language);
            var byId = devices.RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString()!);
            // Programs read the device's English and its stable code in every language.
            Assert.Equal(expired.Detail, byId["rc-1"].GetProperty("detail").GetString());
            Assert.Equal(UpdateDetail.OfferExpiredWaitingCode, byId["rc-1"].GetProperty("deviceDetail").GetProperty("code").GetString());
            Assert.Equal(words, byId["rc-1"].GetProperty("detailForReader").GetString());
            Assert.Equal((ImageGone, ImageGone, JsonValueKind.Null),
                (byId["rc-2"].GetProperty("detail").GetString(), byId["rc-2"].GetProperty("detailForReader").GetString(), byId["rc-2"].GetProperty("deviceDetail").ValueKind));

            var page = await GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}", language);
            Assert.Contains(WebUtility.HtmlEncode(words), page, StringComparison.Ordinal);
            Assert.Contains(WebUtility.HtmlEncode(ImageGone), page, StringComparison.Ordinal);
            var devicePage = await GetPageAsync(supervisor, "/dashboard/devices/rc-1", language);
            Assert.Contains(words, Assert.Single(TestIdTexts(devicePage, "device-update")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_customer_reads_why_their_update_failed_in_their_language_when_the_device_said_it_with_a_code()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, _, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "rc-own", "CDCD5656");
        await using var _ = device;
        using (var approve = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/rc-own/approve", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer");

        var gone = new UpdateReport { OfferId = device.UpdateOffers.Last().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.InstallFailed, RunningVersion = "1.0.0" };
        gone.WriteDetail(UpdateDetail.ImageGone());
        await TestReleases.ReportAsync(device, update: gone);
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"))[0].State == "failed", "the update failed");

        using (var mine = await GetJsonAsync(owner, "/api/me/updates", "zh-Hans"))
            Assert.Equal(("the verified image is gone from the device: offer the update again", "校验过的映像已不在设备上：请重新推送这次更新"),
                (mine.RootElement[0].GetProperty("detail").GetString(), mine.RootElement[0].GetProperty("detailForReader").GetString()));
        Assert.Equal("更新未能安装，您的打印机仍在运行 1.0.0。原因：校验过的映像已不在设备上：请重新推送这次更新。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rc-own", "zh-Hans"), "update-state"));
        Assert.Equal("アップデートはインストールされませんでした。プリンターは引き続き 1.0.0 で動いています。理由: 検証済みのイメージがデバイスからなくなっています。更新をもう一度配信してください。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rc-own", "ja"), "update-state"));
    }

    // The rollback's sentence with its health-check reason nested in it; times as CLDR writes them, seconds as numbers.
    [Theory]
    [InlineData("zh-Hans", "健康检查未通过：检查时段于 2026年12月7日星期一 08:40（UTC） 结束时，设备在 2.3.0 上只持续正常了 1.5 秒，未达到要求的 30 秒；已回退到 2.1.0")]
    [InlineData("ja", "ヘルスチェックに失敗しました: 確認期間が 2026年12月7日月曜日 8:40（UTC） に終わった時点で、デバイスが 2.3.0 で正常に動作していたのは、必要な 30 秒のうち 1.5 秒だけでした。2.1.0 に戻しました")]
    public void A_rollback_after_a_failed_health_check_reads_in_the_readers_language_with_its_reason(string language, string expected)
    {
        var windowEnd = DateTimeOffset.FromUnixTimeMilliseconds(Ms(2026, 12, 7, 8, 40));
        var said = UpdateDetail.RolledBack(UpdateDetail.HealthNotLongEnough("2.3.0", TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30), windowEnd), "2.1.0");
        // The words agents have always sent.
        Assert.Equal("health check failed: the device was healthy on 2.3.0 for 1.5 s of the 30 s required when the window closed at 2026-12-07 08:40:00Z; back on 2.1.0", said.Text);

        using (new UiCulture(language))
            Assert.Equal(expected, RolloutNotes.ReadDetail(said.Text, said));
        using (new UiCulture("en"))
            Assert.Equal(said.Text, RolloutNotes.ReadDetail(said.Text, said));
    }

    [Fact]
    public void A_rollback_whose_reason_this_cloud_cannot_word_reads_as_the_device_said_it()
    {
        using var _ = new UiCulture("zh-Hans");
        var newer = UpdateDetail.RolledBack(new UpdateDetail("FromANewerAgent", ["x"], "something a newer agent knows to say"), "2.1.0");
        Assert.Equal("health check failed: something a newer agent knows to say; back on 2.1.0", RolloutNotes.ReadDetail(newer.Text, newer));
        var withoutReason = new UpdateDetail(UpdateDetail.RolledBackCode, ["2.1.0"], "health check failed; back on 2.1.0");
        Assert.Equal(withoutReason.Text, RolloutNotes.ReadDetail(withoutReason.Text, withoutReason));

        // Going back failed too: the installer's words are quoted inside the reader's sentence.
        var stuck = UpdateDetail.RollbackFailed(UpdateDetail.HealthNotConnected("2.3.0", DateTimeOffset.FromUnixTimeMilliseconds(Ms(2026, 12, 7, 8, 40))), "slot A is unreadable");
        Assert.Equal("health check failed: the device was not healthy on 2.3.0 by 2026-12-07 08:40:00Z: the agent is not connected to the cloud; going back failed too: slot A is unreadable", stuck.Text);
        Assert.Equal("健康检查未通过：截至 2026年12月7日星期一 08:40（UTC），设备在 2.3.0 上仍未恢复正常：代理程序未连接到云端；回退也失败了：slot A is unreadable",
            RolloutNotes.ReadDetail(stuck.Text, stuck));
    }

    [Theory]
    [InlineData("zh-Hans", "/var/lib/dx/updates 下只有 1,048,576 字节可用空间；下载文件和映像共需 12,582,912 字节（其中 8,388,608 字节须保持空闲）")]
    [InlineData("ja", "/var/lib/dx/updates の空き容量は 1,048,576 バイトしかありません。ダウンロードとイメージには 12,582,912 バイト必要です（うち 8,388,608 バイトは空けておく分です）")]
    public void A_full_disk_reads_in_the_readers_language_with_its_numbers_in_their_format(string language, string expected)
    {
        var said = UpdateDetail.NoSpace(1_048_576, "/var/lib/dx/updates", 12_582_912, 8_388_608);
        Assert.Equal("1048576 bytes free under /var/lib/dx/updates; the download and the image need 12582912 (with 8388608 kept free)", said.Text);

        using var _ = new UiCulture(language);
        Assert.Equal(expected, RolloutNotes.ReadDetail(said.Text, said));
    }

    [Fact]
    public async Task A_customer_reads_why_their_printer_went_back_to_its_old_version_in_their_language()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, _, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "rc-back", "CDCD5757");
        await using var _ = device;
        using (var approve = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/rc-back/approve", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer");

        var back = new UpdateReport
        {
            OfferId = device.UpdateOffers.Last().OfferId, Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed, RunningVersion = "1.0.0",
        };
        back.WriteDetail(UpdateDetail.RolledBack(UpdateDetail.HealthNewError("2.0.0", "acme:50.1", Conditions.HardwareFault, "50.1 Fuser error"), "1.0.0"));
        await TestReleases.ReportAsync(device, update: back);
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"))[0].State == "rolledback", "the update rolled back");

        using (var mine = await GetJsonAsync(owner, "/api/me/updates", "zh-Hans"))
        {
            Assert.Equal("health check failed: after booting 2.0.0 the device reports acme:50.1 (HARDWARE_FAULT): 50.1 Fuser error; back on 1.0.0",
                mine.RootElement[0].GetProperty("detail").GetString());
            Assert.Equal("健康检查未通过：启动 2.0.0 后，设备报告了 acme:50.1（HARDWARE_FAULT）：50.1 Fuser error；已回退到 1.0.0",
                mine.RootElement[0].GetProperty("detailForReader").GetString());
            Assert.Equal(UpdateDetail.RolledBackCode, mine.RootElement[0].GetProperty("deviceDetail").GetProperty("code").GetString());
        }
        // The card says which version runs again itself; the reason is the health check's, in the reader's words.
        Assert.Equal("新版本运行不正常，打印机已自动恢复到 1.0.0。原因：启动 2.0.0 后，设备报告了 acme:50.1（HARDWARE_FAULT）：50.1 Fuser error。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rc-back", "zh-Hans"), "update-state"));
        Assert.Equal("新しいバージョンがうまく動かなかったため、プリンターは自動で 1.0.0 に戻りました。理由: 2.0.0 の起動後、デバイスが acme:50.1（HARDWARE_FAULT）を報告しました: 50.1 Fuser error。",
            TestIdText(await GetPageAsync(owner, "/app/devices/rc-back", "ja"), "update-state"));
        Assert.Equal("The new version did not work well, so your printer went back to 1.0.0 by itself. Reason: after booting 2.0.0 the device reports acme:50.1 (HARDWARE_FAULT): 50.1 Fuser error",
            TestIdText(await GetPageAsync(owner, "/app/devices/rc-back", "en"), "update-state"));
    }

    private static long Ms(int year, int month, int day, int hour, int minute) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    internal static async Task<JsonDocument> GetJsonAsync(HttpClient client, string url, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} -> {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    internal static async Task<string> GetPageAsync(HttpClient client, string url, string language)
    {
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        try
        {
            return await Diagnostics.Cloud.Tests.Web.RenderedPage.GetPageAsync(client, url);
        }
        finally
        {
            client.DefaultRequestHeaders.AcceptLanguage.Clear();
        }
    }
}
