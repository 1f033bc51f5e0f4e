using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Updates;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The one place the session APIs build what a reader reads of a session or a message, so a GET and the answer of a
/// POST (a message sent, a hand-over, a session taken, resolved or rated) carry the same reader fields:
/// <see cref="SupportSessionForReader"/> and <see cref="MessageForReader"/> in the request's UI culture (the account's
/// language, else Accept-Language) with the articles published now.
/// </summary>
public sealed class SupportReaderViews(KnowledgeBase knowledge, CannedReplyStore cannedReplies, IOptions<HttpJsonOptions> json)
{
    /// <summary>
    /// The answer to a customer's decision on an update card: the device's place in the rollout exactly as the API has
    /// always answered it (as stored, for programs), with reader fields added beside it:
    /// <c>detailForReader</c> (<see cref="RolloutNotes.ReadDetail"/>) and <c>failureForReader</c>
    /// (<see cref="UpdateExplanations.FailureName"/>), in the request's UI culture.
    /// </summary>
    public JsonObject UpdateDecision(RolloutDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var answer = JsonSerializer.SerializeToNode(device, json.Value.SerializerOptions)!.AsObject();
        answer["detailForReader"] = RolloutNotes.ReadDetail(device.Detail, device.DeviceDetail);
        answer["failureForReader"] = UpdateExplanations.FailureName(device.Failure);
        return answer;
    }

    public SupportSessionForReader Session(SupportSession session) => SupportSessionForReader.Of(session, knowledge.Index);

    public IReadOnlyList<SupportSessionForReader> Sessions(IEnumerable<SupportSession> sessions) => SupportSessionForReader.Of(sessions, knowledge.Index);

    public async Task<MessageForReader> MessageAsync(SupportMessage message, ClaimsPrincipal reader, CancellationToken cancellationToken) =>
        (await MessagesAsync([message], reader, cancellationToken))[0];

    /// <summary>
    /// Each of <paramref name="messages"/> for <paramref name="reader"/>, in order. An agent's lines are recognised by the
    /// canned replies they were written from, so those are read once for the lot, and only when an agent wrote one.
    /// </summary>
    public async Task<IReadOnlyList<MessageForReader>> MessagesAsync(IReadOnlyList<SupportMessage> messages, ClaimsPrincipal reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(reader);
        IReadOnlyList<CannedReply> canned = messages.Any(m => m.AuthorKind == AuthorKind.Agent) ? await cannedReplies.CannedRepliesAsync(cancellationToken) : [];
        var forStaff = reader.IsStaff();
        var culture = CultureInfo.CurrentUICulture;
        var articles = knowledge.Index;
        return [.. messages.Select(m => MessageForReader.Of(m, forStaff, culture, canned, articles))];
    }
}
