namespace Diagnostics.Cloud.Web.Companion;

/// <summary>Which part of a device's fixes a <see cref="DeviceFixes"/> shows: the page puts them in different places.</summary>
public enum FixesPart
{
    /// <summary>Open fix cards and diagnostics reports: what to do now.</summary>
    Cards,

    /// <summary>Advice whose problem the device no longer reports: the latest for each problem, below what still needs doing.</summary>
    Solved,

    /// <summary>Whether maintenance fixes may run without asking.</summary>
    Automatic,
}
