using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Knowledge;

public sealed record PhraseRequest(string? Text, string? Language, string? SessionId);

/// <summary>
/// Training phrases for staff (<c>/api/kb</c>): anyone on staff proposes a customer's words for an article (from a
/// question the assistant could not answer, with its session); supervisors accept or reject proposals, and accepted
/// phrases take part in search at once.
/// </summary>
public static class TrainingPhraseApi
{
    private const int MaxList = 500;

    public static IEndpointRouteBuilder MapTrainingPhraseApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var kb = app.MapGroup("/api/kb").WithTags("Knowledge base").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        kb.MapGet("/phrases", List);
        kb.MapPost("/articles/{articleId}/phrases", Propose);
        kb.MapPost("/phrases/{phraseId}/{decision:regex(^(accept|reject)$)}", Decide).RequireAuthorization(Roles.SupervisorPolicy)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<TrainingPhrase>>, ProblemHttpResult>> List(
        TrainingPhrases phrases, CancellationToken cancellationToken, string? state = null, string? articleId = null, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        PhraseState? wanted = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<PhraseState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
                return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidPhraseState"));
            wanted = parsed;
        }
        if (limit is < 1 or > MaxList)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidLimit", MaxList));
        return TypedResults.Ok(await phrases.ListAsync(wanted, articleId, limit, cancellationToken));
    }

    public static async Task<Results<Created<TrainingPhrase>, ProblemHttpResult>> Propose(
        string articleId, PhraseRequest request, HttpContext http, TrainingPhrases phrases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(phrases);
        var source = string.IsNullOrWhiteSpace(request.SessionId) ? PhraseSource.Staff : PhraseSource.Unanswered;
        var proposal = await phrases.ProposeAsync(articleId, request.Text, request.Language, source, request.SessionId?.Trim() is { Length: > 0 } s ? s : null,
            http.User.Signature(), cancellationToken);
        if (proposal.Phrase is not { } phrase)
        {
            return TypedResults.Problem(ApiProblems.Explained(proposal.UnknownArticle ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                proposal.UnknownArticle ? "ProposedForUnknownArticle" : "InvalidPhrase", proposal.Error));
        }
        return TypedResults.Created($"/api/kb/phrases?articleId={Uri.EscapeDataString(articleId)}", phrase);
    }

    public static async Task<Results<Ok<TrainingPhrase>, ProblemHttpResult>> Decide(
        string phraseId, string decision, HttpContext http, TrainingPhrases phrases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(phrases);
        var (phrase, decided) = await phrases.DecideAsync(http.User, phraseId, decision == "accept", cancellationToken);
        if (phrase is null)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownPhrase", phraseId));
        return decided ? TypedResults.Ok(phrase)
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "PhraseAlreadyDecided", phraseId, StorageEnum(phrase.State)));
    }

    private static string StorageEnum(PhraseState state) => Storage.StorageMapping.ToStorage(state);
}
