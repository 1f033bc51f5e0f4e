using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Devices;

/// <summary>How often the fleet's counts are sampled for the dashboard's charts, and how long samples are kept.</summary>
public sealed class FleetHistoryOptions
{
    public const string SectionName = "FleetHistory";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
