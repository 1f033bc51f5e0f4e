namespace Diagnostics.Cloud.Web.Companion;

/// <summary>Which part of a device's fixes a <see cref="DeviceFixes"/> shows: the page puts them in different places.</summary>
public enum FixesPart
{
    /// <summary>Open fix cards and diagnostics reports: what to do now.</summary>
    Cards,

    /// <summary>Whether maintenance fixes may run without asking.</summary>
    Automatic,
}
