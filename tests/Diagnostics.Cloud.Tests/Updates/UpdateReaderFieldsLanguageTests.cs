using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol.Updates;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Updates.RolloutLanguageTests;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// The last English the third language audit found about updates and sessions (issue 19, tests/l10n-audit/untranslated.md):
/// the kind of failure a device reported ("HealthCheckFailed", "Withdrawn") on the rollout and staff device pages, the
/// device update list's detail, the rollout list's halt reason, the answer to a customer's decision on an update card in
/// a conversation and the assistant's name in the messages API. Each gets a reader's field beside the stored one, which
/// keeps its shape for programs. Expected words are the translators' (the .resx files, or as they read).
/// </summary>
public sealed class UpdateReaderFieldsLanguageTests : IDisposable
{
    private const string Explanations = "Updates/UpdateExplanations";

    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_kind_of_failure_a_device_reports_has_a_name_in_each_language_and_an_unknown_one_reads_as_stored()
    {
        foreach (var language in new[] { "zh-Hans", "ja" })
        {
            var texts = RepositoryFiles.ResourceTexts(Explanations, language);
            using var _ = new UiCulture(language);
            foreach (var failure in Enum.GetValues<UpdateFailure>().Where(f => f != UpdateFailure.None))
                Assert.Equal(texts["Failure." + failure], UpdateExplanations.FailureName(failure.ToString()));
            Assert.Equal("FromANewerAgent", UpdateExplanations.FailureName("FromANewerAgent"));
            Assert.Equal("", UpdateExplanations.FailureName(""));
        }
    }

    [Fact]
    public async Task A_failed_and_a_halted_device_read_in_the_readers_language_on_the_pages_and_the_apis_and_the_stored_fields_stay()
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var failing = await TestReleases.DeviceOnAsync(host, "uf-1", "1.0.0");
        await using var waiting = await TestReleases.DeviceOnAsync(host, "uf-2", "1.0.0");
        var rollout = await TestReleases.RolloutOfferedToAsync(supervisor, packageId, failing, waiting);

