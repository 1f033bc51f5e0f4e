using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Web.Companion;

/// <summary>The companion app's settings (section <c>Companion</c>).</summary>
public sealed class CompanionOptions : IValidatableObject
{
    public const string SectionName = "Companion";

    /// <summary>
    /// Where a customer orders a supply that runs low, with <c>{model}</c> and <c>{supply}</c> filled in (escaped), such as
    /// <c>https://shop.example.com/search?q={model}+{supply}</c>. Empty: no order links.
    /// </summary>
    public string SupplyOrderUrl { get; set; } = "";

    /// <summary>The link for one supply of one model, or null without a configured shop.</summary>
    public string? OrderLink(string model, string supply) => SupplyOrderUrl.Length == 0 ? null
        : SupplyOrderUrl.Replace("{model}", Uri.EscapeDataString(model), StringComparison.Ordinal)
            .Replace("{supply}", Uri.EscapeDataString(supply), StringComparison.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SupplyOrderUrl.Length > 0 && (!Uri.TryCreate(OrderLink("model", "supply"), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            yield return new ValidationResult("Companion:SupplyOrderUrl must be an absolute http(s) address.", [nameof(SupplyOrderUrl)]);
    }
}
