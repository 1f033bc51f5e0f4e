namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>Where the IPP printer is and how patiently to ask it. Bound from the <c>Ipp</c> section.</summary>
public sealed class IppCollectorOptions
{
    public const string Section = "Ipp";

    /// <summary><c>ipp://host[:port]/path</c> (sent as http, default port 631) or <c>ipps://</c> (https).</summary>
    public Uri? PrinterUri { get; set; }

    /// <summary>One Get-Printer-Attributes round trip; a slower printer counts as unreachable for this read.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Responses above this are refused (a full Get-Printer-Attributes of a real printer is 10-60 KB).</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>After a failed read the next attempt waits this long, doubling per consecutive failure ...</summary>
    public TimeSpan BackoffInitial { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>... up to this.</summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failures in a row before backing off; the first ones retry at the normal poll rate.</summary>
    public int FailuresBeforeBackoff { get; set; } = 2;

    public IEnumerable<string> Validate()
    {
        if (PrinterUri is null || !PrinterUri.IsAbsoluteUri || PrinterUri.Scheme is not ("ipp" or "ipps" or "http" or "https"))
            yield return $"{Section}:PrinterUri must be an absolute ipp://, ipps://, http:// or https:// URI (was '{PrinterUri}').";
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
            yield return $"{Section}:RequestTimeout must be above 0 and at most 5 minutes (was {RequestTimeout}).";
        if (MaxResponseBytes is < 1024 or > 64 * 1024 * 1024)
            yield return $"{Section}:MaxResponseBytes must be between 1024 and 67108864 (was {MaxResponseBytes}).";
        if (BackoffInitial <= TimeSpan.Zero || BackoffMax < BackoffInitial)
            yield return $"{Section}:BackoffInitial must be above 0 and not above BackoffMax.";
        if (FailuresBeforeBackoff < 1)
            yield return $"{Section}:FailuresBeforeBackoff must be 1 or more (was {FailuresBeforeBackoff}).";
    }
}
