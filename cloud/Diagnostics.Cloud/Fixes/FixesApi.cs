using System.Globalization;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// What a customer or an agent sees of a proposal: the problem, the article, exactly what the device will do, and where
/// it stands. <see cref="Note"/> is the note as stored, English for every reader (what scripts and the audit trail
/// match); <see cref="NoteForReader"/> is the same note in the reader's language. Likewise <see cref="ArticleTitle"/> is
/// the title the proposal was made with and <see cref="ArticleTitleForReader"/> the title of the article's translation
/// for the reader (<see cref="ArticleWording"/>), the English title with <see cref="ArticleTitleIsFallback"/> set when
/// the article has none. <see cref="Reasons"/> (staff only) are stored English; <see cref="ReasonsForReader"/> the same
/// reasons in the reader's language, and the preview's <see cref="FixPreview.DescribeForReader"/> what the device will do
/// in the words of the article's translation.
/// </summary>
public sealed record FixView(
    string Id,
    string DeviceId,
    string Code,
    string Condition,
    string Problem,
    string Advice,
    Severity Severity,
    int Attempt,
    string? ArticleId,
    int? ArticleVersion,
    string? ArticleTitle,
    FixPreview? Preview,
    FixState State,
    string Note,
    bool CanApprove,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    CommandOutcome? ResultOutcome,
    string? ResultDetail,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<string>? Reasons)
{
    /// <summary>The note in the language of whoever reads it now (the request's or the page's UI culture).</summary>
    public string NoteForReader => FixNotes.Read(Note);

    /// <summary>Why the article was chosen or who asked, in the reader's language (<see cref="ProposalTexts.ReadReason"/>); null where <see cref="Reasons"/> is (customers).</summary>
    public IReadOnlyList<string>? ReasonsForReader => Reasons?.Select(ProposalTexts.ReadReason).ToList();

    /// <summary>The article's title in the reader's language; null when the proposal came from no article.</summary>
    public string? ArticleTitleForReader { get; init; }

    /// <summary>The article has no translation for the reader: <see cref="ArticleTitleForReader"/> is its English title.</summary>
    public bool ArticleTitleIsFallback { get; init; }

    /// <summary>
    /// Advice has no command that could close it, so it stays "advice" for ever: when the device no longer reports its
    /// code or condition (<paramref name="activeProblems"/>: the codes and condition names active now), the problem it was
    /// about has cleared, and every page shows it as such.
    /// </summary>
    public bool IsClearedAdvice(IReadOnlySet<string> activeProblems)
    {
        ArgumentNullException.ThrowIfNull(activeProblems);
        return State == FixState.Advice && !activeProblems.Contains(Code) && !(Condition.Length > 0 && activeProblems.Contains(Condition));
    }

    /// <summary>The proposal as one reader reads it now: the request's or the page's UI culture, the articles of <paramref name="articles"/>.</summary>
    public static FixView Of(FixProposal p, bool forStaff, ArticleIndex articles)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(articles);
        var title = p.ArticleTitle is null ? null : ProposalTexts.Wording(articles, p.ArticleId, p.ArticleTitle, p.Describe, CultureInfo.CurrentUICulture);
        var words = p.Code == FixWorkflow.DiagnosticsRequestCode
            ? PlainLanguage.DiagnosticsRequest()
            : FixWorkflow.IsSupportRequest(p.Code)
                ? PlainLanguage.SupportSuggestion(title?.Title)
                : PlainLanguage.Describe(p.Condition, p.Code, p.Message);
        return new FixView(
            p.Id, p.DeviceId, p.Code, p.Condition, words.Title, words.Advice, p.Severity, p.Attempt, p.ArticleId, p.ArticleVersion, p.ArticleTitle,
            p.Command is null ? null : new FixPreview(p.Command, p.Action!.Value, p.Parameters, p.Describe ?? "", p.VerifyClears, p.VerifyWithin)
            {
                DescribeForReader = title?.Describe ?? p.Describe ?? "",
            },
            p.State, p.Note, p.State == FixState.Proposed, p.CreatedAt, p.ExpiresAt, p.DecidedAt,
            forStaff ? p.DecidedBy : null, p.ResultOutcome, p.ResultDetail, p.FinishedAt, forStaff ? p.Reasons : null)
        {
            ArticleTitleForReader = title?.Title,
            ArticleTitleIsFallback = title?.IsFallback ?? false,
        };
    }
}

