using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Certificates;

/// <summary>
/// The certificate the cloud presents to HTTPS clients and to devices on MQTT over TLS: the configured file, or the
/// development one. Every handshake asks for <see cref="Current"/>, which loads the files again when they changed
/// (size or write time), so replacing a certificate needs no restart; files that do not load (half copied, key not
/// matching yet) leave the previous certificate in place and are tried again at the next handshake.
/// </summary>
public sealed partial class ServerCertificate(
    IOptions<CertificateOptions> options, CertificateDirectory directory, TimeProvider time, ILogger<ServerCertificate> logger)
{
    private readonly Lock _lock = new();
    private X509Certificate2? _current;
    private string _stamp = "";
    private string _failedStamp = "";
    private (string Certificate, string Key, string Password)? _files;

    /// <summary>The development CA that signed the server certificate; null when the operator configured their own certificate.</summary>
    public string? DevelopmentCaPath { get; private set; }

    public string CertificatePath => Files().Certificate;

    public X509Certificate2 Current
    {
        get
        {
            lock (_lock)
            {
                var (certificate, key, password) = Files();
                var stamp = CertificateFiles.Stamp(certificate, key);
                if (_current is not null && (stamp == _stamp || stamp == _failedStamp))
                    return _current;
                try
                {
                    var loaded = CertificateFiles.LoadWithKey(certificate, key, password);
                    var reloaded = _current is not null;
                    (_current, _stamp, _failedStamp) = (loaded, stamp, "");
                    if (reloaded)
                        LogReloaded(certificate, loaded.Subject, loaded.NotAfter);
                    else
                        LogLoaded(certificate, loaded.Subject, loaded.NotAfter);
                }
                catch (Exception ex) when (_current is not null && ex is CryptographicException or IOException or ArgumentException or UnauthorizedAccessException)
                {
                    _failedStamp = stamp;
                    LogReloadFailed(certificate, ex.Message);
                }
                return _current;
            }
        }
    }

    /// <summary>SHA-256 of the current certificate (what a device may pin with <c>Broker:CertificateFingerprint</c>).</summary>
    public string Fingerprint => Convert.ToHexString(Current.GetCertHash(HashAlgorithmName.SHA256));

    private (string Certificate, string Key, string Password) Files()
    {
        if (_files is { } files)
            return files;
        var settings = options.Value;
        if (settings.ServerCertificatePath.Length > 0)
        {
            _files = (Path.GetFullPath(settings.ServerCertificatePath), settings.ServerKeyPath.Length > 0 ? Path.GetFullPath(settings.ServerKeyPath) : "", settings.ServerCertificatePassword);
        }
        else
        {
            var development = DevelopmentCertificates.Ensure(directory, time.GetUtcNow());
            DevelopmentCaPath = development.CaCertificatePath;
            _files = (development.ServerCertificatePath, development.ServerKeyPath, "");
            LogDevelopment(development.CreatedCa ? "created" : "using", development.CaCertificatePath, development.ServerCertificatePath,
                string.Join(", ", DevelopmentCertificates.HostNames().Concat(DevelopmentCertificates.Addresses().Select(a => a.ToString()))));
        }
        return _files.Value;
    }

    [LoggerMessage(EventId = CertificatesEventIds.ServerCertificateLoaded, Level = LogLevel.Information, Message = "Server certificate {Path}: {Subject}, valid until {NotAfter:u}")]
    private partial void LogLoaded(string path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = CertificatesEventIds.ServerCertificateReloaded, Level = LogLevel.Information, Message = "Server certificate {Path} changed and was reloaded: {Subject}, valid until {NotAfter:u}")]
    private partial void LogReloaded(string path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = CertificatesEventIds.ServerCertificateReloadFailed, Level = LogLevel.Warning, Message = "Server certificate {Path} changed but does not load ({Reason}); the previous one stays in use until it does")]
    private partial void LogReloadFailed(string path, string reason);

    [LoggerMessage(EventId = CertificatesEventIds.DevelopmentCertificates, Level = LogLevel.Warning,
        Message = "No server certificate configured (Certificates:ServerCertificatePath): {Action} the DEVELOPMENT CA {CaPath} and its server certificate {ServerPath} for {Names}. Devices pin the CA with Broker:CaCertificatePath; browsers warn until it is imported. Configure a real certificate before going on the internet.")]
    private partial void LogDevelopment(string action, string caPath, string serverPath, string names);
}
