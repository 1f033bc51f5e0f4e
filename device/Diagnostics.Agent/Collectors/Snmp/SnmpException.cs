using Diagnostics.Agent.Collectors.Snmp.Ber;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>The agent answered with an error-status, or could not be reached at all.</summary>
public class SnmpException : Exception
{
    public SnmpException()
    {
    }

    public SnmpException(string message)
        : base(message)
    {
    }

    public SnmpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpException(SnmpErrorStatus status, int errorIndex, string message)
        : base(message)
    {
        Status = status;
        ErrorIndex = errorIndex;
    }

    public SnmpErrorStatus Status { get; }

    public int ErrorIndex { get; }
}
