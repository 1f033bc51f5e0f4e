using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Which physical supply a reading is about, whatever the collector called it: IPP's "Black" (type toner, colour
/// #000000) and SNMP's "Black Toner Cartridge" (tonerCartridge, colorant black) are one cartridge. The identity is the
/// supply's kind (toner and tonerCartridge are one kind) and its colour (a name, a CUPS hex colour, or a colour word in
/// the supply's name).
/// </summary>
public readonly record struct SupplyIdentity(string Kind, string Color)
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["toner"] = "toner",
        ["tonerCartridge"] = "toner",
        ["ink"] = "ink",
        ["inkCartridge"] = "ink",
        ["inkRibbon"] = "ink",
        ["opc"] = "opc",
        ["photoconductor"] = "opc",
        ["wasteToner"] = "wasteToner",
        ["wasteInk"] = "wasteInk",
    };

    // CUPS marker-colors are sRGB hex; printer-supply colorantname and prtMarkerColorantValue are words.
    private static readonly Dictionary<string, string> HexColors = new(StringComparer.OrdinalIgnoreCase)
    {
        ["#000000"] = "black",
        ["#00FFFF"] = "cyan",
        ["#FF00FF"] = "magenta",
        ["#FFFF00"] = "yellow",
        ["#FFFFFF"] = "white",
        ["#808080"] = "gray",
    };

    private static readonly string[] ColorWords = ["black", "cyan", "magenta", "yellow", "white", "gray", "grey", "red", "green", "blue"];

    public static SupplyIdentity Of(SupplyLevel supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var kind = Kinds.GetValueOrDefault(supply.Type, supply.Type.ToLowerInvariant());
        return new SupplyIdentity(kind, ColorOf(supply));
    }

    private static string ColorOf(SupplyLevel supply)
    {
        var color = supply.Color.Trim();
        if (HexColors.TryGetValue(color, out var named))
            return named;
        // "#000000#00FFFF" (a multi-colour cartridge) and other hex forms: fall back to the name's words.
        // PWG colorantname "unknown"/"no-color" and CUPS "none" say nothing about the colour.
        if (color.Length > 0 && !color.StartsWith('#') && color is not ("none" or "unknown" or "no-color"))
            return color.Equals("grey", StringComparison.OrdinalIgnoreCase) ? "gray" : color.ToLowerInvariant();
        var words = supply.Name.ToLowerInvariant().Split([' ', '-', '_', '/'], StringSplitOptions.RemoveEmptyEntries);
        var word = ColorWords.FirstOrDefault(w => words.Contains(w));
        return word == "grey" ? "gray" : word ?? "";
    }
}
