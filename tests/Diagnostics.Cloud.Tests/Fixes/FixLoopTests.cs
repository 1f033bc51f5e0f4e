using System.Net;
using System.Net.Http.Json;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// The fix loop through the real host: a device (a real MQTT client) raises a jam, the customer decides through the
/// API, the command arrives on the device's downlink, and what the device reports next decides the outcome.
/// </summary>
public sealed class FixLoopTests
{
    private const string Model = "Acme LaserPro 500";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DeviceStatus Status(bool jammed) => new()
    {
        Model = Model,
        FirmwareVersion = "2.1.0",
        State = jammed ? DeviceState.Stopped : DeviceState.Idle,
        Conditions = jammed ? [new ActiveCondition { Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1" }] : [],
    };

    private static DeviceEvent Jam() => new() { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1" };

    /// <summary>A jammed device paired to a customer, and the proposal the jam raised.</summary>
    private static async Task<(DeviceClient Device, HttpClient Owner, FixView Proposal)> JammedPairedDeviceAsync(CloudHost host, string deviceId, string code)
    {
        var device = await PairedDevices.ConnectAnnouncingAsync(host, deviceId, code);
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, code);
        await SendAsync(device, device.NewEnvelope(status: Status(jammed: true)));
        await SendAsync(device, device.NewEnvelope(@event: Jam()));
        var proposal = await EventuallyAsync(owner, "/api/me/fixes", fixes => fixes.SingleOrDefault(f => f.DeviceId == deviceId));
        return (device, owner, proposal);
    }

    private static async Task SendAsync(DeviceClient device, Envelope envelope)
    {
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
    }

    private static async Task<FixView> EventuallyAsync(HttpClient client, string url, Func<List<FixView>, FixView?> pick)
    {
        FixView? found = null;
        await Eventually.TrueAsync(async () => (found = pick(await client.GetJsonAsync<List<FixView>>(url))) is not null, $"a fix at {url}");
        return found!;
    }

    private static Task<FixView> StateAsync(HttpClient owner, string proposalId, FixState state) =>
        EventuallyAsync(owner, "/api/me/fixes", fixes => fixes.SingleOrDefault(f => f.Id == proposalId && f.State == state));

    /// <summary>The outcome is counted just after the fix closes: wait for the paper-jam article's ranking to say so.</summary>
    private static Task ArticleReasonAsync(CloudHost host, string reason) =>
        Eventually.TrueAsync(() => host.Services.GetRequiredService<KnowledgeBase>().Index
            .Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, Model, "2.1.0"))
            .Single(m => m.Article.Id == "paper-jam").Reasons.Any(r => r.StartsWith(reason, StringComparison.Ordinal)), reason);

    [Theory, BothEngines]
    public async Task A_jam_is_proposed_approved_run_verified_and_counted_for_the_article(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-1", "FFFF1111");
        await using var _ = device;

        Assert.Equal((FixState.Proposed, "paper-jam", DeviceCommands.ClearPaperPath), (proposal.State, proposal.ArticleId, proposal.Preview?.Command));
        Assert.Equal(ConsentAction.Maintenance, proposal.Preview!.Action);
        Assert.Equal("Paper jam", proposal.Problem);
        Assert.True(proposal.CanApprove);

        using var approved = await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the command reaches the device");
        var command = Assert.Single(device.Commands);
        Assert.Equal(DeviceCommands.ClearPaperPath, command.Name);
        Assert.Equal((ConsentAction.Maintenance, command.CommandId), (command.Consent!.Action, command.Consent.CommandId));
        Assert.True(command.ExpiresUnixMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await SendAsync(device, device.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Succeeded, "paper path cleared")));
        await StateAsync(owner, proposal.Id, FixState.Verifying);
        await SendAsync(device, device.NewEnvelope(status: Status(jammed: false)));
        var verified = await StateAsync(owner, proposal.Id, FixState.Verified);

