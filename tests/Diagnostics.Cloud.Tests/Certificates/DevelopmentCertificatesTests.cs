using System.Net;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Certificates;

public sealed class DevelopmentCertificatesTests
{
    /// <summary>RFC 5280 4.2.1.12: id-kp-serverAuth and id-kp-clientAuth.</summary>
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    // SQLite only, as the next test: the development certificates are files in the data folder beside Storage:Path on
    // either engine, and no store holds them.
    [Fact]
    public async Task First_start_without_certificates_makes_a_development_CA_and_a_server_certificate_for_the_local_names_and_says_where()
    {
        await using var host = new CloudHost();
        _ = host.Services;
        var directory = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "certificates");

        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "dev-ca.crt"));
        using var server = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "server.crt"));
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ChainsTo(server, ca), "the server certificate chains to the development CA");
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(Environment.MachineName.ToLowerInvariant(), names.EnumerateDnsNames().Select(n => n.ToLowerInvariant()));
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains(IPAddress.IPv6Loopback, names.EnumerateIPAddresses());
        Assert.Contains(server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == ServerAuth);
        Assert.True(host.Logged(CertificatesEventIds.DevelopmentCertificates, Path.Combine(directory, "dev-ca.crt")), "the log says where the CA is");
        Assert.Equal(Path.Combine(directory, "dev-ca.crt"), host.DevelopmentCaPath);
        // The device CA is a CA of its own, beside it.
        using var deviceCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "device-ca.crt"));
        Assert.NotEqual(ca.Thumbprint, deviceCa.Thumbprint);
        Assert.True(deviceCa.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public async Task A_restart_keeps_the_certificates_of_the_first_start()
    {
        string caThumbprint, serverThumbprint, deviceCaThumbprint;
        var path = CloudHost.TempDatabasePath();
        await using (var first = new CloudHost(path))
        {
            caThumbprint = Thumbprint(first, "dev-ca.crt");
            serverThumbprint = first.Services.GetRequiredService<ServerCertificate>().Current.Thumbprint;
            deviceCaThumbprint = first.Services.GetRequiredService<DeviceCertificateAuthority>().Certificate.Thumbprint;
        }
        await using var second = new CloudHost(path);

        Assert.Equal(caThumbprint, Thumbprint(second, "dev-ca.crt"));
        Assert.Equal(serverThumbprint, second.Services.GetRequiredService<ServerCertificate>().Current.Thumbprint);
        Assert.Equal(deviceCaThumbprint, second.Services.GetRequiredService<DeviceCertificateAuthority>().Certificate.Thumbprint);
    }

    [Theory, BothEngines]
    public async Task Device_certificates_name_the_device_alone_and_serve_only_client_authentication(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (certificate, _) = await DeviceTls.EnrollAsync(host, "dev-cert-1");
        using var _certificate = certificate;
        var ca = host.Services.GetRequiredService<DeviceCertificateAuthority>().Certificate;

        Assert.Equal("CN=dev-cert-1", certificate.Subject);
        Assert.True(ChainsTo(certificate, ca));
        Assert.Equal([ClientAuth], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    private static string Thumbprint(CloudHost host, string file)
    {
        _ = host.Services;
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "certificates", file));
        return certificate.Thumbprint;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