        // One failed health check in one install is above the threshold: the rollout halts and the waiting device's offer is withdrawn.
        await TestReleases.ReportAsync(failing, update: new UpdateReport
        {
            OfferId = failing.UpdateOffers.First().OfferId, Phase = UpdatePhase.Failed, Failure = UpdateFailure.HealthCheckFailed,
            Detail = "did not reconnect within 60 s", RunningVersion = "1.0.0",
        });
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<RolloutDeviceView>>("/api/devices/uf-2/updates")).Single().Detail == "the rollout is halted",
            "halted, and the waiting device's offer withdrawn");

        var expected = new Dictionary<string, (string Halted, string HaltReason)>
        {
            ["zh-Hans"] = ("推送计划已自动中止", "第 1 批：1 次安装中有 1 次失败或已回滚（100%），超过了 20% 的阈值"),
            ["ja"] = ("ロールアウトは自動停止しています", "ウェーブ 1: インストール 1 件中 1 件が失敗またはロールバックしました（100%）。しきい値の 20% を超えています"),
        };
        foreach (var (language, words) in expected)
        {
            var failure = RepositoryFiles.ResourceTexts(Explanations, language)["Failure.HealthCheckFailed"];

            using (var halted = await GetJsonAsync(supervisor, "/api/devices/uf-2/updates", language))
            {
                var update = Assert.Single(halted.RootElement.EnumerateArray().ToList());
                Assert.Equal(("the rollout is halted", words.Halted), (update.GetProperty("detail").GetString(), update.GetProperty("detailForReader").GetString()));
            }
            using (var failed = await GetJsonAsync(supervisor, "/api/devices/uf-1/updates", language))
            {
                var update = Assert.Single(failed.RootElement.EnumerateArray().ToList());
                Assert.Equal(("HealthCheckFailed", failure), (update.GetProperty("failure").GetString(), update.GetProperty("failureForReader").GetString()));
                // The device's own words stay its own.
                Assert.Equal("did not reconnect within 60 s", update.GetProperty("detailForReader").GetString());
            }
            using (var list = await GetJsonAsync(supervisor, "/api/updates/rollouts", language))
            {
                var listed = list.RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetString() == rollout.Id);
                Assert.Equal(("wave 1: 1 of 1 installs failed or rolled back (100 %), above the 20 % threshold", words.HaltReason),
                    (listed.GetProperty("haltReason").GetString(), listed.GetProperty("haltReasonForReader").GetString()));
            }

            var rolloutPage = await GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}", language);
            Assert.Contains(WebUtility.HtmlEncode($"{failure}: did not reconnect within 60 s"), rolloutPage, StringComparison.Ordinal);
            Assert.DoesNotContain("HealthCheckFailed", rolloutPage, StringComparison.Ordinal);
            var devicePage = await GetPageAsync(supervisor, "/dashboard/devices/uf-1", language);
            var line = Assert.Single(TestIdTexts(devicePage, "device-update"));
            Assert.Contains($" · {failure}", line, StringComparison.Ordinal);
            Assert.DoesNotContain("HealthCheckFailed", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans")]
    [InlineData("ja-JP", "ja")]
    public async Task A_customers_decision_on_an_update_card_answers_the_stored_record_with_the_readers_words_beside_it(string acceptLanguage, string language)
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        var (device, _, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "uf-s", "CECE7878");
        await using var _ = device;
        var session = await OpenAsync(owner, "uf-s", "The printer jams, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        var (shared, sharedBody) = await SendAsync(agent, $"/api/sessions/{session.Id}/updates");
        Assert.True(shared == HttpStatusCode.OK, sharedBody);

        using var decline = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/me/sessions/{session.Id}/updates/{rollout.Id}/decline", UriKind.Relative));
        decline.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        using var answered = await owner.SendAsync(decline, Ct);
        var body = await answered.Content.ReadAsStringAsync(Ct);
        Assert.True(answered.StatusCode == HttpStatusCode.OK, body);
        using var answer = JsonDocument.Parse(body);
        var root = answer.RootElement;

        // The record as it always was: its fields as stored (the rollout, the device, the English detail).
        Assert.Equal((rollout.Id, "uf-s"), (root.GetProperty("rolloutId").GetString(), root.GetProperty("deviceId").GetString()));
        var stored = root.GetProperty("detail").GetString()!;
        const string DeclinedBy = "declined by ";
        Assert.StartsWith(DeclinedBy, stored, StringComparison.Ordinal);
        Assert.EndsWith($" in support session {session.Id}", stored, StringComparison.Ordinal);
        var record = await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates");
        Assert.Equal(stored, Assert.Single(record).Detail);
        // Beside it, the same in the customer's language, as the translators wrote "declined by {0}".
        var declined = RepositoryFiles.ResourceTexts("Updates/RolloutNotes", language)["Detail.Declined"];
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, declined, stored[DeclinedBy.Length..]), root.GetProperty("detailForReader").GetString());
        Assert.Equal("", root.GetProperty("failureForReader").GetString());
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans")]
    [InlineData("ja-JP", "ja")]
    public async Task The_messages_api_names_the_assistant_in_the_readers_language_beside_its_stored_name(string acceptLanguage, string language)
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "uf-m", "CFCF9090", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "uf-m", "The printer jams");
        var assistant = RepositoryFiles.ResourceTexts("Web/Components/Conversation", language)["AssistantName"];

        foreach (var (reader, url) in new[] { (owner, $"/api/me/sessions/{session.Id}/messages"), (await host.SignedInClientAsync(AccountRole.Supervisor), $"/api/sessions/{session.Id}/messages") })
        {
            using var messages = await GetJsonAsync(reader, url, acceptLanguage);
            var all = messages.RootElement.EnumerateArray().ToList();
            var bots = all.Where(m => m.GetProperty("authorKind").GetString() == "bot").ToList();
            Assert.NotEmpty(bots);
            Assert.All(bots, m => Assert.Equal((SupportBot.Name, assistant), (m.GetProperty("authorName").GetString(), m.GetProperty("authorNameForReader").GetString())));
            // A person keeps their own name.
            Assert.All(all.Where(m => m.GetProperty("authorKind").GetString() == "customer"),
                m => Assert.Equal(m.GetProperty("authorName").GetString(), m.GetProperty("authorNameForReader").GetString()));
        }
    }
}
