using Diagnostics.Protocol.Hosts;

namespace Diagnostics.Cloud.Hosts;

/// <summary>A host (an agent in the host role) as its newest report describes it.</summary>
public sealed record HostView(
    string HostId, string HostName, string Os, string OsName, string OsVersion, string Architecture, string PrintSystem,
    IReadOnlyList<string> DriverFormats, bool PrintSystemReachable, string Problem, int QueuesLeftOut, DateTimeOffset ReportedAt,
    IReadOnlyList<HostQueueView> Queues)
{
    /// <summary><c>linux/x64</c>: what driver packages' platforms are checked against.</summary>
    public string Platform => $"{Os}/{Architecture}";
}

/// <summary>One print queue of a host: its driver and the registered printer it was matched to.</summary>
/// <param name="Model">The printer's model: the registered printer's when matched, else what the host read.</param>
/// <param name="DeviceId">The registered printer, or null when no rule matched.</param>
/// <param name="MatchedBy"><c>printer-uuid</c>, <c>serial</c>, <c>device-uri</c>, <c>mapping</c> or <c>none</c>.</param>
public sealed record HostQueueView(
    string HostId, string Queue, string DeviceUri, string MakeAndModel, string Model, string Driver, string DriverName, string DriverVersion,
    string PrinterUuid, string PrinterSerial, string MappedDeviceId, string? DeviceId, string MatchedBy, string State, bool AcceptingJobs, string StateMessage, string PpdSha256);

/// <summary>A host that prints to a printer, and how (for the printer's page).</summary>
public sealed record PrinterHostView(
    string HostId, string HostName, string Platform, string Queue, string Driver, string DriverName, string DriverVersion, string MatchedBy,
    string State, bool AcceptingJobs, DateTimeOffset ReportedAt);

/// <summary>How many hosts print to a model with one driver version.</summary>
public sealed record DriverVersionCount(string Driver, string DriverName, string DriverVersion, int Hosts, int Queues);

/// <summary>The spread of driver versions across the hosts that print to one printer model.</summary>
public sealed record ModelDriverSpread(string Model, int Hosts, int Queues, IReadOnlyList<DriverVersionCount> Versions);

/// <summary>The storage names of the protocol's enums.</summary>
public static class HostNames
{
    public static string Of(QueueDriver driver) => driver switch
    {
        QueueDriver.Ppd => "ppd",
        QueueDriver.Driverless => "driverless",
        QueueDriver.Raw => "raw",
        _ => "unknown",
    };

    public static QueueDriver DriverOf(string name) => name switch
    {
        "ppd" => QueueDriver.Ppd,
        "driverless" => QueueDriver.Driverless,
        "raw" => QueueDriver.Raw,
        _ => QueueDriver.Unknown,
    };

    public static string Of(QueueMatch match) => match switch
    {
        QueueMatch.PrinterUuid => "printer-uuid",
        QueueMatch.Serial => "serial",
        QueueMatch.DeviceUri => "device-uri",
        QueueMatch.Mapping => "mapping",
        _ => "none",
    };
}
