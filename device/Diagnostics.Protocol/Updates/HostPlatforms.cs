using System.Runtime.InteropServices;

namespace Diagnostics.Protocol.Updates;

/// <summary>
/// The names of host platforms as driver packages and host reports spell them, and the one text form release engineers
/// type: <c>os[/arch,arch]:format</c>, e.g. <c>linux:cups-ppd</c>, <c>windows/x64,arm64:windows-inf</c>, <c>macos:mac-pkg</c>.
/// </summary>
public static class HostPlatforms
{
    public const string Linux = "linux";
    public const string Windows = "windows";
    public const string MacOs = "macos";

    public static readonly IReadOnlyList<string> OperatingSystems = [Linux, Windows, MacOs];

    public static readonly IReadOnlyList<string> Architectures = ["x64", "arm64", "x86", "arm"];

    private static readonly (DriverFormat Format, string Name, string Title)[] Formats =
    [
        (DriverFormat.CupsPpd, "cups-ppd", "CUPS PPD"),
        (DriverFormat.PrinterApplication, "printer-application", "Printer Application"),
        (DriverFormat.WindowsInf, "windows-inf", "Windows INF"),
        (DriverFormat.MacPackage, "mac-pkg", "macOS pkg"),
    ];

    /// <summary>The form's name in the text form (<c>cups-ppd</c>).</summary>
    public static string FormatKey(DriverFormat format) => Formats.FirstOrDefault(f => f.Format == format).Name ?? format.ToString();

    /// <summary>The form as people read it (<c>CUPS PPD</c>).</summary>
    public static string FormatName(DriverFormat format) => Formats.FirstOrDefault(f => f.Format == format).Title ?? format.ToString();

    public static IEnumerable<string> FormatKeys => Formats.Select(f => f.Name);

    /// <summary>The form a key names as people read it (<c>cups-ppd</c> → <c>CUPS PPD</c>); a key not known here as it is.</summary>
    public static string FormatNameOfKey(string key) => Formats.FirstOrDefault(f => string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase)).Title ?? key;

    /// <summary>The operating system this process runs on, as packages name it.</summary>
    public static string CurrentOs =>
        OperatingSystem.IsWindows() ? Windows : OperatingSystem.IsMacOS() ? MacOs : Linux;

    /// <summary>This process's architecture, as packages name it (<c>x64</c>, <c>arm64</c>).</summary>
    public static string CurrentArchitecture => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    /// <summary>A platform in the text form (<c>windows/x64,arm64:windows-inf</c>).</summary>
    public static string ToText(DriverPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return $"{platform.Os}{(platform.Architectures.Count > 0 ? "/" + string.Join(",", platform.Architectures) : "")}:{FormatKey(platform.Format)}";
    }

    /// <summary>
    /// The driver forms an agent on this operating system installs when nothing else is configured: CUPS PPDs where
    /// CUPS runs (Linux, macOS), and the system's own package through the installer hook.
    /// </summary>
    public static IReadOnlyList<DriverFormat> DefaultFormats(string os) => os switch
    {
        Linux => [DriverFormat.CupsPpd],
        MacOs => [DriverFormat.CupsPpd, DriverFormat.MacPackage],
        Windows => [DriverFormat.WindowsInf],
        _ => [],
    };

    /// <summary>Reads <c>os[/arch,arch]:format</c>, or says what is wrong with it.</summary>
    public static DriverPlatform? TryParse(string text, out string? error)
    {
        error = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"platform \"{text}\" is not os[/arch,arch]:format (for example linux:cups-ppd or windows/x64:windows-inf)";
            return null;
        }
        var formatKey = text[(colon + 1)..].Trim();
        var format = Formats.FirstOrDefault(f => string.Equals(f.Name, formatKey, StringComparison.OrdinalIgnoreCase));
        if (format.Name is null)
        {
            error = $"driver form \"{formatKey}\" is not one of {string.Join(", ", FormatKeys)}";
            return null;
        }
        var osAndArchitectures = text[..colon].Split('/', 2);
        var platform = new DriverPlatform { Os = osAndArchitectures[0].Trim().ToLowerInvariant(), Format = format.Format };
        if (osAndArchitectures.Length == 2)
            platform.Architectures.AddRange(osAndArchitectures[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.ToLowerInvariant()));
        error = DescribeProblem(platform);
        return error is null ? platform : null;
    }

    /// <summary>What makes a platform unusable, or null; as the signing tools print it.</summary>
    public static string? DescribeProblem(DriverPlatform platform) => FindProblem(platform)?.Text;

    /// <summary>What makes a platform unusable, by code and values (the one named, then the choices), or null.</summary>
    public static ManifestProblem? FindProblem(DriverPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!OperatingSystems.Contains(platform.Os))
            return new(ManifestProblem.UnknownOs, $"operating system \"{platform.Os}\" is not one of {string.Join(", ", OperatingSystems)}", [platform.Os, .. OperatingSystems]);
        if (platform.Architectures.FirstOrDefault(a => !Architectures.Contains(a)) is { } unknown)
            return new(ManifestProblem.UnknownArchitecture, $"architecture \"{unknown}\" is not one of {string.Join(", ", Architectures)}", [unknown, .. Architectures]);
        if (platform.Format == DriverFormat.Unspecified || !Enum.IsDefined(platform.Format))
            return new(ManifestProblem.PlatformWithoutForm, $"platform {platform.Os} does not say the driver's form ({string.Join(", ", FormatKeys)})", [platform.Os, .. FormatKeys]);
        return null;
    }
}
