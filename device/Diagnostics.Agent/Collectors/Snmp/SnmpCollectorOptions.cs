namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>Where the printer's SNMP agent is and how patiently to ask it (SNMPv2c).</summary>
public sealed class SnmpCollectorOptions
{
    public const string Section = "Snmp";

    public string Host { get; set; } = "";
    public int Port { get; set; } = 161;
    public string Community { get; set; } = "public";

    /// <summary>How long to wait for each response before sending the request again.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Resends after the first attempt; a read fails after (1 + Retries) × Timeout.</summary>
    public int Retries { get; set; } = 1;

    /// <summary>Datagrams larger than this are dropped unread (RFC 3417 agents must handle 484; most send up to 1472).</summary>
    public int MaxResponseBytes { get; set; } = 8192;

    /// <summary>The most rows read from any one table column (alerts, supplies, trays), so a broken agent cannot loop us.</summary>
    public int MaxTableRows { get; set; } = 64;

    /// <summary>After this many failed reads in a row the collector stops asking for a while (doubling up to <see cref="MaxBackoff"/>).</summary>
    public int FailuresBeforeBackoff { get; set; } = 3;

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>While backing off, how often one small GET (one attempt, at most <see cref="Timeout"/>) asks whether the agent answers again.</summary>
    public TimeSpan RecoveryProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
            yield return $"{Section}:Host is required (the printer's name or address).";
        if (Port is < 1 or > 65535)
            yield return $"{Section}:Port must be 1-65535 (was {Port}).";
        if (string.IsNullOrEmpty(Community))
            yield return $"{Section}:Community must not be empty.";
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
            yield return $"{Section}:Timeout must be above 0 and at most 1 minute (was {Timeout}).";
        if (Retries is < 0 or > 10)
            yield return $"{Section}:Retries must be 0-10 (was {Retries}).";
        if (MaxResponseBytes is < 484 or > 65507)
            yield return $"{Section}:MaxResponseBytes must be 484-65507 (was {MaxResponseBytes}).";
        if (MaxTableRows is < 1 or > 10_000)
            yield return $"{Section}:MaxTableRows must be 1-10000 (was {MaxTableRows}).";
        if (FailuresBeforeBackoff < 1)
            yield return $"{Section}:FailuresBeforeBackoff must be 1 or more (was {FailuresBeforeBackoff}).";
        if (MaxBackoff < TimeSpan.Zero)
            yield return $"{Section}:MaxBackoff must not be negative (was {MaxBackoff}).";
        if (RecoveryProbeInterval < TimeSpan.FromMilliseconds(100) || RecoveryProbeInterval > TimeSpan.FromHours(1))
            yield return $"{Section}:RecoveryProbeInterval must be between 100 ms and 1 hour (was {RecoveryProbeInterval}).";
    }
}
