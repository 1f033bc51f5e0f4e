using System.Collections.Concurrent;
using System.Security.Cryptography;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Devices;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>
/// Device authentication by certificate in Mosquitto (<see cref="ExternalDeviceAccounts.MosquittoCertificates"/>): the
/// broker keeps nothing per device, so registering or rotating a device asks nothing of it. What the broker needs from
/// the cloud is which certificates are no longer good: this writes the device CA's revocation list to
/// <see cref="ExternalBrokerOptions.CrlPath"/> at start, after each revocation or rotation, and before the written one
/// expires, and ends a revoked or rotated device's live session (Mosquitto checks the CRL only at the TLS handshake) by taking over its client id.
/// Mosquitto reads the file again on SIGHUP; something on the broker's host sends it when the file changes (see
/// Broker/README.md). A renewed device's older certificates are superseded <see cref="ExternalBrokerOptions.RenewedCertificateGrace"/>
/// after the newer one was issued (checked every quarter of it) and listed then.
/// </summary>
public sealed partial class MosquittoCertificateRevocations(
    IOptions<BrokerOptions> options, IDeviceCredentialStore store, DeviceCertificateAuthority authority, Lazy<ExternalBrokerConnection> connection,
    TimeProvider time, ILogger<MosquittoCertificateRevocations> logger)
    : BackgroundService, IBrokerDeviceAccounts
{
    private readonly ExternalBrokerOptions _settings = options.Value.External;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _rechecks = new(StringComparer.Ordinal);
    private DateTimeOffset _writtenAt;

    /// <summary>Serials in the list last written (for tests and the log).</summary>
    public int RevokedInList => Volatile.Read(ref _written).Count;

    /// <summary>
    /// A new or re-registered device has no account to make. A rotation revokes the device's certificates: the list is
    /// written again only if one of them is not in it yet (a first registration costs one indexed read). The rotated
    /// device's session is ended by <see cref="EndRotatedSessionAsync"/>, which every instance calls from the audit trail.
    /// </summary>
    public Task SetAsync(string deviceId, string password, CancellationToken cancellationToken) => WriteIfNotListedAsync(deviceId, cancellationToken);

    /// <summary>The device was revoked: its certificates go into the list, then its live session is ended, now and once more after <see cref="ExternalBrokerOptions.RevokedSessionRecheck"/>.</summary>
    public async Task RemoveAsync(string deviceId, CancellationToken cancellationToken)
    {
        await WriteAsync(cancellationToken);
        await EndSessionAsync(deviceId, cancellationToken);
    }

    /// <summary>
    /// The device's credentials were rotated (by the API, another instance or the command line): its old certificates
    /// are revoked in the store, so they go into the list if they are not in it yet, and the session one of them opened
    /// is ended like a revoked device's. The device enrolls again over HTTPS with its new token.
    /// </summary>
    public async Task EndRotatedSessionAsync(string deviceId, CancellationToken cancellationToken)
    {
        await WriteIfNotListedAsync(deviceId, cancellationToken);
        await EndSessionAsync(deviceId, cancellationToken);
    }

    private async Task WriteIfNotListedAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var certificates = await store.ListCertificatesAsync(deviceId, cancellationToken);
        var written = Volatile.Read(ref _written);
        if (certificates.Any(c => c.RevokedAt is not null && c.NotAfter > now && !written.Contains(c.Serial)))
            await WriteAsync(cancellationToken);
    }

    /// <summary>Mosquitto checks the list only at the TLS handshake: the live session is ended now, and once more after <see cref="ExternalBrokerOptions.RevokedSessionRecheck"/>.</summary>
    private async Task EndSessionAsync(string deviceId, CancellationToken cancellationToken)
    {
        await connection.Value.EndSessionAsync(deviceId, cancellationToken);
        LogSessionEnded(deviceId);
        // The API and every instance's audit-trail reader both end it: one recheck per device is enough.
        if (_rechecks.TryAdd(deviceId, 0))
            _ = EndAgainAsync(deviceId);
    }

    /// <summary>If the device reconnected before the broker reloaded the list, its new session is ended here; after the reload its handshake fails.</summary>
    private async Task EndAgainAsync(string deviceId)
    {
        try
        {
            await Task.Delay(_settings.RevokedSessionRecheck, time, _stopping.Token);
            await connection.Value.EndSessionAsync(deviceId, _stopping.Token);
            LogSessionEnded(deviceId);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the next start writes the list again, and the broker refuses the device once it has reloaded it.
        }
        catch (Exception ex)
        {
            LogFailed(ex, $"ending {deviceId}'s session again");
        }
        finally
        {
            _rechecks.TryRemove(deviceId, out _);
        }
    }

    /// <summary>Writes the list of every revoked, unexpired certificate now (one query; one file replaced whole).</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var revoked = await store.ListRevokedCertificatesAsync(now, cancellationToken);
            string pem;
            try
            {
                pem = authority.RevocationListPem(
                    revoked.Select(c => new RevokedCertificate(c.Serial, c.RevokedAt, c.RevocationReason == "superseded")), now + _settings.CrlLifetime);
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                throw new InvalidOperationException(
                    $"The device CA {authority.CertificatePath} cannot sign the revocation list Broker:External:CrlPath needs (it must hold its private key and allow cRLSign in its key usage): {ex.Message}", ex);
            }
            CertificateFiles.WriteAtomically(Path.GetFullPath(_settings.CrlPath), pem, ownerOnly: false);
            Volatile.Write(ref _written, revoked.Select(c => c.Serial).ToHashSet(StringComparer.Ordinal));
            _writtenAt = now;
            LogWritten(_settings.CrlPath, revoked.Count, now + _settings.CrlLifetime);
        }
        finally
        {
            _writing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // At start: the list must exist before Mosquitto's device listener can start, and must hold what was revoked while no cloud ran.
        await SupersedeRenewedAsync(stoppingToken);
        await WriteAsync(stoppingToken);
        var refresh = _settings.CrlLifetime / 2;
        var sweep = _settings.RenewedCertificateGrace / 4;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = _writtenAt + refresh - time.GetUtcNow();
                var wait = due < sweep ? due : sweep;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, stoppingToken);
                if (await SupersedeRenewedAsync(stoppingToken) > 0 || time.GetUtcNow() >= _writtenAt + refresh)
                    await WriteAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(ex, "refreshing the revocation list");
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Every instance sweeps; the update is idempotent, so the second finds nothing left to do.</summary>
    private async Task<int> SupersedeRenewedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var superseded = await store.SupersedeRenewedAsync(now - _settings.RenewedCertificateGrace, now, cancellationToken);
        if (superseded > 0)
            LogSuperseded(superseded, _settings.RenewedCertificateGrace);
        return superseded;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Stopped again after the host disposed it (a host stopped by its own RunAsync and then by its owner): nothing is left to cancel.
        }
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        _writing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = BrokerEventIds.RevocationListWritten, Level = LogLevel.Information, Message = "Device CA revocation list {Path} written: {Count} revoked certificates, valid until {NextUpdate:u}")]
    private partial void LogWritten(string path, int count, DateTimeOffset nextUpdate);

    [LoggerMessage(EventId = BrokerEventIds.DeviceSessionEnded, Level = LogLevel.Information, Message = "Session of device {DeviceId} ended at the broker (client id taken over): its certificates are revoked")]
    private partial void LogSessionEnded(string deviceId);

    [LoggerMessage(EventId = BrokerEventIds.RenewedCertificatesSuperseded, Level = LogLevel.Information, Message = "{Count} renewed device certificates superseded ({Grace} after their successor was issued); the revocation list is written again")]
    private partial void LogSuperseded(int count, TimeSpan grace);

    [LoggerMessage(EventId = BrokerEventIds.RevocationListFailed, Level = LogLevel.Error, Message = "Device CA revocation list: failed {What}")]
    private partial void LogFailed(Exception exception, string what);
}
