using Diagnostics.Cloud.Knowledge;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>Replies agents keep for what they write often: checked when added, filled in for a session when used.</summary>
public sealed class CannedReplyService(CannedReplyStore cannedReplyStore, IOptions<SupportOptions> options, TimeProvider time)
{
    private SupportOptions Settings => options.Value;

    public async Task<SupportResult<CannedReply>> AddCannedReplyAsync(SessionActor author, string? title, string? body, CancellationToken cancellationToken,
        string? language = null)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (string.IsNullOrWhiteSpace(title) || title.Length > 100)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, "a title has 1 to 100 characters");
        if (string.IsNullOrWhiteSpace(body) || body.Length > Settings.MaxTextLength)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, $"a reply has 1 to {Settings.MaxTextLength} characters");
        var written = string.IsNullOrWhiteSpace(language) ? ArticleLanguages.Original : language.Trim();
        if (ArticleLanguages.Culture(written) is null)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, $"\"{written}\" is not a language name such as en, zh-Hans or ja");
        var reply = new CannedReply($"cr-{Guid.NewGuid():N}", title.Trim(), body.Trim(), author.Name, time.GetUtcNow(), written);
        await cannedReplyStore.AddCannedReplyAsync(reply, cancellationToken);
        return SupportResult<CannedReply>.Done(reply);
    }

    /// <summary>A canned reply with its placeholders filled in for a session: {customer}, {agent}, {device}.</summary>
    public static string Fill(CannedReply reply, SupportSession session, string agentName)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(session);
        var firstName = session.CustomerName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? session.CustomerName;
        return reply.Body.Replace("{customer}", firstName, StringComparison.Ordinal).Replace("{agent}", agentName, StringComparison.Ordinal)
            .Replace("{device}", session.DeviceId ?? "your device", StringComparison.Ordinal);
    }
}