/// <summary>
/// Exactly what approving will do: the command, its parameters, the consent it needs, and how success is checked.
/// <see cref="Describe"/> is the article's text the proposal was made with; <see cref="DescribeForReader"/> the same from
/// the article's translation for the reader (English, with <see cref="FixView.ArticleTitleIsFallback"/>, when it has none).
/// </summary>
public sealed record FixPreview(string Command, ConsentAction Action, IReadOnlyDictionary<string, string> Parameters, string Describe, string? VerifyClears, TimeSpan? VerifyWithin)
{
    public string DescribeForReader { get; init; } = "";
}

public sealed record GrantPolicyRequest(string? Action, int? Days);

/// <summary>
/// Fixes for customers (<c>/api/me/fixes</c>: their devices' proposals; approve, decline; standing consents per device)
/// and for staff (<c>/api/fixes</c>, a device's audit trail, and checking the whole trail's hash chain).
/// </summary>
public static class FixesApi
{
    private const int MaxList = 200;

    public static IEndpointRouteBuilder MapFixesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = app.MapGroup("/api/me").WithTags("Fixes").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/fixes", MyFixes).ProducesProblem(StatusCodes.Status400BadRequest);
        mine.MapGet("/fixes/{proposalId}", MyFix).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPost("/fixes/{proposalId}/approve", Approve).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapPost("/fixes/{proposalId}/decline", Decline).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapGet("/devices/{deviceId}/consents", Policies).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPost("/devices/{deviceId}/consents", GrantPolicy).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        mine.MapDelete("/devices/{deviceId}/consents/{policyId}", RevokePolicy).ProducesProblem(StatusCodes.Status404NotFound);

