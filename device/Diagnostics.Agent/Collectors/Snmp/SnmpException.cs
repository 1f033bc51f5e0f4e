using Diagnostics.Agent.Collectors.Snmp.Ber;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>The agent answered with an error-status, or could not be reached at all.</summary>
public class SnmpException : Exception, IUnreachableCause
{
    public SnmpException()
    {
        Cause = new UnreachableCause(UnreachableCauses.SnmpError, "the SNMP agent could not be read");
    }

    public SnmpException(string message)
        : this(message, new UnreachableCause(UnreachableCauses.SnmpError, message))
    {
    }

    public SnmpException(string message, UnreachableCause cause)
        : base(message)
    {
        Cause = cause;
    }

    public SnmpException(string message, Exception innerException)
        : base(message, innerException)
    {
        Cause = UnreachableCause.Of(innerException);
    }

    public SnmpException(SnmpErrorStatus status, int errorIndex, string message)
        : base(message)
    {
        Status = status;
        ErrorIndex = errorIndex;
        Cause = new UnreachableCause(UnreachableCauses.SnmpError, $"the SNMP agent answered with error {status}");
    }

    public SnmpErrorStatus Status { get; }

    public int ErrorIndex { get; }

    /// <inheritdoc/>
    public UnreachableCause Cause { get; }
}

/// <summary>No answer from the SNMP agent within the timeout, after every retry.</summary>
public sealed class SnmpTimeoutException(string message, UnreachableCause cause) : TimeoutException(message), IUnreachableCause
{
    /// <inheritdoc/>
    public UnreachableCause Cause { get; } = cause;
}
