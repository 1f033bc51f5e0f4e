using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Replies agents keep for what they write often, for the API and the pages alike: staff read and add them (checked
/// when added), supervisors remove them; filled in for a session when used. Anyone else reads none and changes none.
/// </summary>
public sealed class CannedReplyService(CannedReplyStore cannedReplyStore, IOptions<SupportOptions> options, TimeProvider time)
{
    private SupportOptions Settings => options.Value;

    /// <summary>Every reply, by title; none for anyone not on staff.</summary>
    public async Task<IReadOnlyList<CannedReply>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        user.IsStaff() ? await cannedReplyStore.CannedRepliesAsync(cancellationToken) : [];

    /// <summary>One reply by its id; null when there is none (or the reader is not staff).</summary>
    public async Task<CannedReply?> FindAsync(ClaimsPrincipal user, string replyId, CancellationToken cancellationToken) =>
        (await ListAsync(user, cancellationToken)).FirstOrDefault(r => r.Id == replyId);

    public async Task<SupportResult<CannedReply>> AddCannedReplyAsync(ClaimsPrincipal user, string? title, string? body, CancellationToken cancellationToken,
        string? language = null)
    {
        if (!user.IsStaff())
            return SupportResult<CannedReply>.Fail(SupportError.NotAllowed, SupportExplanations.Text("StaffKeepReplies"));
        if (string.IsNullOrWhiteSpace(title) || title.Length > 100)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, SupportExplanations.Text("TitleLength"));
        if (string.IsNullOrWhiteSpace(body) || body.Length > Settings.MaxTextLength)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, SupportExplanations.Text("ReplyLength", Settings.MaxTextLength));
        var written = string.IsNullOrWhiteSpace(language) ? ArticleLanguages.Original : language.Trim();
        if (ArticleLanguages.Culture(written) is null)
            return SupportResult<CannedReply>.Fail(SupportError.Invalid, SupportExplanations.Text("NotALanguage", written));
        var reply = new CannedReply($"cr-{Guid.NewGuid():N}", title.Trim(), body.Trim(), SessionActor.Of(user).Name, time.GetUtcNow(), written);
        await cannedReplyStore.AddCannedReplyAsync(reply, cancellationToken);
        return SupportResult<CannedReply>.Done(reply);
    }

    /// <summary>A supervisor removes a reply.</summary>
    public async Task<SupportResult<string>> DeleteAsync(ClaimsPrincipal user, string replyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsSupervisor())
            return SupportResult<string>.Fail(SupportError.NotAllowed, SupportExplanations.Text("SupervisorsRemoveReplies"));
        return await cannedReplyStore.DeleteCannedReplyAsync(replyId, cancellationToken)
            ? SupportResult<string>.Done(replyId)
            : SupportResult<string>.Fail(SupportError.NotFound, SupportExplanations.Text("NoCannedReply", replyId));
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
