using System.Security.Cryptography;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Devices;

/// <summary>Who sent a certificate request, as far as the cloud could tell.</summary>
public enum EnrollmentCaller
{
    /// <summary>Neither key nor token: the request waits for an admin.</summary>
    Anonymous,

    /// <summary>Presented the enrollment key: may enroll a device that is new or decommissioned.</summary>
    EnrollmentKey,

    /// <summary>Authenticated as the device (its token, or its certificate over MQTT): may get a certificate for itself.</summary>
    Device,

    /// <summary>A signed-in admin: may enroll any device.</summary>
    Admin,
}

public enum EnrollmentStatus
{
    Issued,
    Held,
    Pending,
    InvalidDeviceId,
    InvalidRequest,
    DeviceIsRegistered,
    NotRegistered,
    AlreadyWaiting,
    TooManyWaiting,
    Declined,
    UnknownRequest,
}

/// <summary>The answer to a certificate request: the certificate (and, for a device registered by it, its token, shown once), or why not.</summary>
public sealed record EnrollmentResult(EnrollmentStatus Status, IssuedCertificate? Certificate = null, string? Token = null, string? RequestId = null, string? Detail = null);

/// <summary>
/// Turns devices' certificate signing requests into client certificates: at once for an admin, for the enrollment key
/// (a new or decommissioned device, registered by it) and for the device itself (its token, or over MQTT the
/// certificate it renews); otherwise the request waits for an admin's approval and the device collects the certificate
/// with the request's id. Every certificate issued is in the registry (the broker accepts no other) and the audit trail.
/// </summary>
public sealed partial class CertificateEnrollment(
    IDeviceCredentialStore store, DeviceCertificateAuthority authority, IOptions<CertificateOptions> options, TimeProvider time,
    CloudMetrics metrics, ILogger<CertificateEnrollment> logger)
{
    // Why a request was refused or declined, in the reader's language: Resources/Devices/CredentialExplanations.
    private static readonly LocalizedTexts Texts = new("Devices.CredentialExplanations");

    public async Task<EnrollmentResult> EnrollAsync(
        string deviceId, string? model, string? csrPem, EnrollmentCaller caller, string actor, CancellationToken cancellationToken)
    {
        if (!Topics.IsValidDeviceId(deviceId))
            return new(EnrollmentStatus.InvalidDeviceId);
        if (SigningRequests.TryParsePem(csrPem, out var error) is not { } request)
            return Refused(deviceId, EnrollmentStatus.InvalidRequest, error!);
        switch (caller)
        {
            case EnrollmentCaller.Admin:
                return await IssueAsync(deviceId, model ?? "", request, IssueTo.Any, actor, null, cancellationToken);
            case EnrollmentCaller.EnrollmentKey:
                return await IssueAsync(deviceId, model ?? "", request, IssueTo.NewDevice, actor, null, cancellationToken);
            case EnrollmentCaller.Device:
                // A device holding a live certificate renews over MQTT with it: its token alone must not mint another. The
                // same key asked for again (an answer lost on the way) gets the certificate it already has, from IssueAsync.
                if (await store.GetAsync(deviceId, time.GetUtcNow(), cancellationToken) is { HasActiveCertificate: true }
                    && await store.FindActiveCertificateForKeyAsync(deviceId, request.KeyFingerprint, time.GetUtcNow(), cancellationToken) is null)
                    return Refused(deviceId, EnrollmentStatus.DeviceIsRegistered, new(Texts, "RenewsOverMqtt"));
                return await IssueAsync(deviceId, model ?? "", request, IssueTo.RegisteredDevice, actor, null, cancellationToken);
            default:
                return await HoldAsync(deviceId, model ?? "", csrPem!, request, actor, cancellationToken);
        }
    }

    /// <summary>A renewal over MQTT: the session authenticated the device, the request (DER) carries the next key.</summary>
    public async Task<EnrollmentResult> RenewAsync(string deviceId, byte[] csrDer, CancellationToken cancellationToken)
    {
        if (SigningRequests.TryParse(csrDer, out var error) is not { } request)
            return Refused(deviceId, EnrollmentStatus.InvalidRequest, error!);
        return await IssueAsync(deviceId, "", request, IssueTo.RegisteredDevice, $"device {deviceId} (renewal over MQTT)", null, cancellationToken);
    }

    /// <summary>What the device that sent a held request finds under its id: still pending, declined, or its certificate.</summary>
    public async Task<EnrollmentResult> CollectAsync(string deviceId, string requestId, CancellationToken cancellationToken)
    {
        var held = await store.GetRequestAsync(requestId, cancellationToken);
        if (held is null || held.DeviceId != deviceId)
            return new(EnrollmentStatus.UnknownRequest);
        switch (held.State)
        {
            case CertificateRequestState.Pending:
                return new(EnrollmentStatus.Pending, RequestId: requestId);
            case CertificateRequestState.Declined:
                return new(EnrollmentStatus.Declined, RequestId: requestId, Detail: Texts.Format("DeclinedBy", held.DecidedBy));
            case CertificateRequestState.Delivered:
                // Collected before (an answer lost on the way): the certificate again; the token was shown once.
                return new(EnrollmentStatus.Issued, ToIssued(held), RequestId: requestId);
            default:
                var request = SigningRequests.TryParsePem(held.CsrPem, out var error)
                    ?? throw new InvalidOperationException($"Stored certificate request {requestId} no longer parses: {error?.Invariant}");
                return await IssueAsync(deviceId, held.Model, request, IssueTo.NewDevice, $"approved by {held.DecidedBy}", requestId, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<CertificateRequestView>> ListPendingAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListPendingRequestsAsync(options.Value.MaxPendingRequests, cancellationToken))
            .Select(r => new CertificateRequestView(r.Id, r.DeviceId, r.Model, r.KeyFingerprint, r.RequestedAt, r.RequestedFrom))];

    public async Task<bool> DecideAsync(string deviceId, string requestId, bool approve, string actor, CancellationToken cancellationToken)
    {
        if (!await store.DecideRequestAsync(deviceId, requestId, approve, actor, time.GetUtcNow(), cancellationToken))
            return false;
        LogDecided(requestId, deviceId, approve ? "approved" : "declined", actor);
        return true;
    }

    private async Task<EnrollmentResult> HoldAsync(string deviceId, string model, string csrPem, SigningRequest request, string from, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(deviceId, time.GetUtcNow(), cancellationToken) is { IsRevoked: false })
            return Refused(deviceId, EnrollmentStatus.DeviceIsRegistered, new(Texts, "RegisteredEnrollWithCredentials"));
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var record = new CertificateRequestRecord(id, deviceId, model, csrPem, request.KeyFingerprint, CertificateRequestState.Pending,
            time.GetUtcNow(), from, null, null, null);
        var outcome = await store.HoldRequestAsync(record, options.Value.MaxPendingRequests, cancellationToken);
        if (outcome != HoldOutcome.Held)
            return outcome == HoldOutcome.AlreadyWaiting
                ? Refused(deviceId, EnrollmentStatus.AlreadyWaiting, new(Texts, "AlreadyWaiting"))
                : Refused(deviceId, EnrollmentStatus.TooManyWaiting, new(Texts, "TooManyWaiting"));
        LogHeld(id, deviceId, request.KeyFingerprint, from);
        return new(EnrollmentStatus.Held, RequestId: id);
    }

    private async Task<EnrollmentResult> IssueAsync(
        string deviceId, string model, SigningRequest request, IssueTo to, string actor, string? requestId, CancellationToken cancellationToken)
    {
        // One key, one certificate: a request sent again (a retry after a lost answer, a slow machine) is answered with the
        // certificate already issued for its key, not a second one. The store checks again under the device's lock, for
        // two requests at once.
        if (to != IssueTo.NewDevice && await store.FindActiveCertificateForKeyAsync(deviceId, request.KeyFingerprint, time.GetUtcNow(), cancellationToken) is { } earlier)
            return SentAgain(earlier, actor, requestId);
        var certificate = authority.Issue(deviceId, request);
        var token = DeviceTokens.NewToken();
        var (outcome, answer) = await store.AddCertificateAsync(
            new CertificateIssue(certificate, request.KeyFingerprint, model, to, DeviceTokens.Hash(token), actor, time.GetUtcNow(), requestId), cancellationToken);
        switch (outcome)
        {
            case CertificateIssueOutcome.Issued or CertificateIssueOutcome.IssuedToNewDevice:
                LogIssued(deviceId, certificate.Serial, certificate.NotAfter, actor);
                return new(EnrollmentStatus.Issued, certificate, outcome == CertificateIssueOutcome.IssuedToNewDevice ? token : null, requestId);
            case CertificateIssueOutcome.AlreadyIssued:
                return SentAgain(answer!, actor, requestId);
            case CertificateIssueOutcome.DeviceIsRegistered:
                return Refused(deviceId, EnrollmentStatus.DeviceIsRegistered, new(Texts, "RegisteredAndLive"));
            case CertificateIssueOutcome.RequestNotApproved:
                return Refused(deviceId, EnrollmentStatus.UnknownRequest, new(Texts, "NoLongerApproved"));
            default:
                return Refused(deviceId, EnrollmentStatus.NotRegistered, new(Texts, "NotRegistered"));
        }
    }

    private static IssuedCertificate ToIssued(CertificateRequestRecord held) => IssuedCertificate.FromDer(held.DeviceId, held.Certificate!);

    private EnrollmentResult SentAgain(IssuedCertificate earlier, string actor, string? requestId)
    {
        LogSentAgain(earlier.DeviceId, earlier.Serial, actor);
        return new(EnrollmentStatus.Issued, earlier, RequestId: requestId);
    }

    /// <summary>Refused: explained in the reader's language (an admin's request's culture; English for a device), logged in English.</summary>
    private EnrollmentResult Refused(string deviceId, EnrollmentStatus status, LocalizedMessage why)
    {
        metrics.AccessRefused(AccessRefusal.Enrollment);
        LogRefused(deviceId, status, why.Invariant);
        return new(status, Detail: why.ForReader);
    }

    [LoggerMessage(EventId = DevicesEventIds.DeviceCertificateIssued, Level = LogLevel.Information, Message = "Certificate {Serial} issued to device {DeviceId}, valid until {NotAfter:u} ({Actor})")]
    private partial void LogIssued(string deviceId, string serial, DateTimeOffset notAfter, string actor);

    [LoggerMessage(EventId = DevicesEventIds.DeviceCertificateSentAgain, Level = LogLevel.Information,
        Message = "Certificate {Serial} sent again to device {DeviceId}: it asked again for the key that certificate certifies ({Actor})")]
    private partial void LogSentAgain(string deviceId, string serial, string actor);

    [LoggerMessage(EventId = DevicesEventIds.CertificateRequestHeld, Level = LogLevel.Warning,
        Message = "Certificate request {RequestId} for device {DeviceId} (key SHA-256 {KeyFingerprint}) from {From} waits for an admin: POST /api/devices/{DeviceId}/certificate/requests/{RequestId}/approve")]
    private partial void LogHeld(string requestId, string deviceId, string keyFingerprint, string from);

    [LoggerMessage(EventId = DevicesEventIds.CertificateRequestDecided, Level = LogLevel.Information, Message = "Certificate request {RequestId} for device {DeviceId} {Decision} by {Actor}")]
    private partial void LogDecided(string requestId, string deviceId, string decision, string actor);

    [LoggerMessage(EventId = DevicesEventIds.EnrollmentRefused, Level = LogLevel.Warning, Message = "Certificate request for device {DeviceId} refused ({Status}): {Detail}")]
    private partial void LogRefused(string deviceId, EnrollmentStatus status, string detail);
}
