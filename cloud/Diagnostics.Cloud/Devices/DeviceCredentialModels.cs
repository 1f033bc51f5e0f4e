using Diagnostics.Cloud.Certificates;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// What is stored to check a device's credentials (never the token itself): its token's hash, when its credentials
/// were revoked (decommissioned), and how many certificates it holds that are valid and not revoked — with one, the
/// broker takes only a certificate from it, not the token.
/// </summary>
public sealed record DeviceCredentials(string DeviceId, byte[] TokenHash, byte[] TokenSalt, DateTimeOffset? RevokedAt, int ActiveCertificates)
{
    public bool IsRevoked => RevokedAt is not null;

    public bool HasActiveCertificate => ActiveCertificates > 0;
}

public sealed record NewDevice(string DeviceId, string Model, byte[] TokenHash, byte[] TokenSalt, DateTimeOffset RegisteredAt);

/// <summary>A certificate the device CA issued, as the registry keeps it.</summary>
/// <remarks><see cref="KeyFingerprint"/>: SHA-256 of the certified key (<c>SigningRequests.FingerprintOf</c>); null for certificates issued before it was kept.</remarks>
public sealed record DeviceCertificateRecord(
    string Serial, string DeviceId, string Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset IssuedAt,
    DateTimeOffset? RevokedAt, string? RevocationReason, string? KeyFingerprint)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && NotBefore <= now && now < NotAfter;
}

/// <summary>A device's credentials for an admin: whether they are revoked, and its certificates (newest first).</summary>
public sealed record DeviceCredentialsView(string DeviceId, DateTimeOffset? RevokedAt, IReadOnlyList<DeviceCertificateRecord> Certificates);

/// <summary>Which devices a certificate may be issued to.</summary>
public enum IssueTo
{
    /// <summary>A registered device whose credentials are not revoked (it authenticated, or an admin asked).</summary>
    RegisteredDevice,

    /// <summary>A device not registered yet, or decommissioned: it is registered (again) with the new token.</summary>
    NewDevice,

    /// <summary>Either (an admin enrolls).</summary>
    Any,
}

/// <summary>One certificate to record, with the device it registers (<see cref="NewToken"/>) when there is none yet.</summary>
public sealed record CertificateIssue(
    IssuedCertificate Certificate, string KeyFingerprint, string Model, IssueTo To, (byte[] Hash, byte[] Salt) NewToken, string Actor, DateTimeOffset At,
    string? DeliversRequestId = null);

public enum CertificateIssueOutcome
{
    /// <summary>Recorded for a registered device; its token did not change.</summary>
    Issued,

    /// <summary>Recorded, and the device was registered (again) with the new token.</summary>
    IssuedToNewDevice,

    /// <summary>Refused: the device is registered and its credentials are live.</summary>
    DeviceIsRegistered,

    /// <summary>Refused: no such device, or its credentials are revoked.</summary>
    NotRegistered,

    /// <summary>Refused: the request it answers is no longer approved (declined, or delivered meanwhile).</summary>
    RequestNotApproved,

    /// <summary>
    /// Not recorded: the device already holds a certificate for this key, valid and not revoked (the same request sent
    /// twice, or twice at once); that certificate is the answer.
    /// </summary>
    AlreadyIssued,
}

/// <summary>What became of a <see cref="CertificateIssue"/>, and the certificate that answers it (the new one, or the one issued before for the key).</summary>
public sealed record CertificateIssueResult(CertificateIssueOutcome Outcome, IssuedCertificate? Certificate);

/// <summary>A revocation or rotation the audit trail recorded: the broker ends the device's session.</summary>
public sealed record CredentialChange(long Sequence, string DeviceId, string Action);

/// <summary>The audit actions of device credentials (see <see cref="Audit.AuditTrail"/>).</summary>
public static class CredentialAuditActions
{
    public const string Revoked = "device.credentials.revoked";
    public const string Rotated = "device.credentials.rotated";
    public const string Reregistered = "device.reregistered";
    public const string CertificateIssued = "device.certificate.issued";
    public const string RequestApproved = "device.certificate.request.approved";
    public const string RequestDeclined = "device.certificate.request.declined";

    /// <summary>Changes after which a live session must end: its credentials no longer stand.</summary>
    public static readonly IReadOnlyList<string> EndSessions = [Revoked, Rotated];
}

public enum CertificateRequestState
{
    Pending,
    Approved,
    Declined,
    Delivered,
}

/// <summary>A certificate request held for an admin's decision; <see cref="Id"/> is the requester's secret.</summary>
public sealed record CertificateRequestRecord(
    string Id, string DeviceId, string Model, string CsrPem, string KeyFingerprint, CertificateRequestState State,
    DateTimeOffset RequestedAt, string RequestedFrom, string? DecidedBy, DateTimeOffset? DecidedAt, byte[]? Certificate);

/// <summary>A waiting request as an admin sees it: compare the key fingerprint with the one the device shows before approving.</summary>
public sealed record CertificateRequestView(string RequestId, string DeviceId, string Model, string KeyFingerprint, DateTimeOffset RequestedAt, string RequestedFrom);

public enum HoldOutcome
{
    Held,
    /// <summary>A request for that device already waits: a second one could swap the key an admin is about to approve.</summary>
    AlreadyWaiting,
    TooManyWaiting,
}
