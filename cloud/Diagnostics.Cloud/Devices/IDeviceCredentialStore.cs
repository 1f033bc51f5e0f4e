using Diagnostics.Cloud.Certificates;

namespace Diagnostics.Cloud.Devices;

/// <summary>Who a device is: its token's hash, whether its credentials are revoked, and the certificates issued to it.</summary>
public interface IDeviceCredentialStore
{
    /// <summary>False when a device with that id already exists.</summary>
    Task<bool> TryAddAsync(NewDevice device, CancellationToken cancellationToken);

    /// <summary>Null for an unknown device; <paramref name="now"/> decides which certificates are still valid.</summary>
    Task<DeviceCredentials?> GetAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>New credentials for a decommissioned device (history kept); false when it is not decommissioned.</summary>
    Task<bool> ReRegisterAsync(NewDevice device, string actor, CancellationToken cancellationToken);

    /// <summary>Replaces the token and revokes every certificate; false for an unknown device.</summary>
    Task<bool> ReplaceTokenAsync(string deviceId, byte[] hash, byte[] salt, DateTimeOffset at, string actor, CancellationToken cancellationToken);

    /// <summary>Revokes the token and every certificate (the device is decommissioned); false for an unknown device.</summary>
    Task<bool> RevokeAsync(string deviceId, DateTimeOffset at, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Records the certificate (registering the device when it is new), unless the device already holds one for the same
    /// key that is valid and not revoked: then that one is the answer. Requests for one device are taken one at a time.
    /// </summary>
    Task<CertificateIssueResult> AddCertificateAsync(CertificateIssue issue, CancellationToken cancellationToken);

    /// <summary>The device's certificate for this key that is valid at <paramref name="now"/> and not revoked, or null.</summary>
    Task<IssuedCertificate?> FindActiveCertificateForKeyAsync(string deviceId, string keyFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    Task<DeviceCertificateRecord?> GetCertificateAsync(string serial, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<DeviceCertificateRecord>> ListCertificatesAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Every device's revoked certificates that have not expired at <paramref name="now"/> (what a revocation list must name).</summary>
    Task<IReadOnlyList<DeviceCertificateRecord>> ListRevokedCertificatesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes the device's certificates issued before <paramref name="serial"/>: it now uses that one.</summary>
    Task<int> SupersedeOlderAsync(string deviceId, string serial, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes, as superseded, every certificate whose device holds a newer unrevoked one issued at or before
    /// <paramref name="renewedBy"/> (for brokers that cannot tell which certificate a device uses); the number revoked.
    /// </summary>
    Task<int> SupersedeRenewedAsync(DateTimeOffset renewedBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Revocations and rotations recorded after an audit sequence, oldest first.</summary>
    Task<IReadOnlyList<CredentialChange>> ChangesAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    Task<long> LastAuditSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Keeps a request for an admin, unless one for that device already waits or <paramref name="maxWaiting"/> do.</summary>
    Task<HoldOutcome> HoldRequestAsync(CertificateRequestRecord request, int maxWaiting, CancellationToken cancellationToken);

    Task<CertificateRequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>Requests an admin has not decided yet, oldest first.</summary>
    Task<IReadOnlyList<CertificateRequestRecord>> ListPendingRequestsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Approves or declines a pending request of that device (with its audit record); false when there is none.</summary>
    Task<bool> DecideRequestAsync(string deviceId, string requestId, bool approve, string actor, DateTimeOffset at, CancellationToken cancellationToken);
}
