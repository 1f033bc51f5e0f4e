using System.Text.Json;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// A fix's note is stored in English, byte for byte as before (what the API's <c>note</c>, the audit trail and scripts
/// read), and read in each reader's language: the customer's fix card, the agent's fix list and device page, the API's
/// <c>noteForReader</c>. Expected words are the translators'; the stored English literals are the notes rows already
/// hold.
/// </summary>
public sealed class FixNoteLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("zh-Hans", "Nobody decided in time.", "在期限内没有人做出决定。")]
    [InlineData("ja", "Nobody decided in time.", "期限までにどなたも判断しませんでした。")]
    [InlineData("zh-Hans", "The problem went away before anything was done.", "还没来得及处理，问题就已经消失了。")]
    [InlineData("ja", "The article has steps for the customer; there is nothing for the device to run.", "記事にはお客様ご自身で行う手順があります。デバイス側で実行する操作はありません。")]
    [InlineData("zh-Hans", "The device ran clean-rollers: feed rollers ran", "设备已执行 clean-rollers：feed rollers ran")]
    [InlineData("ja", "The device refused clean-rollers: consent revoked", "デバイスが clean-rollers を拒否しました: consent revoked")]
    [InlineData("zh-Hans", "paper-jam did not clear within 00:10:00.", "paper-jam 没有在 00:10:00 内消除。")]
    // A note after which no other article was known keeps the failed fix's note, both read.
    [InlineData("zh-Hans", "The device could not run clean-rollers: motor stalled No other fix is known: a support session is suggested.",
        "设备无法执行 clean-rollers：motor stalled 没有其他已知的修复方法，建议发起支持会话。")]
    [InlineData("ja", "No other fix is known: a support session is suggested.", "ほかに知られている修復方法はありません。サポートへの相談をおすすめします。")]
    // English readers read it as stored; a note that is no fix note (written by an older version) reads as stored.
    [InlineData("en", "Nobody decided in time.", "Nobody decided in time.")]
    [InlineData("zh-Hans", "Closed by hand during the 2025 migration.", "Closed by hand during the 2025 migration.")]
    [InlineData("ja", "", "")]
    public void A_stored_note_reads_in_the_readers_language(string language, string stored, string expected)
    {
        using var _ = new UiCulture(language);
        Assert.Equal(expected, FixNotes.Read(stored));
    }

    [Fact]
    public void What_is_stored_is_the_English_the_rows_already_hold_whatever_the_writers_culture()
    {
        using var _ = new UiCulture("zh-Hans");
        Assert.Equal("paper-jam did not clear within 00:10:00.", FixNotes.Write("NotCleared", "paper-jam", TimeSpan.FromMinutes(10)));
        Assert.Equal("The device ran clean-rollers; waiting for paper-jam to clear.", FixNotes.Write("RanWaiting", "clean-rollers", "paper-jam"));
        Assert.Equal("No other fix is known: a support session is suggested.", FixNotes.Exhausted(""));
        Assert.Equal("Nobody decided in time. No other fix is known: a support session is suggested.", FixNotes.Exhausted("Nobody decided in time."));
        Assert.Throws<ArgumentException>(() => FixNotes.Write("NoSuchNote"));
    }

    [Fact]
    public async Task A_Chinese_customer_reads_the_failed_fix_in_Chinese_an_English_agent_in_English_and_the_API_keeps_the_stored_note()
    {
        await using var host = new CloudHost();
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "note-zh-1", "FFFF1919");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the command reaches the device");
        var command = Assert.Single(device.Commands);
        var result = device.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Failed, "motor stalled"));
        await device.SendAsync(result);
        await device.WaitForAckAsync(result.Sequence);
        await Eventually.TrueAsync(async () => (await NotesAsync(owner)).Any(n => n.Id == proposal.Id && n.State == "failed"), "the fix fails");
        var stored = $"The device could not run {command.Name}: motor stalled";
        var chinese = $"设备无法执行 {command.Name}：motor stalled";

        var api = (await NotesAsync(owner)).Single(n => n.Id == proposal.Id);
        var companion = await GetPageAsync(owner, "/app/devices/note-zh-1");
        var englishAgent = await host.SignedInClientAsync(AccountRole.Agent);
        englishAgent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        var chineseAgent = await host.SignedInClientAsync(AccountRole.Agent);
        chineseAgent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        Assert.Equal((stored, chinese), (api.Note, api.NoteForReader));
        Assert.Equal("这样没能解决问题。" + chinese, FixState(companion, proposal.Id));
        Assert.Contains(stored, await GetPageAsync(englishAgent, "/dashboard/fixes"), StringComparison.Ordinal);
        Assert.Contains(stored, await GetPageAsync(englishAgent, "/dashboard/devices/note-zh-1"), StringComparison.Ordinal);
        Assert.Contains(chinese, await GetPageAsync(chineseAgent, "/dashboard/fixes"), StringComparison.Ordinal);
        Assert.Contains(chinese, await GetPageAsync(chineseAgent, "/dashboard/devices/note-zh-1"), StringComparison.Ordinal);
        Assert.DoesNotContain(stored, await GetPageAsync(chineseAgent, "/dashboard/fixes"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_note_stored_before_reads_in_the_readers_language_and_stays_as_stored()
    {
        await using var host = new CloudHost();
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "note-old-1", "FFFF1920");
        await using var _ = device;
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        // A row as the version before wrote it: failed, then no other article, its note joined by hand.
        const string Stored = "paper-jam did not clear within 00:03:00. No other fix is known: a support session is suggested.";
        await using (var connection = await host.Database.OpenAsync())
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE fix_proposals SET state = 'failed', note = @Stored, finished_at_ms = created_at_ms WHERE id = @Id;", new { Stored, proposal.Id }));

        var api = (await NotesAsync(owner)).Single(n => n.Id == proposal.Id);
        var companion = await GetPageAsync(owner, "/app/devices/note-old-1");

        const string Japanese = "paper-jam が 00:03:00 以内に解消しませんでした。 ほかに知られている修復方法はありません。サポートへの相談をおすすめします。";
        Assert.Equal((Stored, Japanese), (api.Note, api.NoteForReader));
        Assert.Equal("これでは解決しませんでした。" + Japanese, FixState(companion, proposal.Id));
    }

    private sealed record NoteRow(string Id, string State, string Note, string NoteForReader);

    private static async Task<List<NoteRow>> NotesAsync(HttpClient owner)
    {
        using var response = await owner.GetAsync(new Uri("/api/me/fixes", UriKind.Relative), Ct);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<List<NoteRow>>(await response.Content.ReadAsStringAsync(Ct), Json.Options)!;
    }

    private static string FixState(string page, string proposalId)
    {
        var ids = Attribute(page, "fix-card", "data-fix-id");
        var states = TestIdTexts(page, "fix-state");
        Assert.Equal(ids.Count, states.Count);
        return states[ids.IndexOf(proposalId)];
    }
}
