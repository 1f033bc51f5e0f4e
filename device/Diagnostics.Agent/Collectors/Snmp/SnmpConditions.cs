namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>
/// Normalized conditions that SNMP reports and <see cref="Diagnostics.Protocol.Conditions"/> does not name yet.
/// Candidates for the Protocol project; kept here until they move.
/// </summary>
public static class SnmpConditions
{
    public const string ServiceRequested = "SERVICE_REQUESTED";
    public const string InputTrayMissing = "INPUT_TRAY_MISSING";
    public const string InputTrayEmpty = "INPUT_TRAY_EMPTY";
    public const string OutputTrayMissing = "OUTPUT_TRAY_MISSING";
    public const string OutputNearFull = "OUTPUT_NEAR_FULL";
    public const string OutputFull = "OUTPUT_FULL";
    public const string MarkerSupplyMissing = "MARKER_SUPPLY_MISSING";
    public const string MaintenanceOverdue = "MAINTENANCE_OVERDUE";
}
