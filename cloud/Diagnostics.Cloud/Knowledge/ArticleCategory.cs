using System.Collections.Frozen;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// The shelf an article sits on in the knowledge base: what kind of problem it is about, so an agent can narrow the
/// list ("everything about paper"). An article's header may name one (<c>category: paper</c>); without it, the
/// category follows from what the article applies to (its first condition, else its codes' source), so the starter
/// articles and every article written before categories existed sort themselves.
/// </summary>
public static class ArticleCategory
{
    public const string Paper = "paper";
    public const string Supplies = "supplies";
    public const string PrintQuality = "print-quality";
    public const string Hardware = "hardware";
    public const string Connection = "connection";
    public const string Environment = "environment";
    public const string Other = "other";

    /// <summary>Every category, in the order the list's filter offers them.</summary>
    public static readonly IReadOnlyList<string> All = [Paper, Supplies, PrintQuality, Hardware, Connection, Environment, Other];

    private static readonly FrozenSet<string> Known = All.ToFrozenSet(StringComparer.Ordinal);

    // One row per condition in Protocol's Conditions; a test checks that none is missing.
    private static readonly FrozenDictionary<string, string> ByCondition = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Conditions.PaperJam] = Paper,
        [Conditions.OutOfPaper] = Paper,
        [Conditions.PaperLow] = Paper,
        [Conditions.InputTrayMissing] = Paper,
        [Conditions.InputTrayEmpty] = Paper,
        [Conditions.OutputTrayMissing] = Paper,
        [Conditions.OutputAreaAlmostFull] = Paper,
        [Conditions.OutputAreaFull] = Paper,
        [Conditions.MediaFeedFault] = Paper,
        [Conditions.TonerLow] = Supplies,
        [Conditions.TonerEmpty] = Supplies,
        [Conditions.WasteTonerAlmostFull] = Supplies,
        [Conditions.WasteTonerFull] = Supplies,
        [Conditions.MarkerSupplyMissing] = Supplies,
        [Conditions.PhotoconductorNearEndOfLife] = Supplies,
        [Conditions.PhotoconductorEndOfLife] = Supplies,
        [Conditions.DeveloperLow] = Supplies,
        [Conditions.DeveloperEmpty] = Supplies,
        [Conditions.MaintenanceOverdue] = Supplies,
        [Conditions.DoorOpen] = Hardware,
        [Conditions.CoverOpen] = Hardware,
        [Conditions.FuserFault] = Hardware,
        [Conditions.ServiceRequested] = Hardware,
        [Conditions.HardwareFault] = Hardware,
        [Conditions.Shutdown] = Hardware,
        [Conditions.Offline] = Connection,
        [Conditions.DeviceUnreachable] = Connection,
        [Conditions.Paused] = Connection,
        [Conditions.SpoolAreaFull] = Connection,
        [Conditions.PrintQueueStopped] = Connection,
        [Conditions.OverTemperature] = Environment,
        [Conditions.UnderTemperature] = Environment,
        [Conditions.HumidityHigh] = Environment,
        [Conditions.HumidityLow] = Environment,
        [Conditions.SensorFault] = Environment,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string? category) => category is not null && Known.Contains(category);

    /// <summary>The category of a condition, or null for a name that is no condition.</summary>
    public static string? OfCondition(string condition) => ByCondition.GetValueOrDefault(condition);

    // Words in an article's tags that say the problem is what comes out of the printer, whatever supply causes it
    // (faded prints are a toner-low article, yet an agent looks for them under print quality).
    private static readonly FrozenSet<string> PrintQualityTags =
        new[] { "print quality", "streaks", "faded", "banding", "misaligned", "blurry" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The category an article without a <c>category</c> key gets: print quality when its tags speak of the printout
    /// (streaks, faded, banding ...); else that of its first condition; else from its codes' source (the agent's own
    /// reachability codes <c>agent:</c> and host queues <c>cups:</c> are about the connection, sensor codes <c>env:</c>
    /// about the surroundings); else paper when a tag names paper; else <see cref="Other"/>.
    /// </summary>
    public static string Derive(IReadOnlyList<string> conditions, IReadOnlyList<string> codes, IReadOnlyList<string> tags)
    {
        if (tags.Any(PrintQualityTags.Contains))
            return PrintQuality;
        foreach (var condition in conditions)
        {
            if (OfCondition(condition) is { } category)
                return category;
        }
        foreach (var code in codes)
        {
            var source = code[..Math.Max(0, code.IndexOf(':', StringComparison.Ordinal))];
            switch (source)
            {
                case "agent" or "cups":
                    return Connection;
                case "env":
                    return Environment;
            }
        }
        return tags.Any(t => t.Contains("paper", StringComparison.OrdinalIgnoreCase)) ? Paper : Other;
    }
}