        Assert.Equal(CommandOutcome.Succeeded, verified.ResultOutcome);
        await ArticleReasonAsync(host, $"fixed 1 of 1 times on {Model}");
        var audit = await (await host.SignedInClientAsync(AccountRole.Agent)).GetJsonAsync<List<AuditRecord>>("/api/devices/fix-1/audit");
        Assert.Equal(["fix.proposed", "consent.approved", "command.sent", "command.result", "fix.verified"], audit.Select(a => a.Action));
    }

    [Theory, BothEngines]
    public async Task Approving_twice_sends_one_command_and_someone_else_cannot_approve_at_all(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-2", "FFFF2222");
        await using var _ = device;
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        using var strangerApproves = await stranger.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        using var strangerReads = await stranger.GetAsync(new Uri($"/api/me/fixes/{proposal.Id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, strangerApproves.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, strangerReads.StatusCode);
        Assert.DoesNotContain(await stranger.GetJsonAsync<List<FixView>>("/api/me/fixes"), f => f.Id == proposal.Id);

        var first = owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        var second = owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        using var one = await first;
        using var other = await second;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { one.StatusCode, other.StatusCode }.Order());
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the command reaches the device");
        // Give a second command every chance to arrive: a presence round trip takes longer than any publish.
        await SendAsync(device, device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 }));
        Assert.Single(device.Commands);
    }

    [Theory, BothEngines]
    public async Task A_declined_fix_with_no_other_article_suggests_a_session(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-3", "FFFF3333");
        await using var _ = device;

        using var declined = await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/decline", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        var after = await owner.GetJsonAsync<List<FixView>>("/api/me/fixes");

        var closed = after.Single(f => f.Id == proposal.Id);
        Assert.Equal(FixState.Declined, closed.State);
        // The next article for an ipp:media-jam on this model is the duplex-jam article (written for Acme models).
        var next = Assert.Single(after, f => f.Id != proposal.Id);
        Assert.Equal(("acme-13-20-duplex-jam", 2, FixState.Proposed), (next.ArticleId, next.Attempt, next.State));
        using var declinedAgain = await owner.PostAsync(new Uri($"/api/me/fixes/{next.Id}/decline", UriKind.Relative), null, Ct);
        var exhausted = (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Single(f => f.Id == next.Id);
        Assert.Contains("support session", exhausted.Note, StringComparison.Ordinal);
        Assert.Empty(device.Commands);
        using var approveDeclined = await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, approveDeclined.StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_fix_the_device_ran_but_that_did_not_clear_the_jam_fails_when_its_time_is_up(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Fixes:CheckInterval"] = "00:00:00.200" }, engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-4", "FFFF4444");
        await using var _ = device;
        await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the command reaches the device");
        var command = Assert.Single(device.Commands);

        // Ran, but the jam stays; the article gives the fix three minutes, which the test shortens in the store.
        await SendAsync(device, device.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Succeeded, "feed rollers ran")));
        await StateAsync(owner, proposal.Id, FixState.Verifying);
        await MoveDeadlineAsync(host, proposal.Id, "verify_deadline_ms");
        var failed = await StateAsync(owner, proposal.Id, FixState.Failed);

        Assert.Contains("did not clear", failed.Note, StringComparison.Ordinal);
        await ArticleReasonAsync(host, $"fixed 0 of 1 times on {Model}");
    }

    [Theory, BothEngines]
    public async Task A_result_sent_twice_or_by_another_device_changes_nothing(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-5", "FFFF5555");
        await using var _ = device;
        await using var other = await host.ConnectDeviceAsync("fix-5-other", Model);
        await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the command reaches the device");
        var command = Assert.Single(device.Commands);

        // Another device claims the result (it cannot have received the command): ignored.
        await SendAsync(other, other.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Failed, "forged")));
        await SendAsync(device, device.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Succeeded, "cleared")));
        await SendAsync(device, device.NewEnvelope(result: DeviceClient.ResultOf(command, CommandOutcome.Failed, "a late different answer")));
        await SendAsync(device, device.NewEnvelope(status: Status(jammed: false)));
        await StateAsync(owner, proposal.Id, FixState.Verified);

        var audit = await (await host.SignedInClientAsync(AccountRole.Agent)).GetJsonAsync<List<AuditRecord>>("/api/devices/fix-5/audit");
        Assert.Single(audit, a => a.Action == "command.result");
        Assert.True(host.Logged(Diagnostics.Cloud.Fixes.FixesEventIds.FixUnknownResult, "fix-5-other"));
    }

    [Theory, BothEngines]
    public async Task A_standing_consent_applies_fixes_by_itself_until_it_is_revoked(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var device = await PairedDevices.ConnectAnnouncingAsync(host, "fix-6", "FFFF6666");
        await using var _ = device;
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "FFFF6666");

        using var granted = await owner.PostAsJsonAsync("/api/me/devices/fix-6/consents", new { action = "maintenance", days = 30 }, Ct);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var policy = (await granted.Content.ReadJsonAsync<ConsentPolicy>())!;
        await Eventually.TrueAsync(() => device.ConsentSets.Any(s => s.Grants.Any(g => g.ConsentId == policy.Id)), "the device receives its standing consent");

        await SendAsync(device, device.NewEnvelope(status: Status(jammed: true)));
        await SendAsync(device, device.NewEnvelope(@event: Jam()));
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the fix goes out without asking");
        var command = Assert.Single(device.Commands);
        Assert.Equal((policy.Id, ""), (command.Consent!.ConsentId, command.Consent.CommandId));
        var fix = Assert.Single(await owner.GetJsonAsync<List<FixView>>("/api/me/fixes"));
        Assert.Equal(FixState.Sent, fix.State);

        using var revoked = await owner.DeleteAsync(new Uri($"/api/me/devices/fix-6/consents/{policy.Id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Eventually.TrueAsync(() => device.ConsentSets.LastOrDefault() is { Grants.Count: 0 }, "the device learns of the revocation");
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);
        using var strangerGrants = await stranger.PostAsJsonAsync("/api/me/devices/fix-6/consents", new { action = "maintenance", days = 30 }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, strangerGrants.StatusCode);
        using var tooLong = await owner.PostAsJsonAsync("/api/me/devices/fix-6/consents", new { action = "maintenance", days = 4000 }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_audit_chain_verifies_and_reports_a_record_changed_behind_its_back(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-7", "FFFF7777");
        await using var _ = device;
        await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/decline", UriKind.Relative), null, Ct);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);

        var intact = await supervisor.GetJsonAsync<AuditVerification>("/api/audit/verify");
        await using (var connection = await host.Database.OpenAsync())
            await connection.ExecuteAsync("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2;");
        var broken = await supervisor.GetJsonAsync<AuditVerification>("/api/audit/verify");

        Assert.True(intact.Intact);
        Assert.True(intact.Records >= 3);
        Assert.False(broken.Intact);
        Assert.Equal(2, broken.FirstBrokenSequence);
        Assert.Contains("changed", broken.Problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync(new Uri("/api/audit/verify", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_companion_shows_the_fix_with_what_it_will_do_and_the_dashboard_shows_its_state(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await JammedPairedDeviceAsync(host, "fix-8", "FFFF8888");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var companion = await GetPageAsync(owner, "/app/devices/fix-8");
        var dashboard = await GetPageAsync(agent, "/dashboard/devices/fix-8");

        Assert.Equal([proposal.Id], Attribute(companion, "fix-card", "data-fix-id"));
        Assert.Equal(["proposed"], Attribute(companion, "fix-card", "data-state"));
        Assert.Contains("feed rollers", TestIdText(companion, "fix-preview"), StringComparison.Ordinal);
        Assert.Equal(1, CountTestId(companion, "fix-approve"));
        Assert.Equal(["proposed"], Attribute(dashboard, "fix-row", "data-state"));
        var open = await GetPageAsync(agent, "/dashboard/fixes?state=open");
        var verified = await GetPageAsync(agent, "/dashboard/fixes?state=verified");
        var nonsense = await GetPageAsync(agent, "/dashboard/fixes?state=bogus");
        Assert.Equal([proposal.Id], Attribute(open, "fix-row", "data-fix-id"));
        Assert.Equal(0, CountTestId(verified, "fix-row"));
        Assert.Contains("bogus", TestIdText(nonsense, "fix-list-error"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_proposal_nobody_decides_and_a_command_the_device_never_takes_both_expire(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Fixes:CheckInterval"] = "00:00:00.200" }, engine: engine);
        var (device, owner, undecided) = await JammedPairedDeviceAsync(host, "fix-9", "FFFF9999");
        await using var _ = device;

        await MoveDeadlineAsync(host, undecided.Id, "expires_at_ms");
        var expired = await StateAsync(owner, undecided.Id, FixState.Expired);
        Assert.Equal("Nobody decided in time.", expired.Note);
        using var late = await owner.PostAsync(new Uri($"/api/me/fixes/{undecided.Id}/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        // The same jam raised again is a new problem now that nothing is open for it.
        await SendAsync(device, device.NewEnvelope(@event: Jam()));
        var again = await EventuallyAsync(owner, "/api/me/fixes", fixes => fixes.FirstOrDefault(f => f.Id != undecided.Id && f.State == FixState.Proposed));
        await owner.PostAsync(new Uri($"/api/me/fixes/{again.Id}/approve", UriKind.Relative), null, Ct);
        await MoveDeadlineAsync(host, again.Id, "command_expires_at_ms");
        var neverTaken = await StateAsync(owner, again.Id, FixState.Expired);
        Assert.Contains("did not take the command", neverTaken.Note, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_new_proposal_stays_open_until_a_status_sent_after_the_problem_says_it_went_away(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var workflow = host.Services.GetRequiredService<FixWorkflow>();
        var owner = await host.SignedInClientAsync(AccountRole.Customer);

        // A device that never sent a status raises a jam: nothing says the jam is gone, so a pass leaves the fix open.
        await using var fresh = await PairedDevices.ConnectAnnouncingAsync(host, "fix-10", "FFFF1010");
        await PairedDevices.PairAsync(owner, "FFFF1010");
        await SendAsync(fresh, fresh.NewEnvelope(@event: Jam()));
        var first = await EventuallyAsync(owner, "/api/me/fixes", fixes => fixes.SingleOrDefault(f => f.DeviceId == "fix-10"));
        await workflow.CheckOpenAsync(Ct);
        Assert.Equal(FixState.Proposed, (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Single(f => f.Id == first.Id).State);

        // Its last status, sent before the jam, shows no jam: it describes the device before the problem, not now.
        await using var earlier = await PairedDevices.ConnectAnnouncingAsync(host, "fix-11", "FFFF1111");
        await PairedDevices.PairAsync(owner, "FFFF1111");
        await SendAsync(earlier, earlier.NewEnvelope(status: Status(jammed: false)));
        await SendAsync(earlier, earlier.NewEnvelope(@event: Jam()));
        var second = await EventuallyAsync(owner, "/api/me/fixes", fixes => fixes.SingleOrDefault(f => f.DeviceId == "fix-11"));
        await workflow.CheckOpenAsync(Ct);
        Assert.Equal(FixState.Proposed, (await owner.GetJsonAsync<List<FixView>>("/api/me/fixes")).Single(f => f.Id == second.Id).State);

        // A status sent after it without the jam: now it went away.
        await SendAsync(earlier, earlier.NewEnvelope(status: Status(jammed: false)));
        var obsolete = await StateAsync(owner, second.Id, FixState.Obsolete);
        Assert.Equal("The problem went away before anything was done.", obsolete.Note);
    }

    /// <summary>Puts one of a proposal's deadlines in the past, as if its time had passed.</summary>
    private static async Task MoveDeadlineAsync(CloudHost host, string proposalId, string column)
    {
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteAsync($"UPDATE fix_proposals SET {column} = 0 WHERE id = @proposalId;", new { proposalId }));
    }
}
