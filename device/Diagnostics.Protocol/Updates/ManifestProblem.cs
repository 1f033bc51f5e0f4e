namespace Diagnostics.Protocol.Updates;

/// <summary>
/// A packaging rule a manifest breaks: a stable <see cref="Code"/> per rule and the <see cref="Values"/> that broke it
/// (invariant text, in the order the rule names them; a list rule gives its items one by one), so a reader can say the
/// rule in its own language; and <see cref="Text"/>, the rule as the signing tools print it (English: fwtool, the agent's
/// reports, logs). The codes are part of the protocol: once shipped, a code keeps its meaning and its values' order.
/// </summary>
public sealed record ManifestProblem(string Code, IReadOnlyList<string> Values, string Text)
{
    /// <summary>The package id is empty, too long or has other characters. Values: the id.</summary>
    public const string PackageId = "PackageId";
    /// <summary>Neither firmware nor driver. Values: the kind.</summary>
    public const string Kind = "Kind";
    /// <summary>The version is not dotted numbers. Values: the version.</summary>
    public const string Version = "Version";
    /// <summary>No compatible model. No values.</summary>
    public const string NoModel = "NoModel";
    /// <summary>The minimum version to update from is not dotted numbers. Values: that version.</summary>
    public const string MinimumFromVersion = "MinimumFromVersion";
    /// <summary>No image size or SHA-256. No values.</summary>
    public const string ImageUndescribed = "ImageUndescribed";
    /// <summary>No payload size or SHA-256. No values.</summary>
    public const string PayloadUndescribed = "PayloadUndescribed";
    /// <summary>Creation or expiry outside 1970 to 9999. No values.</summary>
    public const string DatesOutOfRange = "DatesOutOfRange";
    /// <summary>Expires before it was created. No values.</summary>
    public const string ExpiresBeforeCreated = "ExpiresBeforeCreated";
    /// <summary>A delta that does not name the version and SHA-256 it applies to. No values.</summary>
    public const string DeltaBaseUnnamed = "DeltaBaseUnnamed";
    /// <summary>A full package whose payload is not its image. No values.</summary>
    public const string FullPayloadNotImage = "FullPayloadNotImage";
    /// <summary>A firmware package naming host platforms. No values.</summary>
    public const string FirmwareWithPlatforms = "FirmwareWithPlatforms";
    /// <summary>A driver package naming no host platform. No values.</summary>
    public const string DriverWithoutPlatforms = "DriverWithoutPlatforms";
    /// <summary>An operating system not known. Values: the one named, then the known ones.</summary>
    public const string UnknownOs = "UnknownOs";
    /// <summary>An architecture not known. Values: the one named, then the known ones.</summary>
    public const string UnknownArchitecture = "UnknownArchitecture";
    /// <summary>A platform without its driver form. Values: the operating system, then the forms.</summary>
    public const string PlatformWithoutForm = "PlatformWithoutForm";
    /// <summary>A driver package naming more than one driver form. Values: the forms named.</summary>
    public const string DriverForms = "DriverForms";
    /// <summary>A driver package that is a delta. No values.</summary>
    public const string DriverDelta = "DriverDelta";
    /// <summary>A driver package naming hardware revisions. No values.</summary>
    public const string DriverHardwareRevisions = "DriverHardwareRevisions";
    /// <summary>A signed manifest too large or empty. Values: its size, the largest allowed.</summary>
    public const string ManifestSize = "ManifestSize";

    public ManifestProblem(string code, string text, params string[] values) : this(code, (IReadOnlyList<string>)values, text)
    {
    }

    public override string ToString() => Text;
}
