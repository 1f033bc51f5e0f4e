namespace Diagnostics.Cloud.Devices;

public sealed class DevicesOptions
{
    public const string SectionName = "Devices";

    /// <summary>
    /// Shared secret devices present (<c>X-Enrollment-Key</c>) to register themselves; empty (the default) lets only
    /// admins and the <c>devices register</c> command add devices.
    /// </summary>
    public string EnrollmentKey { get; set; } = "";
}
