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

    /// <summary>While backing off, how often a TCP connect (at most <see cref="RequestTimeout"/>) asks whether the printer is back.</summary>
    public TimeSpan RecoveryProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures in a row before backing off; the first ones retry at the normal poll rate.</summary>
    public int FailuresBeforeBackoff { get; set; } = 2;

    /// <summary>Watch the printer through IPP notifications (RFC 3995/3996 ippget) when it offers them; polling otherwise.</summary>
    public bool Notifications { get; set; } = true;

    /// <summary>Asked for in Create-Printer-Subscriptions (the printer may grant less); renewed at half of what was granted.</summary>
    public TimeSpan NotificationLeaseDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest wait between two Get-Notifications. The printer's <c>notify-get-interval</c> is honoured up to this;
    /// CUPS says 60 s and does not hold requests (no notify-wait), so a lower value makes notifications more prompt.
    /// </summary>
    public TimeSpan NotificationGetIntervalMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one Get-Notifications may be held by a printer that honours notify-wait; a longer one is re-issued.</summary>
    public TimeSpan NotificationWaitTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// For <c>ipps://</c>: the SHA-256 fingerprint (hex, colons allowed) of the printer's certificate, trusted even
    /// though no authority signed it — printers mostly present self-signed certificates. Empty: the system's trust
    /// store decides. Read it with <c>openssl s_client -connect host:631 | openssl x509 -noout -fingerprint -sha256</c>.
    /// </summary>
    public string TrustedCertificateSha256 { get; set; } = "";

    /// <summary>After a subscription failed (the collector polls meanwhile), the next attempt to subscribe.</summary>
    public TimeSpan NotificationRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Validate()
    {
        if (PrinterUri is null || !PrinterUri.IsAbsoluteUri || PrinterUri.Scheme is not ("ipp" or "ipps" or "http" or "https"))
            yield return $"{Section}:PrinterUri must be an absolute ipp://, ipps://, http:// or https:// URI (was '{PrinterUri}').";
        if (TrustedCertificateSha256.Length > 0 && CertificatePin.TryParse(TrustedCertificateSha256) is null)
            yield return $"{Section}:TrustedCertificateSha256 must be 32 bytes of hex, colons allowed (was '{TrustedCertificateSha256}').";
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
            yield return $"{Section}:RequestTimeout must be above 0 and at most 5 minutes (was {RequestTimeout}).";
        if (MaxResponseBytes is < 1024 or > 64 * 1024 * 1024)
            yield return $"{Section}:MaxResponseBytes must be between 1024 and 67108864 (was {MaxResponseBytes}).";
        if (BackoffInitial <= TimeSpan.Zero || BackoffMax < BackoffInitial)
            yield return $"{Section}:BackoffInitial must be above 0 and not above BackoffMax.";
        if (RecoveryProbeInterval < TimeSpan.FromMilliseconds(100) || RecoveryProbeInterval > TimeSpan.FromHours(1))
            yield return $"{Section}:RecoveryProbeInterval must be between 100 ms and 1 hour (was {RecoveryProbeInterval}).";
        if (FailuresBeforeBackoff < 1)
            yield return $"{Section}:FailuresBeforeBackoff must be 1 or more (was {FailuresBeforeBackoff}).";
        if (NotificationLeaseDuration < TimeSpan.FromMinutes(1) || NotificationLeaseDuration > TimeSpan.FromDays(1))
            yield return $"{Section}:NotificationLeaseDuration must be between 1 minute and 1 day (was {NotificationLeaseDuration}).";
        if (NotificationGetIntervalMax < TimeSpan.FromMilliseconds(100) || NotificationGetIntervalMax > TimeSpan.FromHours(1))
            yield return $"{Section}:NotificationGetIntervalMax must be between 100 ms and 1 hour (was {NotificationGetIntervalMax}).";
        if (NotificationWaitTimeout < RequestTimeout || NotificationWaitTimeout > TimeSpan.FromMinutes(30))
            yield return $"{Section}:NotificationWaitTimeout must be at least RequestTimeout and at most 30 minutes (was {NotificationWaitTimeout}).";
        if (NotificationRetryInterval < TimeSpan.FromMilliseconds(100) || NotificationRetryInterval > TimeSpan.FromDays(1))
            yield return $"{Section}:NotificationRetryInterval must be between 100 ms and 1 day (was {NotificationRetryInterval}).";
    }
}
