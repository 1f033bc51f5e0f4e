using System.Globalization;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// The knowledge base for staff (<c>/api/kb</c>): articles and their versions, drafts (agents and up), publishing and
/// import (supervisors and admins), matching a device problem and searching free text.
/// </summary>
public static class KnowledgeApi
{
    private const int MaxResults = 20;
    private const int MaxImportArticles = 500;

    public static IEndpointRouteBuilder MapKnowledgeApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var kb = app.MapGroup("/api/kb").WithTags("Knowledge base").RequireAuthorization(Roles.StaffPolicy);
        kb.MapGet("/articles", ListArticles);
        kb.MapGet("/articles/{articleId}", GetArticle).ProducesProblem(StatusCodes.Status404NotFound);
        kb.MapGet("/articles/{articleId}/history", GetHistory).ProducesProblem(StatusCodes.Status404NotFound);
        kb.MapPut("/articles/{articleId}/draft", SaveDraft).ProducesValidationProblem().ProducesProblem(StatusCodes.Status400BadRequest);
        kb.MapPost("/articles/{articleId}/publish", Publish).RequireAuthorization(Roles.SupervisorPolicy).ProducesProblem(StatusCodes.Status404NotFound);
        kb.MapPost("/import", Import).RequireAuthorization(Roles.SupervisorPolicy).ProducesProblem(StatusCodes.Status400BadRequest);
        kb.MapGet("/match", Match).ProducesProblem(StatusCodes.Status400BadRequest);
        kb.MapGet("/search", Search).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ArticleListItem>>> ListArticles(KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        var items = await knowledge.ListAsync(cancellationToken);
        var index = knowledge.Index;
        return TypedResults.Ok<IReadOnlyList<ArticleListItem>>([.. items.Select(item => ArticleReading.Of(item, index, CultureInfo.CurrentUICulture))]);
    }

    /// <summary>
    /// The published version, or <paramref name="version"/>; a draft-only article answers with its draft. The article's
    /// own texts as stored, and <c>forReader</c> beside them in the reader's language (account preference, then Accept-Language).
    /// </summary>
    public static async Task<Results<Ok<ArticleView>, ProblemHttpResult>> GetArticle(
        string articleId, KnowledgeBase knowledge, CancellationToken cancellationToken, int? version = null)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        return await knowledge.ViewAsync(articleId, version, cancellationToken) is { } view
            ? TypedResults.Ok(view with { ForReader = ArticleReading.Of(view, knowledge.Index, CultureInfo.CurrentUICulture) })
            : NotFound(articleId, version);
    }

    public static async Task<Results<Ok<IReadOnlyList<ArticleVersionView>>, ProblemHttpResult>> GetHistory(string articleId, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        return await knowledge.HistoryAsync(articleId, cancellationToken) is { } history ? TypedResults.Ok(history) : NotFound(articleId, null);
    }

    public static async Task<Results<Ok<DraftSaved>, ValidationProblem, ProblemHttpResult>> SaveDraft(
        string articleId, DraftRequest request, HttpContext http, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(knowledge);
        if (!ArticleFormat.IsValidId(articleId))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidArticleId"));
        var result = await knowledge.SaveDraftAsync(articleId, request.Markdown ?? "", Author(http), cancellationToken);
        if (result.Version is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["markdown"] = [.. result.ErrorsForReader] }, title: ApiProblems.Title("ArticleNotValid"));
        return TypedResults.Ok(new DraftSaved(articleId, result.Version.Value));
    }

    public static async Task<Results<Ok<Published>, ProblemHttpResult>> Publish(string articleId, HttpContext http, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(knowledge);
        var version = await knowledge.PublishAsync(articleId, Author(http), cancellationToken);
        return version is null
            ? TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoDraft", articleId))
            : TypedResults.Ok(new Published(articleId, version.Value));
    }

    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(ImportRequest request, HttpContext http, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(knowledge);
        if (request.Articles is not { Count: > 0 and <= MaxImportArticles } articles)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "NothingToImport", MaxImportArticles));
        return TypedResults.Ok(await knowledge.ImportAsync(articles, "import:" + Author(http), cancellationToken));
    }

    public static Results<Ok<List<MatchView>>, ProblemHttpResult> Match(
        KnowledgeBase knowledge, string? code = null, string? condition = null, string? model = null, string? firmware = null, int limit = 5)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        if (string.IsNullOrWhiteSpace(code) && string.IsNullOrWhiteSpace(condition))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "NothingToMatch"));
        if (limit is < 1 or > MaxResults)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidLimit", MaxResults));
        var index = knowledge.Index;
        var matches = index.Match(new ProblemQuery(code?.Trim(), condition?.Trim(), model, firmware), limit);
        return TypedResults.Ok(matches.Select(match => MatchView.Of(match, index, CultureInfo.CurrentUICulture)).ToList());
    }

    public static async Task<Results<Ok<List<MatchView>>, ProblemHttpResult>> Search(
        KnowledgeBase knowledge, IDeviceStore devices, CancellationToken cancellationToken, string? q = null, string? deviceId = null, int limit = 5)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(devices);
        if (string.IsNullOrWhiteSpace(q) || q.Length > 1000)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "NothingToSearch"));
        if (limit is < 1 or > MaxResults)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidLimit", MaxResults));
        DeviceContext? context = null;
        if (!string.IsNullOrEmpty(deviceId))
        {
            if (await devices.GetAsync(deviceId, cancellationToken) is not { } device)
                return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownDevice", deviceId));
            context = ContextOf(device);
        }
        // Searched in the language of the question's script, else the one the person reads the app in (request culture);
        // the articles found are worded in the reader's language either way.
        var index = knowledge.Index;
        var reader = CultureInfo.CurrentUICulture;
        return TypedResults.Ok(index.Search(q, context, limit, WrittenLanguage.Detect(q, reader)).Select(match => MatchView.Of(match, index, reader)).ToList());
    }

    /// <summary>What matching needs to know about a device: model, firmware and active problems.</summary>
    public static DeviceContext ContextOf(DeviceDetails device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new DeviceContext(device.Model, device.Firmware, [.. device.ActiveConditions.Select(c => new DeviceProblem(c.Code, c.Condition, c.Severity))]);
    }

    private static string Author(HttpContext http) => http.User.Signature();

    private static ProblemHttpResult NotFound(string articleId, int? version) => TypedResults.Problem(version is null
        ? ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownArticle", articleId)
        : ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownArticleVersion", articleId, version));
}
