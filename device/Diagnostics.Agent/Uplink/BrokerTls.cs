using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// How the agent checks the broker over TLS: the system trust store by default; a pinned CA file
/// (<see cref="BrokerOptions.CaCertificatePath"/>) trusted instead, the broker's name still checked; or the SHA-256
/// fingerprint of the broker's own certificate (<see cref="BrokerOptions.CertificateFingerprint"/>). A broker that
/// fails the check is not spoken to; there is no plain fallback. With a client certificate the device authenticates by
/// it (mutual TLS) instead of its token.
/// </summary>
public static class BrokerTls
{
    /// <param name="refused">Told why the broker's certificate was refused (for the log).</param>
    public static MqttClientTlsOptions Build(BrokerOptions options, X509Certificate2? clientCertificate, Action<string>? refused = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithTargetHost(options.TlsServerName.Length > 0 ? options.TlsServerName : options.Host);
        if (clientCertificate is not null)
            tls = tls.WithClientCertificates([clientCertificate]);
        if (ParseFingerprint(options.CertificateFingerprint) is { } pinned)
        {
            tls = tls.WithCertificateValidationHandler(e =>
            {
                var presented = e.Certificate is null ? null : SHA256.HashData(e.Certificate.GetRawCertData());
                var matches = presented is not null && CryptographicOperations.FixedTimeEquals(presented, pinned);
                if (!matches)
                    refused?.Invoke($"its certificate's SHA-256 {(presented is null ? "(none)" : Convert.ToHexString(presented))} is not the pinned {Convert.ToHexString(pinned)}");
                return matches;
            });
        }
        else
        {
            if (options.CaCertificatePath.Length > 0)
            {
                var trusted = new X509Certificate2Collection();
                trusted.ImportFromPemFile(options.CaCertificatePath);
                // A private CA publishes no revocation list to ask.
                tls = tls.WithTrustChain(trusted).WithRevocationMode(X509RevocationMode.NoCheck);
            }
            tls = tls.WithCertificateValidationHandler(e =>
            {
                if (e.SslPolicyErrors == SslPolicyErrors.None)
                    return true;
                refused?.Invoke($"{e.SslPolicyErrors}: {string.Join(", ", e.Chain?.ChainStatus.Select(s => s.Status.ToString()) ?? [])}");
                return false;
            });
        }
        return tls.Build();
    }

    /// <summary>32 bytes from 64 hex digits (colons and spaces ignored), or null.</summary>
    public static byte[]? ParseFingerprint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
            return null;
        return Convert.FromHexString(hex);
    }
}