        var staff = app.MapGroup("/api").WithTags("Fixes").RequireAuthorization(Roles.StaffPolicy);
        staff.MapGet("/fixes", AllFixes).ProducesProblem(StatusCodes.Status400BadRequest);
        staff.MapGet("/fixes/{proposalId}", AnyFix).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/devices/{deviceId}/audit", DeviceAudit);
        staff.MapGet("/audit/verify", VerifyAudit).RequireAuthorization(Roles.SupervisorPolicy);
        return app;
    }

    public static async Task<Results<Ok<List<FixView>>, ProblemHttpResult>> MyFixes(HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken, string? state = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        if (!TryStates(state, out var states))
            return TypedResults.Problem(BadState());
        return TypedResults.Ok((await fixes.ListAsync(http.User, states, MaxList, cancellationToken)).ToList());
    }

    public static async Task<Results<Ok<FixView>, ProblemHttpResult>> MyFix(string proposalId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.GetAsync(http.User, proposalId, cancellationToken) is { } proposal
            ? TypedResults.Ok(proposal)
            : TypedResults.Problem(UnknownFix(proposalId));
    }

    public static Task<Results<Ok<FixView>, ProblemHttpResult>> Approve(string proposalId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken) =>
        DecideAsync(proposalId, approve: true, http, fixes, cancellationToken);

    public static Task<Results<Ok<FixView>, ProblemHttpResult>> Decline(string proposalId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken) =>
        DecideAsync(proposalId, approve: false, http, fixes, cancellationToken);

    public static async Task<Results<Ok<List<ConsentPolicy>>, ProblemHttpResult>> Policies(string deviceId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.PoliciesAsync(http.User, deviceId, cancellationToken) is { } policies
            ? TypedResults.Ok(policies.ToList())
            : TypedResults.Problem(UnknownDevice(deviceId));
    }

    public static async Task<Results<Created<ConsentPolicy>, ProblemHttpResult>> GrantPolicy(
        string deviceId, GrantPolicyRequest request, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        // A number is not a name of an action (Enum.TryParse would take "2"); the service checks the range.
        var action = Enum.TryParse<ConsentAction>(request.Action, ignoreCase: true, out var parsed) && !int.TryParse(request.Action, out _) ? parsed : ConsentAction.Unspecified;
        var (policy, error) = await fixes.GrantPolicyAsync(http.User, deviceId, action, request.Days ?? 0, cancellationToken);
        return error switch
        {
            GrantError.None => TypedResults.Created($"/api/me/devices/{deviceId}/consents/{policy!.Id}", policy),
            GrantError.UnknownDevice => TypedResults.Problem(UnknownDevice(deviceId)),
            _ => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidConsent", fixes.MaxPolicyDays)),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokePolicy(string deviceId, string policyId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        if (!await fixes.RevokePolicyAsync(http.User, deviceId, policyId, cancellationToken))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownConsent", deviceId, policyId));
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<List<FixView>>, ProblemHttpResult>> AllFixes(
        HttpContext http, StaffFixes fixes, CancellationToken cancellationToken, string? state = null, string? deviceId = null, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        if (!TryStates(state, out var states))
            return TypedResults.Problem(BadState());
        if (limit is < 1 or > MaxList)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidLimit", MaxList));
        return TypedResults.Ok((await fixes.ListAsync(http.User, deviceId is null ? null : [deviceId], states, limit, cancellationToken)).ToList());
    }

    public static async Task<Results<Ok<FixView>, ProblemHttpResult>> AnyFix(string proposalId, HttpContext http, StaffFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.GetAsync(http.User, proposalId, cancellationToken) is { } proposal
            ? TypedResults.Ok(proposal)
            : TypedResults.Problem(UnknownFix(proposalId));
    }

    public static async Task<Ok<IReadOnlyList<AuditRecord>>> DeviceAudit(string deviceId, IAuditLog audit, CancellationToken cancellationToken, int limit = 200)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return TypedResults.Ok(await audit.ReadAsync(deviceId, subject: null, Math.Clamp(limit, 1, 1000), cancellationToken));
    }

    public static async Task<Ok<AuditVerification>> VerifyAudit(IAuditLog audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return TypedResults.Ok(await audit.VerifyAsync(cancellationToken));
    }

    private static async Task<Results<Ok<FixView>, ProblemHttpResult>> DecideAsync(
        string proposalId, bool approve, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        var (proposal, error) = await fixes.DecideAsync(http.User, proposalId, approve, cancellationToken);
        return error switch
        {
            FixDecisionError.None => TypedResults.Ok(proposal!),
            // Deciding again is answered with where the fix stands (so a double tap sends one command), as a conflict.
            FixDecisionError.NotOpen => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "FixAlreadyDecided", proposalId, proposal!.State.ToStorage())),
            FixDecisionError.NothingToApprove => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "NothingToApprove", proposalId)),
            _ => TypedResults.Problem(UnknownFix(proposalId)),
        };
    }

    private static bool TryStates(string? text, out IReadOnlyCollection<FixState>? states)
    {
        states = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        if (text == "open")
        {
            states = [FixState.Proposed, FixState.Sent, FixState.Verifying];
            return true;
        }
        var parsed = new List<FixState>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<FixState>(part, ignoreCase: true, out var state) || int.TryParse(part, out _))
                return false;
            parsed.Add(state);
        }
        states = parsed;
        return true;
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails BadState() => ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidFixState",
        string.Join(", ", Enum.GetValues<FixState>().Select(s => s.ToStorage())));

    private static Microsoft.AspNetCore.Mvc.ProblemDetails UnknownFix(string proposalId) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownFix", proposalId);

    private static Microsoft.AspNetCore.Mvc.ProblemDetails UnknownDevice(string deviceId) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "NotYourDevice", deviceId);
}
