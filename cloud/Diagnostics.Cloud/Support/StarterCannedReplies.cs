using System.Globalization;
using System.Resources;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Gives a new installation the canned replies agents need from the first day, in every language the apps speak
/// (Resources/Support/StarterCannedReplies{,.zh-Hans,.ja}.resx: "{Topic}.Title" and "{Topic}.Body"). A language
/// gets them once, when it has no reply at all: supervisors who deleted them and wrote their own keep theirs, and a
/// language added later (a new resource file) gets its replies at the next start.
/// </summary>
public sealed class StarterCannedReplies(CannedReplyStore cannedReplyStore, SupportedCultures supported, TimeProvider time) : IHostedService
{
    /// <summary>The topics of the starter replies, in the order an agent uses them.</summary>
    public static readonly IReadOnlyList<string> Topics = ["Greeting", "LookingIntoIt", "ApproveFix", "SendPhoto", "AnythingElse", "Closing"];

    /// <summary>The English titles the starter replies had before they carried a topic (for the migration that adds it).</summary>
    public static readonly IReadOnlyList<(string Topic, string Title)> EnglishTitlesBefore =
    [
        ("Greeting", "Greeting"), ("LookingIntoIt", "Looking into it"), ("ApproveFix", "Approve the fix"), ("SendPhoto", "Send a photo"),
        ("AnythingElse", "Anything else?"), ("Closing", "Closing"),
    ];

    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Support.StarterCannedReplies", typeof(StarterCannedReplies).Assembly);

    /// <summary>The starter replies of one language: (topic, title, body); English where a text has no translation.</summary>
    public static IReadOnlyList<(string Topic, string Title, string Body)> In(CultureInfo language) =>
        [.. Topics.Select(topic => (topic, Texts.GetString(topic + ".Title", language) ?? topic, Texts.GetString(topic + ".Body", language) ?? ""))];

    /// <summary>
    /// The title an agent picks a reply by, in the agent's language: a starter reply is known by its topic, so a Chinese
    /// agent reads "问候" above the English greeting they send to an English customer; a reply staff wrote keeps its title.
    /// </summary>
    public static string TitleFor(CannedReply reply, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return IsStarterTopic(reply.Topic) ? Texts.GetString(reply.Topic + ".Title", reader) ?? reply.Title : reply.Title;
    }

    /// <summary>Whether <paramref name="topic"/> is one of the starter replies', whose titles every language has.</summary>
    public static bool IsStarterTopic(string? topic) => topic is not null && Topics.Contains(topic, StringComparer.Ordinal);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var existing = await cannedReplyStore.CannedRepliesAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var language in supported.Cultures)
        {
            if (existing.Any(r => string.Equals(r.Language, language.Name, StringComparison.OrdinalIgnoreCase)))
                continue;
            foreach (var (topic, title, body) in In(language))
                await cannedReplyStore.AddCannedReplyAsync(new CannedReply($"cr-{Guid.NewGuid():N}", title, body, "Diagnostics", now, language.Name, topic), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
