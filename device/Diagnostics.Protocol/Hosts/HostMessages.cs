using ProtoBuf;

namespace Diagnostics.Protocol.Hosts;

/// <summary>
/// Host to cloud (<c>dx/{id}/up/host</c>, through the outbox like every uplink): the computer or print server an agent
/// in the host role runs on, and every print queue on it with the driver it uses. Sent when anything in it changes and
/// with every heartbeat's status; the cloud keeps the newest (by sequence).
/// </summary>
[ProtoContract]
public sealed class HostReport
{
    [ProtoMember(1)] public HostSystem? System { get; set; }
    [ProtoMember(2)] public List<PrintQueue> Queues { get; set; } = [];
    /// <summary>Queues the host has beyond those listed (a report stays small; the first ones by name are sent).</summary>
    [ProtoMember(3)] public int QueuesLeftOut { get; set; }
    /// <summary>False when the print system did not answer: the queues are then unknown, not gone.</summary>
    [ProtoMember(4)] public bool PrintSystemReachable { get; set; }
    /// <summary>Why the print system did not answer, in words.</summary>
    [ProtoMember(5)] public string PrintSystemProblem { get; set; } = "";
}

/// <summary>What the host is: the facts a driver package's platforms are checked against.</summary>
[ProtoContract]
public sealed class HostSystem
{
    [ProtoMember(1)] public string HostName { get; set; } = "";
    /// <summary>One of <see cref="Updates.HostPlatforms.OperatingSystems"/>.</summary>
    [ProtoMember(2)] public string Os { get; set; } = "";
    /// <summary>The operating system's own name for itself (<c>Debian GNU/Linux 12 (bookworm)</c>).</summary>
    [ProtoMember(3)] public string OsName { get; set; } = "";
    [ProtoMember(4)] public string OsVersion { get; set; } = "";
    /// <summary>As .NET names it: <c>x64</c>, <c>arm64</c>, <c>x86</c>, <c>arm</c>.</summary>
    [ProtoMember(5)] public string Architecture { get; set; } = "";
    /// <summary>The print system and its version (<c>CUPS 2.4.2</c>).</summary>
    [ProtoMember(6)] public string PrintSystem { get; set; } = "";
    /// <summary>The driver forms this host's agent installs (<see cref="Updates.DriverFormat"/>).</summary>
    [ProtoMember(7)] public List<Updates.DriverFormat> DriverFormats { get; set; } = [];
}

/// <summary>How a queue turns documents into what its printer takes.</summary>
public enum QueueDriver
{
    Unknown = 0,
    /// <summary>A PPD, usually the printer maker's (its <c>*NickName</c> and <c>*FileVersion</c> say which).</summary>
    Ppd = 1,
    /// <summary>IPP Everywhere / driverless: CUPS made the PPD from what the printer says it can do.</summary>
    Driverless = 2,
    /// <summary>No driver: applications send what the printer takes as it is.</summary>
    Raw = 3,
}

/// <summary>How the cloud tied a queue to a registered device.</summary>
public enum QueueMatch
{
    None = 0,
    PrinterUuid = 1,
    Serial = 2,
    DeviceUri = 3,
    /// <summary>The host's configuration names the device for this queue (<c>Host:Devices</c>).</summary>
    Mapping = 4,
}

/// <summary>One print queue on the host, the printer it prints to, and its driver.</summary>
[ProtoContract]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The print system's own term: a queue is what a computer prints to.")]
public sealed class PrintQueue
{
    [ProtoMember(1)] public string Name { get; set; } = "";
    /// <summary>Where the queue sends jobs (<c>ipp://192.0.2.10/ipp/print</c>, <c>usb://Acme/LaserPro?serial=X1</c>).</summary>
    [ProtoMember(2)] public string DeviceUri { get; set; } = "";
    /// <summary>The queue's printer-make-and-model (from its driver).</summary>
    [ProtoMember(3)] public string MakeAndModel { get; set; } = "";
    /// <summary>
    /// The printer's model as the printer itself reports it (what a driver package's models name); the PPD's
    /// <c>*ModelName</c> when the printer could not be asked.
    /// </summary>
    [ProtoMember(4)] public string PrinterModel { get; set; } = "";
    [ProtoMember(5)] public QueueDriver Driver { get; set; }
    /// <summary>The PPD's <c>*NickName</c>.</summary>
    [ProtoMember(6)] public string DriverName { get; set; } = "";
    /// <summary>The PPD's <c>*FileVersion</c>.</summary>
    [ProtoMember(7)] public string DriverVersion { get; set; } = "";
    /// <summary>The printer's printer-uuid (<c>urn:uuid:…</c>), asked from the printer or read from the device URI.</summary>
    [ProtoMember(8)] public string PrinterUuid { get; set; } = "";
    /// <summary>The printer's serial number (IEEE 1284 device id <c>SN:</c>, or the device URI's <c>serial=</c>).</summary>
    [ProtoMember(9)] public string PrinterSerial { get; set; } = "";
    /// <summary>The device id the host's configuration gives this queue; empty when none.</summary>
    [ProtoMember(10)] public string MappedDeviceId { get; set; } = "";
    [ProtoMember(11)] public DeviceState State { get; set; }
    [ProtoMember(12)] public bool AcceptingJobs { get; set; }
    /// <summary>The queue's printer-state-message: show it, never match on it.</summary>
    [ProtoMember(13)] public string StateMessage { get; set; } = "";
    /// <summary>SHA-256 of the queue's PPD as CUPS serves it; empty without one.</summary>
    [ProtoMember(14)] public byte[] PpdSha256 { get; set; } = [];
}
