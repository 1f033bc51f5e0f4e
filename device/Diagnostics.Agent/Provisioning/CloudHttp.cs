using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Agent.Uplink;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// The HTTP client of a device that holds a certificate: over HTTPS it shows its current client certificate (mutual
/// TLS — a renewed one from the next connection on), so payload downloads and report uploads need no token. The cloud
/// is checked by the same rules as the broker (<see cref="BrokerTls"/>: the system trust store, or the pinned CA file,
/// or the server certificate's fingerprint from <c>Broker:</c> settings), since one cloud serves both with one
/// certificate. A device's connections are its own: a gateway gives each of its devices its own client.
/// </summary>
public static class CloudHttp
{
    /// <summary>How long a pooled connection lives, so a renewed certificate is taken up without a restart.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <param name="refused">Told why the cloud's certificate was refused (for the log).</param>
    public static HttpClient WithClientCertificate(DeviceCertificate certificate, BrokerOptions trust, TimeSpan timeout, Action<string>? refused = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(trust);
        var pinnedCa = trust.CaCertificatePath.Length > 0 ? LoadCa(trust.CaCertificatePath) : null;
        var fingerprint = BrokerTls.ParseFingerprint(trust.CertificateFingerprint);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = ConnectionLifetime,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Current,
                RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                {
                    var why = Refusal(presented, errors, pinnedCa, fingerprint);
                    if (why is not null)
                        refused?.Invoke(why);
                    return why is null;
                },
            },
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = timeout };
    }

    private static X509Certificate2 LoadCa(string path)
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(path);
        return all[0];
    }

    /// <summary>Null when the cloud's certificate is trusted; otherwise why not.</summary>
    private static string? Refusal(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2? pinnedCa, byte[]? fingerprint)
    {
        if (presented is null)
            return "it showed no certificate";
        if (fingerprint is not null)
        {
            var hash = SHA256.HashData(presented.GetRawCertData());
            return CryptographicOperations.FixedTimeEquals(hash, fingerprint)
                ? null
                : $"its certificate's SHA-256 {Convert.ToHexString(hash)} is not the pinned {Convert.ToHexString(fingerprint)}";
        }
        if (pinnedCa is null)
            return errors == SslPolicyErrors.None ? null : errors.ToString();
        // The name is still checked; only the root of trust is the pinned CA (a private CA publishes no revocation list).
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return errors.ToString();
        using var server = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pinnedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server)
            ? null
            : "not valid under the pinned CA: " + string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
    }
}
