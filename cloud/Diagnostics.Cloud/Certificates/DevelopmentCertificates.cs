using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Diagnostics.Cloud.Certificates;

/// <summary>
/// The certificates a first start makes when none are configured: a development CA (<c>dev-ca.crt</c>, the file a
/// device pins or a browser imports) and a server certificate it signs for <c>localhost</c>, <c>127.0.0.1</c>,
/// <c>::1</c> and this machine's name. Kept across restarts; the server certificate is issued again when it nears its
/// end, when the CA changed, or when the machine's name is not on it.
/// </summary>
internal static class DevelopmentCertificates
{
    public const string CaCertificateFile = "dev-ca.crt";
    public const string CaKeyFile = "dev-ca.key";
    public const string ServerCertificateFile = "server.crt";
    public const string ServerKeyFile = "server.key";

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    // The most browsers accept for a server certificate (CA/Browser Forum), so the development one behaves like a real one.
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(397);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public sealed record Result(string CaCertificatePath, string ServerCertificatePath, string ServerKeyPath, bool CreatedCa, bool IssuedServerCertificate);

    public static Result Ensure(CertificateDirectory directory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var caPath = directory.File(CaCertificateFile);
        var caKeyPath = directory.File(CaKeyFile);
        var serverPath = directory.File(ServerCertificateFile);
        var serverKeyPath = directory.File(ServerKeyFile);

        var createdCa = false;
        X509Certificate2 ca;
        if (File.Exists(caPath) && File.Exists(caKeyPath))
        {
            ca = CertificateFiles.LoadWithKey(caPath, caKeyPath, "");
        }
        else
        {
            ca = CertificateIssuer.CreateCertificateAuthority($"Diagnostics development CA ({Environment.MachineName})", now, CaLifetime);
            CertificateFiles.WritePem(ca, caPath, caKeyPath);
            createdCa = true;
        }
        using (ca)
        {
            var issue = createdCa || !File.Exists(serverPath) || !File.Exists(serverKeyPath) || NeedsNewServerCertificate(serverPath, ca, now);
            if (issue)
            {
                using var server = CertificateIssuer.IssueServerCertificate(ca, HostNames()[0], HostNames(), Addresses(), now, ServerLifetime);
                CertificateFiles.WritePem(server, serverPath, serverKeyPath);
            }
            return new Result(caPath, serverPath, serverKeyPath, createdCa, issue);
        }
    }

    /// <summary><c>localhost</c> first, then this machine's names as far as they are valid DNS names.</summary>
    public static IReadOnlyList<string> HostNames()
    {
        var names = new List<string> { "localhost" };
        foreach (var name in new[] { Environment.MachineName, SafeHostName() })
        {
            var lower = name.ToLowerInvariant();
            if (IsDnsName(lower) && !names.Contains(lower))
                names.Add(lower);
        }
        return names;
    }

    public static IReadOnlyList<IPAddress> Addresses() => [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private static bool NeedsNewServerCertificate(string serverPath, X509Certificate2 ca, DateTimeOffset now)
    {
        using var server = X509CertificateLoader.LoadCertificateFromFile(serverPath);
        if (server.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore || server.Issuer != ca.Subject)
            return true;
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault()?.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        return !HostNames().All(names.Contains) || !ChainsTo(server, ca);
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static string SafeHostName()
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "";
        }
    }

    /// <summary>Letters, digits and hyphens in dot-separated labels (RFC 1123); anything else cannot be a SAN dNSName.</summary>
    private static bool IsDnsName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
}
