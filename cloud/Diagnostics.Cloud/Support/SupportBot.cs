using System.Globalization;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Microsoft.Extensions.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>What the bot does with a customer's turn: what it says, and whether it hands over or the problem is solved.</summary>
public sealed record BotTurn(IReadOnlyList<NewMessage> Messages, string? HandoverReason, SolutionCard? Solved)
{
    public static BotTurn Handover(string reason) => new([], reason, null);
}

/// <summary>What the assistant says when a fix ended, the article's title and how the problem cleared, in the customer's language.</summary>
public sealed record FixEnding(string Line, string Title, string Cleared);

/// <summary>
/// What the bot already did in a session: the articles it showed, whether it asked for more detail, and the language
/// the customer wrote in so far (null before they wrote anything that shows it).
/// </summary>
public sealed record BotMemory(IReadOnlyList<ArticleCard> Offered, bool AskedForDetail, CultureInfo? Language = null);

/// <summary>
/// The first to answer: it reads the device's active problems and the customer's words, picks the knowledge-base
/// article it is sure of (one about a problem the device reports now, or one whose code the customer typed), shows its
/// steps, and offers the article's automated fix as a card the customer approves in the chat. It hands over to a
/// person when asked, when it is not sure, when its steps did not help, and when the fix already failed on the device.
/// It answers in the language the customer writes in (<see cref="LanguageOf"/>): it searches that language's text of
/// the articles, shows the article's translation, or the English article with a line saying it is English, and speaks
/// from its resource files (Resources/Support/SupportBot.*.resx). Hand-over reasons are for agents: stored in English,
/// each agent reads them in their language (<see cref="SupportStaffText"/>).
/// </summary>
public sealed partial class SupportBot(KnowledgeBase knowledge, SqliteFixStore fixes, SupportProposals supportProposals, TimeProvider time, IStringLocalizer<SupportBot> texts)
{
    public const string Id = "bot";
    public const string Name = "Diagnostics assistant";

    /// <summary>Hand-over reasons (stored in English, <see cref="SupportStaffText"/>) that mean the assistant could not answer the customer's words.</summary>
    public static readonly string NotSureReason = SupportStaffText.Write("Handover.NotSure");
    public static readonly string NoArticleReason = SupportStaffText.Write("Handover.NoArticle");
    public static readonly string StepsDidNotHelpPrefix = SupportStaffText.Prefix("Handover.StepsDidNotHelp");

