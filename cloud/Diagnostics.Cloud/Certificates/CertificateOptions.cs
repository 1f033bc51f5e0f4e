using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Certificates;

/// <summary>
/// The server's TLS certificate (HTTPS and MQTT over TLS) and the CA that signs devices' client certificates.
/// Section <c>Certificates</c>. Nothing configured: development ones are created in <see cref="Directory"/> at first start.
/// </summary>
public sealed class CertificateOptions
{
    public const string SectionName = "Certificates";

    /// <summary>Where development certificates and the created device CA are kept; empty: <c>certificates</c> beside the database.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// The server certificate: a PEM file (the certificate, with <see cref="ServerKeyPath"/>) or a PKCS#12 file
    /// (<c>.pfx</c>/<c>.p12</c>, with <see cref="ServerCertificatePassword"/>). Reloaded when the file changes.
    /// Empty: a development CA and server certificate are created in <see cref="Directory"/>.
    /// </summary>
    public string ServerCertificatePath { get; set; } = "";

    /// <summary>The PEM private key of a PEM server certificate; empty: the key is in the certificate file.</summary>
    public string ServerKeyPath { get; set; } = "";

    /// <summary>Password of a PKCS#12 file or of an encrypted PEM key.</summary>
    public string ServerCertificatePassword { get; set; } = "";

    /// <summary>The operator's own device CA (PEM certificate, with <see cref="DeviceCaKeyPath"/>, or PKCS#12); empty: one is created in <see cref="Directory"/>.</summary>
    public string DeviceCaCertificatePath { get; set; } = "";

    public string DeviceCaKeyPath { get; set; } = "";

    public string DeviceCaPassword { get; set; } = "";

    /// <summary>How long a device certificate is valid; devices renew at two thirds of it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DeviceCertificateLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Most certificate requests waiting for an admin's approval at once; more are refused until some are decided.</summary>
    [Range(1, 100_000)]
    public int MaxPendingRequests { get; set; } = 1000;
}
