using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// An instance killed between two steps of the fix loop (a proposal committed but not yet approved by its standing
/// consent; an approval committed but its command not yet handed to the broker) leaves work no other step takes up:
/// the next full pass, on whichever instance, finishes it, once. The kill is played by putting the stored proposal in
/// the state the kill leaves and its step's time back (<see cref="FixWorkflow.InterruptedAfter"/>).
/// </summary>
public sealed class InterruptedFixStepsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_proposal_its_consent_never_approved_and_a_command_never_sent_go_out_at_the_next_pass_once(StorageProvider engine)
    {
        // No full pass of its own during the test: the test runs the passes.
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Fixes:CheckInterval"] = "00:10:00" }, engine: engine);
        var workflow = host.Services.GetRequiredService<FixWorkflow>();
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "resume-1", "RRRR1111");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "RRRR1111");

        // The jam is proposed while no consent holds, so it waits for the owner ...
        var jam = device.NewEnvelope(@event: new DeviceEvent
        {
            Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1",
        });
        await device.SendAsync(jam);
        await device.WaitForAckAsync(jam.Sequence);
        string proposalId = "";
        await Eventually.TrueAsync(async () => (proposalId = await ProposalOfAsync(host, "resume-1") ?? "").Length > 0, "the jam is proposed a fix");
        // ... and a standing consent that holds now was in force when it was proposed: the instance that proposed it
        // died before the consent approved it (recorded only, as the policy store does; nothing approved it since).
        var policy = await host.Services.GetRequiredService<ConsentPolicies>().GrantAsync("resume-1", ConsentAction.Maintenance, TimeSpan.FromDays(30), "owner", Ct);
        await AgeAsync(host, proposalId, "created_at_ms");
        Assert.Empty(device.Commands);

        await workflow.ResumeInterruptedAsync(Ct);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the consent approves the fix and its command goes out");
        var command = Assert.Single(device.Commands);
        Assert.Equal((DeviceCommands.ClearPaperPath, policy.Id), (command.Name, command.Consent!.ConsentId));

        // Sent and handed to the broker: another pass sends nothing more.
        await AgeAsync(host, proposalId, "sent_at_ms");
        await workflow.ResumeInterruptedAsync(Ct);
        await RoundTripAsync(device);
        Assert.Single(device.Commands);

        // An instance that committed the approval and died before the broker had the command: sent once, by the next pass.
        await using (var connection = await host.Database.OpenAsync())
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE fix_proposals SET command_published_at_ms = NULL WHERE id = @proposalId;", new { proposalId }));
        await workflow.ResumeInterruptedAsync(Ct);
        await Eventually.TrueAsync(() => device.Commands.Count == 2, "the command that was never sent goes out");
        await workflow.ResumeInterruptedAsync(Ct);
        await RoundTripAsync(device);
        Assert.Equal([command.CommandId, command.CommandId], device.Commands.Select(c => c.CommandId));
    }

    [Theory, BothEngines]
    public async Task A_command_approved_a_moment_ago_is_left_to_the_instance_sending_it(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Fixes:CheckInterval"] = "00:10:00" }, engine: engine);
        var workflow = host.Services.GetRequiredService<FixWorkflow>();
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "resume-2", "RRRR2222");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "RRRR2222");
        await host.Services.GetRequiredService<ConsentPolicies>().GrantAsync("resume-2", ConsentAction.Maintenance, TimeSpan.FromDays(30), "owner", Ct);
        var jam = device.NewEnvelope(@event: new DeviceEvent
        {
            Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Paper jam in tray 1",
        });
        await device.SendAsync(jam);
        await device.WaitForAckAsync(jam.Sequence);
        await Eventually.TrueAsync(() => !device.Commands.IsEmpty, "the consent approves the fix and its command goes out");
        var proposalId = (await ProposalOfAsync(host, "resume-2"))!;

        // Not sent as far as the store knows, but approved just now: a live instance may be sending it this moment.
        await using (var connection = await host.Database.OpenAsync())
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE fix_proposals SET command_published_at_ms = NULL WHERE id = @proposalId;", new { proposalId }));
        await workflow.ResumeInterruptedAsync(Ct);
        await RoundTripAsync(device);
        Assert.Single(device.Commands);
    }

    private static async Task<string?> ProposalOfAsync(CloudHost host, string deviceId)
    {
        await using var connection = await host.Database.OpenAsync();
        return await connection.QueryFirstOrDefaultAsync<string>("SELECT id FROM fix_proposals WHERE device_id = @deviceId;", new { deviceId });
    }

    /// <summary>Puts a step's time a minute back, past <see cref="FixWorkflow.InterruptedAfter"/>.</summary>
    private static async Task AgeAsync(CloudHost host, string proposalId, string column)
    {
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteAsync($"UPDATE fix_proposals SET {column} = {column} - 60000 WHERE id = @proposalId;", new { proposalId }));
    }

    /// <summary>A heartbeat's round trip: a command published before it has reached the device by the time it is acked.</summary>
    private static async Task RoundTripAsync(DeviceClient device)
    {
        var heartbeat = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 });
        await device.SendAsync(heartbeat);
        await device.WaitForAckAsync(heartbeat.Sequence);
    }
}
