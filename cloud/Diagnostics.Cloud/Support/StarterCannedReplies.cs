namespace Diagnostics.Cloud.Support;

/// <summary>
/// Gives a new installation a few canned replies agents need from the first day; once there are any (or supervisors
/// deleted these and wrote their own), nothing is added again.
/// </summary>
public sealed class StarterCannedReplies(CannedReplyStore cannedReplyStore, TimeProvider time) : IHostedService
{
    public static readonly IReadOnlyList<(string Title, string Body)> Replies =
    [
        ("Greeting", "Hello {customer}, this is {agent} from support. I can see {device} and what it reports; let's sort this out together."),
        ("Looking into it", "Thanks, {customer}. I'm checking the printer's recent events now; this takes a minute or two."),
        ("Approve the fix", "I've sent a fix card above. Tap Approve and the printer does it by itself; I'll see the result here at once."),
        ("Send a photo", "Could you send a photo of the printer's display (or of where the paper is stuck)? Tap Photo below the message box."),
        ("Anything else?", "The printer reports no problem any more. Is there anything else I can help with, {customer}?"),
        ("Closing", "I'm closing this conversation now. The solution stays here in the app for you. Thank you, {customer}!"),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if ((await cannedReplyStore.CannedRepliesAsync(cancellationToken)).Count > 0)
            return;
        var now = time.GetUtcNow();
        foreach (var (title, body) in Replies)
            await cannedReplyStore.AddCannedReplyAsync(new CannedReply($"cr-{Guid.NewGuid():N}", title, body, "Diagnostics", now), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