    // A request, not a mention: "someone paused the printer" or "the agent on the printer" describe the problem, so a
    // word like someone or agent only counts after talk to, get me, can ... help and the like.
    [GeneratedRegex(@"\b(?:(?:talk|speak|chat|connect me|put me through)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s+|the\s+|your\s+)?(?:real\s+|live\s+)?(?:person|human|agent|someone|somebody|people|representative|technician|support|staff)"
        + @"|(?:need|want|get me|give me|ask for|request)\s+(?:to\s+talk\s+to\s+)?(?:a\s+|an\s+)?(?:real\s+|live\s+)?(?:person|human|agent|representative|technician|someone|somebody)"
        + @"|(?:can|could|will)\s+(?:someone|somebody|a\s+person|a\s+human|an\s+agent)\s+(?:please\s+)?(?:help|call|contact|look)"
        + @"|real\s+(?:person|human|people)|human\s+(?:being|please)|representative|call\s+me(?:\s+back)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AsksForPerson();

    // Chinese and Japanese requests for a person: 人工/转人工/真人客服, 担当者/オペレーター/人と話したい.
    [GeneratedRegex(@"转人工|人工客服|人工服务|找人工|真人|联系客服|客服人员|オペレーター|担当者|人と話|人に代わ|スタッフと話", RegexOptions.CultureInvariant)]
    private static partial Regex AsksForPersonInCjk();

    [GeneratedRegex(@"\b(solved|fixed|resolved|works now|working now|that worked|it works|all good|prints again|printing again)\b|解决|好了|可以了|能打印了|修好了|解決|直りました|直った|治った|印刷できました|印刷できた", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SaysSolved();

    [GeneratedRegex(@"\b(not|isn't|isnt|doesn't|doesnt|didn't|didnt|still|no longer)\b|没|不|还是|まだ|ない|ません", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Negation();

    /// <summary>
    /// Whether the customer's words say the steps worked, in any of the bot's languages, including the words of the
    /// "Solved" quick reply typed rather than tapped (已解决, 解決).
    /// </summary>
    public static bool SaysItIsSolved(string? text) => text is not null && SaysSolved().IsMatch(text) && !Negation().IsMatch(text);

    /// <summary>Whether the customer's words ask for a person.</summary>
    public static bool WantsPerson(string? text) => text is not null && (AsksForPerson().IsMatch(text) || AsksForPersonInCjk().IsMatch(text));

    /// <summary>
    /// The language to answer in: the script of these words when it tells (kana, Han, Hangul), else the language the
    /// customer wrote in earlier in the session, else the language they use the app in (the request's culture).
    /// </summary>
    public static CultureInfo LanguageOf(string? words, BotMemory memory, CultureInfo appCulture)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(appCulture);
        var writer = memory.Language ?? appCulture;
        return WrittenLanguage.Detect(words, writer);
    }

    public async Task<BotTurn> AnswerAsync(DeviceDetails? device, string? text, BotMemory memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var words = text?.Trim() ?? "";
        var language = LanguageOf(words, memory, CultureInfo.CurrentUICulture);
        if (WantsPerson(words))
            return BotTurn.Handover(SupportStaffText.Write("Handover.AskedForPerson"));
        if (memory.Offered is [.., var last] && SaysItIsSolved(words))
            return new BotTurn([Say(Text("GladItWorks", language))], null, SolutionOf(last, Text("FollowedSteps", language)));

        var context = device is null ? null : new DeviceContext(device.Model, device.Firmware,
            [.. device.ActiveConditions.Select(c => new DeviceProblem(c.Code, c.Condition, c.Severity))]);
        var offeredIds = memory.Offered.Select(o => o.ArticleId).ToHashSet(StringComparer.Ordinal);
        // The device's problems decide the first answer only: once its steps were shown, the customer writing again
        // means they were not it, and only a code they type is still a reason to be sure.
        var pick = Candidates(words, context, language).FirstOrDefault(m => !offeredIds.Contains(m.Article.Id)
            && (NamesItsCode(m.Article, words) || (memory.Offered.Count == 0 && AboutTheDevice(m.Article, context))));
        if (pick is null)
        {
            if (memory.Offered.Count > 0)
                // Stored for staff in English, the title too (the card shown carries the customer's language's title).
                return BotTurn.Handover(SupportStaffText.Write("Handover.StepsDidNotHelp", OriginalTitle(memory.Offered[^1].ArticleId) ?? memory.Offered[^1].Title));
            if (!memory.AskedForDetail && (context is null || context.Problems.Count == 0))
                return new BotTurn([Say(Text("AskForDetail", language))], null, null);
            return BotTurn.Handover(words.Length == 0 ? NoArticleReason : NotSureReason);
        }

        var article = pick.Article;
        if (device is not null && article.Remediation is not null && await FailedRecentlyAsync(device.DeviceId, article.Id, cancellationToken) is { } failed)
            return BotTurn.Handover(SupportStaffText.Write("Handover.FixFailed", article.Title, failed.Note));

        var shown = knowledge.Index.Localize(article, language);
        var messages = new List<NewMessage> { Say(memory.Offered.Count == 0 ? IntroFor(pick, shown.Article, context, language) : Text("TrySomethingElse", language)) };
        if (shown.IsFallback)
            messages.Add(Say(Text("EnglishFallback", language)));
        messages.Add(Card(MessageKind.Article, SupportCardText.Write(ArticleCard.Of(shown, pick.Version))));
        if (device is not null && article.Remediation is not null
            && await supportProposals.ProposeForSessionAsync(device.DeviceId, article.Id, Name, cancellationToken) is { } proposal)
        {
            messages.Add(Card(MessageKind.Fix, SupportCardText.Write(FixCardOf(proposal))));
            messages.Add(Say(Text("PrinterCanFixItself", language)));
        }
        else
        {
            messages.Add(Say(Text("SolvedOrPerson", language)));
        }
        return new BotTurn(messages, null, null);
    }

    /// <summary>The article's title as written (English), for staff's notes; null for an article no longer known.</summary>
    public string? OriginalTitle(string articleId) => knowledge.Index.Find(articleId)?.Article.Title;

    public static FixCard FixCardOf(FixProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return new FixCard(proposal.Id, proposal.DeviceId, proposal.ArticleTitle ?? proposal.Code, proposal.Describe ?? "", proposal.Action?.ToString() ?? "");
    }

    /// <summary>
    /// What the assistant says when a fix card's fix ended, in the customer's <paramref name="language"/> like its other
    /// lines: the article's title and what the printer did as that language's article words them, the fix's stored note
    /// read in it (<see cref="FixNotes"/>). <see cref="FixEnding.Cleared"/> tells the solution card how the problem went.
    /// </summary>
    public FixEnding FixEnded(FixProposal proposal, CultureInfo language)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(language);
        var words = ProposalTexts.Wording(knowledge.Index, proposal.ArticleId, proposal.ArticleTitle ?? proposal.Code, proposal.Describe, language);
        var line = proposal.State switch
        {
            FixState.Verified => Format("FixWorked", language, words.Title),
            FixState.Obsolete => Text("FixNotNeeded", language),
            FixState.Declined => Format("FixDeclined", language, words.Title),
            _ => Format("FixDidNotWork", language, words.Title, InLanguage(language, () => FixNotes.Read(proposal.Note))),
        };
        return new FixEnding(line, words.Title, Format("FixCleared", language, words.Describe ?? proposal.Code));
    }

    /// <summary>The solution the customer keeps when they say the assistant's last article solved it, in the language the assistant speaks with them.</summary>
    public SolutionCard ConfirmedSolved(ArticleCard article, BotMemory memory) =>
        SolutionOf(article, Text("ConfirmedSolved", LanguageOf(null, memory, CultureInfo.CurrentUICulture)));

    public static SolutionCard SolutionOf(ArticleCard article, string how)
    {
        ArgumentNullException.ThrowIfNull(article);
        return new SolutionCard(article.Category, article.Title, $"{article.Summary} {how}".Trim(), article.Steps);
    }

    /// <summary>
    /// What the words find (articles about the device's problems lifted), then the device's own problems, the most
    /// severe first: words that name nothing specific ("it does not work") still reach the jam the device reports.
    /// </summary>
    private IEnumerable<ArticleMatch> Candidates(string words, DeviceContext? context, CultureInfo language)
    {
        var byWords = words.Length > 0 ? knowledge.Index.Search(words, context, limit: 5, language) : [];
        var byDevice = context is null ? [] : context.Problems.OrderByDescending(p => p.Severity)
            .SelectMany(p => knowledge.Index.Match(new ProblemQuery(p.Code, p.Condition, context.Model, context.Firmware), limit: 1));
        return byWords.Concat(byDevice);
    }

    /// <summary>Sure enough to answer without a person, first way: the article is about a problem the device reports now.</summary>
    private static bool AboutTheDevice(Article article, DeviceContext? context) =>
        context is not null && context.Problems.Any(p =>
            article.Applies.Codes.Contains(p.Code, StringComparer.OrdinalIgnoreCase) || article.Applies.Conditions.Contains(p.Condition, StringComparer.Ordinal));

    /// <summary>Second way: the customer typed one of the article's codes, as "13.20" or "ipp:media-jam".</summary>
    private static bool NamesItsCode(Article article, string words) =>
        words.Length > 0 && article.Applies.Codes.Any(code =>
        {
            var bare = code[(code.IndexOf(':', StringComparison.Ordinal) + 1)..];
            // Bounded by what is not a Latin letter or digit, not by \w: in "显示50.1" or "プリンターに79.00と" the code
            // stands between Chinese or Japanese characters, which \w counts as word characters.
            return bare.Length >= 3 && Regex.IsMatch(words, $@"(?<![0-9A-Za-z.]){Regex.Escape(bare)}(?![0-9A-Za-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        });

    private async Task<FixProposal?> FailedRecentlyAsync(string deviceId, string articleId, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow().AddDays(-1);
        return (await fixes.ListAsync([deviceId], [FixState.Failed], 20, cancellationToken))
            .FirstOrDefault(p => p.ArticleId == articleId && p.FinishedAt >= since);
    }

    /// <summary>
    /// The first words: what the device reports, named in English by its plain-language condition and in another
    /// language by the article's title in that language (the plain-language texts are English only so far).
    /// </summary>
    private string IntroFor(ArticleMatch match, Article shown, DeviceContext? context, CultureInfo language)
    {
        var problem = context?.Problems.FirstOrDefault(p =>
            match.Article.Applies.Codes.Contains(p.Code, StringComparer.OrdinalIgnoreCase) || match.Article.Applies.Conditions.Contains(p.Condition, StringComparer.Ordinal));
        if (problem is null)
            return Text("ThisShouldHelp", language);
        // The plain-language words are read in the request's culture: asked for in the language the bot answers in.
        var named = ArticleLanguages.IsOriginal(language) ? InLanguage(language, () => PlainLanguage.Describe(problem.Condition, problem.Code, "").Title.ToLowerInvariant()) : shown.Title;
        return string.Format(language, Text("DeviceReports", language), named);
    }

    /// <summary>A text of the bot's in <paramref name="language"/> (English where it has no translation).</summary>
    private string Text(string name, CultureInfo language) => InLanguage(language, () => (string)texts[name]);

    private string Format(string name, CultureInfo language, params object[] args) => string.Format(language, Text(name, language), args);

    private static string InLanguage(CultureInfo language, Func<string> read)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = language;
        try
        {
            return read();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private NewMessage Say(string text) => Card(MessageKind.Text, text);

    private NewMessage Card(MessageKind kind, string body) => new(kind, AuthorKind.Bot, Id, Name, body, false, null, time.GetUtcNow());
}
