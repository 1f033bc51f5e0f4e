using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// Renews the device's client certificate before it runs out: at two thirds of its lifetime the agent makes a new key
/// and sends a signing request for it over the MQTT session its current certificate authenticated
/// (<c>up/csr</c>); the certificate that comes back (<c>down/certificate</c>) is checked against that key, saved, and
/// used from the next connection on. Nothing in the outbox is touched: what was not acknowledged is sent again after the
/// reconnect, so a renewal loses no message. An unanswered request is sent again after a while.
/// </summary>
public sealed partial class CertificateRenewal(string deviceId, DeviceCertificate certificate, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan MinRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private ECDsa? _pendingKey;
    private byte[]? _pendingRequest;
    private DateTimeOffset _sentAt = DateTimeOffset.MinValue;
    private long _renewals;

    public DeviceCertificate Certificate => certificate;

    /// <summary>Certificates received and taken into use since start.</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>When <see cref="TakeRequest"/> will next have something to send.</summary>
    public DateTimeOffset DueAt
    {
        get
        {
            lock (_lock)
                return _pendingRequest is null ? certificate.RenewAt : _sentAt + RetryInterval();
        }
    }

    /// <summary>The signing request to send now (DER), when the certificate is due for renewal and no request is in flight; otherwise null.</summary>
    public byte[]? TakeRequest()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (now < certificate.RenewAt || (_pendingRequest is not null && now < _sentAt + RetryInterval()))
                return null;
            if (_pendingRequest is null)
            {
                var (key, request) = DeviceCertificate.NewRequest(deviceId);
                (_pendingKey, _pendingRequest) = (key, request.CreateSigningRequest());
            }
            _sentAt = now;
            Log.Requested(logger, deviceId, new DateTimeOffset(certificate.Current.NotAfter.ToUniversalTime()));
            return _pendingRequest;
        }
    }

    /// <summary>Takes a certificate the cloud sent: true when it fits the key asked about and is saved (reconnect to use it).</summary>
    public async Task<bool> AcceptAsync(byte[] der, CancellationToken cancellationToken)
    {
        ECDsa? key;
        lock (_lock)
            key = _pendingKey;
        X509Certificate2 issued;
        try
        {
            issued = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            Log.Ignored(logger, deviceId, "it is not a certificate: " + ex.Message);
            return false;
        }
        using (issued)
        {
            if (key is null)
            {
                Log.Ignored(logger, deviceId, "no renewal was asked for");
                return false;
            }
            if (!DeviceCertificate.Fits(issued, key, deviceId, out var reason))
            {
                Log.Ignored(logger, deviceId, reason);
                return false;
            }
            await certificate.ReplaceAsync(key, issued, cancellationToken);
        }
        lock (_lock)
        {
            if (ReferenceEquals(_pendingKey, key))
                (_pendingKey, _pendingRequest) = (null, null);
        }
        key.Dispose();
        Interlocked.Increment(ref _renewals);
        Log.Renewed(logger, deviceId, certificate.Current.SerialNumber, new DateTimeOffset(certificate.Current.NotAfter.ToUniversalTime()));
        return true;
    }

    /// <summary>A quarter of the time left after the renewal point, between a second and five minutes.</summary>
    private TimeSpan RetryInterval()
    {
        var left = (new DateTimeOffset(certificate.Current.NotAfter.ToUniversalTime()) - certificate.RenewAt) / 4;
        return left < MinRetry ? MinRetry : left > MaxRetry ? MaxRetry : left;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CertificateRenewalRequested, LogLevel.Information, "{DeviceId} asks for its next certificate (the current one ends {NotAfter:u})")]
        public static partial void Requested(ILogger logger, string deviceId, DateTimeOffset notAfter);

        [LoggerMessage(AgentLogEvents.CertificateRenewed, LogLevel.Information, "{DeviceId} renewed its certificate: serial {Serial}, valid until {NotAfter:u}; reconnecting with it")]
        public static partial void Renewed(ILogger logger, string deviceId, string serial, DateTimeOffset notAfter);

        [LoggerMessage(AgentLogEvents.CertificateRenewalIgnored, LogLevel.Warning, "{DeviceId} ignores a certificate from the cloud: {Reason}")]
        public static partial void Ignored(ILogger logger, string deviceId, string reason);
    }
}
