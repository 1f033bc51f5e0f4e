using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>A knowledge-base article as its file says it: what it applies to, what a customer and an agent do, and an optional automated fix.</summary>
public sealed record Article(
    string Id,
    string Title,
    string Summary,
    Applicability Applies,
    Remediation? Remediation,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Symptoms,
    IReadOnlyList<string> CustomerSteps,
    IReadOnlyList<string> AgentNotes)
{
    /// <summary>The shelf the article sits on (<see cref="ArticleCategory"/>): the header's <c>category</c>, else derived from what it applies to.</summary>
    public string Category { get; init; } = ArticleCategory.Derive(Applies.Conditions, Applies.Codes, Tags);
}

/// <summary>The devices an article is about: any of its codes or conditions, on these models and firmware versions.</summary>
public sealed record Applicability(
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Conditions,
    IReadOnlyList<string> Models,
    FirmwareRange Firmware)
{
    /// <summary>True when no model is named (every model) or the model is one of those named (case does not matter).</summary>
    public bool CoversModel(string? model) =>
        Models.Count == 0 || (model is not null && Models.Any(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>
/// A command the device can run to fix the problem, what the customer is told it does, and how the cloud checks it
/// worked: the condition that must clear, within what time. Without those, the device's own result decides.
/// </summary>
public sealed record Remediation(
    string Command,
    ConsentAction Action,
    IReadOnlyDictionary<string, string> Parameters,
    string Describe,
    string? VerifyClears,
    TimeSpan? VerifyWithin);
