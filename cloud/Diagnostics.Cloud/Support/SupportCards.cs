using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Support;

/// <summary>The device as it was when the card was posted.</summary>
public sealed record DeviceStatusCard(
    string DeviceId, string Model, string Firmware, string State, string Health, string Presence,
    IReadOnlyList<StatusCardCondition> Conditions, IReadOnlyList<StatusCardSupply> Supplies)
{
    public static DeviceStatusCard Of(DeviceDetails device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new DeviceStatusCard(device.DeviceId, device.Model, device.Firmware, device.State.ToString(), device.Health.ToString(), device.Presence.ToString(),
            [.. device.ActiveConditions.Select(c => new StatusCardCondition(c.Code, c.Condition, c.Severity.ToString(), c.Message))],
            [.. device.Supplies.Select(s => new StatusCardSupply(s.Name, s.LevelPercent, s.Low, s.Empty, s.Type, s.Color))]);
    }
}

public sealed record StatusCardCondition(string Code, string Condition, string Severity, string Message);

/// <summary>
/// A supply on a status card. <see cref="Type"/> and <see cref="Color"/> let each reader get the supply in their words
/// ("黑色碳粉" for the printer's "Black Toner Cartridge"); cards stored before they were kept have neither and show the
/// printer's name.
/// </summary>
public sealed record StatusCardSupply(string Name, int LevelPercent, bool Low, bool Empty, string Type = "", string Color = "")
{
    /// <summary>The supply's name in the reader's language (the request's UI culture), as the device pages word it; never stored.</summary>
    [JsonIgnore]
    public string NameForReader => Type.Length == 0 ? Name : PlainLanguage.SupplyName(new SupplyView(Name, Type, Color, LevelPercent, Low, Empty));
}

/// <summary>A knowledge-base article as steps the customer follows.</summary>
/// <remarks>
/// <see cref="Language"/> is the language of its texts; <see cref="EnglishFallback"/> says they are English shown to a
/// customer who writes in a language the article is not translated into yet.
/// </remarks>
public sealed record ArticleCard(
    string ArticleId, int Version, string Title, string Summary, IReadOnlyList<string> Steps, string Category, string Language = "en", bool EnglishFallback = false)
{
    public static ArticleCard Of(Article article, int version)
    {
        ArgumentNullException.ThrowIfNull(article);
        return new ArticleCard(article.Id, version, article.Title, article.Summary, article.CustomerSteps, SupportCardText.CategoryOf(article));
    }

    /// <summary>The card of an article as the customer reads it: its translation, or English marked as a fallback.</summary>
    public static ArticleCard Of(LocalizedArticle shown, int version)
    {
        ArgumentNullException.ThrowIfNull(shown);
        return Of(shown.Article, version) with { Language = shown.Language, EnglishFallback = shown.IsFallback };
    }
}

/// <summary>A fix the device can run; its state is read live from the fix loop, the card keeps what was offered.</summary>
public sealed record FixCard(string ProposalId, string DeviceId, string Title, string Describe, string Action);

/// <summary>An update the device is offered, pointed at its rollout; its state is read live.</summary>
public sealed record UpdateCard(string RolloutId, string DeviceId, string Version, string State);

public sealed record ImageCard(string ImageId, string ContentType, long Bytes, string? Caption);

/// <summary>What solved the problem, for the customer to keep.</summary>
public sealed record SolutionCard(string Category, string Summary, string Solution, IReadOnlyList<string> Steps);

public sealed record RatingCard(int Rating, string? Comment);

public static class SupportCardText
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Write<T>(T card) => JsonSerializer.Serialize(card, Json);

    /// <summary>The card in a message's body, or null when the body is not one (a message from an older version).</summary>
    public static T? Read<T>(string body) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A status card's JSON for a reader: as stored, with each supply's <c>nameForReader</c> beside its <c>name</c>
    /// (<see cref="StatusCardSupply.NameForReader"/>); a body that is not a status card is returned as it is.
    /// </summary>
    public static string StatusCardForReader(string body)
    {
        if (Read<DeviceStatusCard>(body) is not { } card || JsonNode.Parse(body) is not JsonObject json || json["supplies"] is not JsonArray supplies
            || supplies.Count != card.Supplies.Count)
            return body;
        for (var i = 0; i < supplies.Count; i++)
        {
            if (supplies[i] is JsonObject supply)
                supply["nameForReader"] = card.Supplies[i].NameForReader;
        }
        return json.ToJsonString();
    }

    /// <summary>A session category for an article, from its tags: the bot files what it solved like an agent would.</summary>
    public static string CategoryOf(Article article)
    {
        ArgumentNullException.ThrowIfNull(article);
        var words = string.Join(' ', [.. article.Tags, .. article.Applies.Conditions, article.Title]).ToLowerInvariant();
        return words switch
        {
            _ when ContainsAny(words, "jam", "paper", "media", "tray", "feed") => "Paper handling",
            _ when ContainsAny(words, "toner", "ink", "supply", "supplies", "drum", "cartridge", "waste") => "Supplies",
            _ when ContainsAny(words, "quality", "streak", "faded", "smear", "calibrat") => "Print quality",
            _ when ContainsAny(words, "network", "wifi", "wi-fi", "offline", "connect") => "Connectivity",
            _ when ContainsAny(words, "firmware", "update") => "Firmware and updates",
            _ when ContainsAny(words, "fuser", "motor", "laser", "sensor", "hardware", "fault", "temperature", "fan", "door", "cover") => "Hardware fault",
            _ => "Other",
        };
    }

    private static bool ContainsAny(string text, params string[] words) => words.Any(w => text.Contains(w, StringComparison.Ordinal));
}
