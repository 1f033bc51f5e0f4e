using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// What a release engineer reads when the cloud refuses a package or a rollout is in their language: the package checks
/// (signature, payload), the wave plan, the devices left out. What a program or a log reads is the same in every
/// language: the problem's code, the check as the signing tools print it, and the log's English. Expected words are the
/// translators', written here as they read.
/// </summary>
public sealed class UpdateLanguageTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("zh-Hans", new double[] { 50, 10, 100 }, "批次是逐步增加到 100 的累计百分比，而 50,10,100 不是。")]
    [InlineData("ja", new double[] { 10, 50 }, "最後のウェーブは 100（対象デバイスに対するパーセント）にしてください。")]
    [InlineData("ja", new double[] { }, "ウェーブは 1～20 個を累積パーセントで指定してください（例: 1,10,50,100）。")]
    // Cumulative percentages as the engineer typed them, whatever the reader's decimal comma.
    [InlineData("de", new double[] { 12.5, 10, 100 }, "waves are cumulative percentages that rise to 100 (12.5,10,100 does not)")]
    public void A_wave_plan_problem_is_explained_in_the_readers_language(string language, double[] waves, string expected)
    {
        using var _ = new UiCulture(language);
        Assert.Equal(expected, RolloutPlanning.DescribeWaveProblem(waves));
    }

    [Fact]
    public void The_devices_left_out_are_counted_in_the_readers_language_with_its_list_separator()
    {
        var skipped = new Dictionary<SkipReason, int>
        {
            [new SkipReason("Skip.AlreadyOnIt")] = 2,
            [new SkipReason("Skip.TooOld", "1.5.0")] = 1,
        };

        using (new UiCulture("en"))
            Assert.Equal("2 already on this version; 1 older than 1.5.0, the oldest version this package updates from", SkipReason.Describe(skipped));
        using (new UiCulture("ja"))
            Assert.Equal("2 台はすでにこのバージョンです、1 台は 1.5.0（このパッケージで更新できる最も古いバージョン）より古いバージョンです", SkipReason.Describe(skipped));
        using (new UiCulture("zh-Hans"))
            Assert.Equal("2 台已是此版本；1 台的版本低于 1.5.0（此软件包可更新的最低版本）", SkipReason.Describe(skipped));
    }

    [Fact]
    public async Task A_rollout_with_no_device_to_update_names_the_devices_left_out_in_Japanese()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var current = await TestReleases.DeviceOnAsync(host, "ul-current", "2.0.0");
        await using var newer = await TestReleases.DeviceOnAsync(host, "ul-newer", "3.0.0");

        using var refused = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, waves = new[] { 100 } }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("RolloutRefused", problem.RootElement.GetProperty("code").GetString());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("更新するデバイスがありません（対象条件に一致したのは 2 台: ", detail, StringComparison.Ordinal);
        Assert.Contains("1 台はすでにこのバージョンです", detail, StringComparison.Ordinal);
        Assert.Contains("1 台はより新しいか不明なバージョンです", detail, StringComparison.Ordinal);
        Assert.Contains("です、1 台", detail, StringComparison.Ordinal);
        Assert.EndsWith("）。", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_package_is_explained_in_Chinese_while_its_check_and_the_log_stay_as_the_signing_tools_print_them()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");
        var image = TestReleases.Image("2.0.0");
        var manifest = TestReleases.Manifest("lp500-fw-2.0.0", "2.0.0", image);
        var tamperedImage = (byte[])image.Clone();
        tamperedImage[1000] ^= 0xFF;

        using var tampered = await TestReleases.PublishAsync(supervisor, await _releases.PackageAsync(manifest, tamperedImage));
        using var stranger = ManifestSigning.CreateKey();
        using var untrusted = await TestReleases.PublishAsync(supervisor, await _releases.PackageAsync(manifest, image, stranger));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tampered.StatusCode);
        using (var problem = JsonDocument.Parse(await tampered.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("PackageRefused", problem.RootElement.GetProperty("code").GetString());
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tamperedImage));
            Assert.Equal($"载荷的 SHA-256 为 {hash}，但清单写的是 {Convert.ToHexStringLower(manifest.PayloadSha256)}：载荷在签名后被改动过。",
                problem.RootElement.GetProperty("detail").GetString());
            Assert.StartsWith($"PayloadHashMismatch: the payload's SHA-256 is {hash}", problem.RootElement.GetProperty("check").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.UnprocessableEntity, untrusted.StatusCode);
        using (var problem = JsonDocument.Parse(await untrusted.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal($"该软件包仅由密钥 {ManifestSigning.KeyId(stranger)} 签名，本云服务不信任该密钥（受信任的密钥：{ManifestSigning.KeyId(_releases.Key)}）。"
                + "请用受信任的发布密钥签名，或将该密钥加入 Updates:TrustedKeys（设备也须固定同一密钥）。", problem.RootElement.GetProperty("detail").GetString());
            Assert.StartsWith("UntrustedKey: signed only by key(s) ", problem.RootElement.GetProperty("check").GetString(), StringComparison.Ordinal);
        }
        // The log is for whoever runs the cloud: the checks as fwtool prints them, none of the reader's words.
        var logged = host.Logs.Where(l => l.EventId == UpdatesEventIds.PackageRefused).Select(l => l.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains(logged, m => m.Contains("PayloadHashMismatch: the payload's SHA-256 is", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("UntrustedKey: signed only by key(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, m => m.Any(c => c >= 0x3000));
    }

    [Fact]
    public async Task A_package_id_taken_is_refused_in_Japanese_and_logged_in_English()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var other = TestReleases.Image("2.0.1");

        using var refused = await TestReleases.PublishAsync(supervisor, await _releases.PackageAsync(TestReleases.Manifest(packageId, "2.0.1", other), other));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal("PackageIdTaken", problem.RootElement.GetProperty("code").GetString());
        Assert.Contains("lp500-fw-2.0.0", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("already in the catalog", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(problem.RootElement.TryGetProperty("check", out _));
        Assert.Contains(host.Logs, l => l.EventId == UpdatesEventIds.PackageRefused
            && l.Message.Contains("Package id 'lp500-fw-2.0.0' is already in the catalog with a different manifest", StringComparison.Ordinal));
    }
}
