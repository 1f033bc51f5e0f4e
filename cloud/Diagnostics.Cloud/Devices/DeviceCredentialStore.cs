using System.Globalization;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Who a device is: its token's hash, the revocation of its credentials, and the certificates issued to it. Every
/// change of credentials is one transaction with its audit record, so a revocation is never stored without its record
/// (the broker follows those records to end sessions) and never recorded without taking effect.
/// </summary>
internal sealed class DeviceCredentialStore(Database database) : IDeviceCredentialStore
{
    private const string CertificateColumns =
        "serial, device_id, thumbprint, not_before_ms, not_after_ms, issued_at_ms, revoked_at_ms, revocation_reason, key_fingerprint";

    private const string ActiveCertificateForKey = """
        SELECT certificate FROM device_certificates
        WHERE device_id = @deviceId AND key_fingerprint = @keyFingerprint AND certificate IS NOT NULL
          AND revoked_at_ms IS NULL AND not_before_ms <= @now AND not_after_ms > @now
        ORDER BY issued_at_ms DESC LIMIT 1;
        """;

    private const string RequestColumns =
        "id, device_id, model, csr, key_fingerprint, state, requested_at_ms, requested_from, decided_by, decided_at_ms, certificate";

    public Task<bool> TryAddAsync(NewDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WriteAsync(work => work.InsertAsync(device), cancellationToken);
    }

    public Task<DeviceCredentials?> GetAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<DeviceCredentials>("""
            SELECT d.id AS device_id, token_hash, token_salt, credentials_revoked_at_ms AS revoked_at_ms,
                   (SELECT COUNT(*) FROM device_certificates c WHERE c.device_id = d.id AND c.revoked_at_ms IS NULL
                           AND c.not_before_ms <= @now AND c.not_after_ms > @now) AS active_certificates
            FROM devices d WHERE d.id = @deviceId;
            """, new { deviceId, now }, cancellationToken);

    public Task<bool> ReRegisterAsync(NewDevice device, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WriteAsync(async work =>
            await work.ReRegisterAsync(device) && await work.AuditAsync(device.RegisteredAt, actor, CredentialAuditActions.Reregistered, device.DeviceId,
                new() { ["model"] = device.Model }), cancellationToken);
    }

    public Task<bool> ReplaceTokenAsync(string deviceId, byte[] hash, byte[] salt, DateTimeOffset at, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async work =>
        {
            // A rotation replaces every credential: the new token is the device's only one until it enrolls again.
            if (await work.Db.ExecuteAsync("UPDATE devices SET token_hash = @hash, token_salt = @salt, credentials_revoked_at_ms = NULL WHERE id = @deviceId;",
                new { deviceId, hash, salt }, cancellationToken) == 0)
            {
                return false;
            }
            var certificates = await work.RevokeCertificatesAsync(deviceId, at, "rotated");
            return await work.AuditAsync(at, actor, CredentialAuditActions.Rotated, deviceId, new() { ["certificatesRevoked"] = Invariant(certificates) });
        }, cancellationToken);

    public Task<bool> RevokeAsync(string deviceId, DateTimeOffset at, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async work =>
        {
            if (await work.Db.ExecuteAsync("UPDATE devices SET credentials_revoked_at_ms = COALESCE(credentials_revoked_at_ms, @at) WHERE id = @deviceId;",
                new { deviceId, at }, cancellationToken) == 0)
            {
                return false;
            }
            var certificates = await work.RevokeCertificatesAsync(deviceId, at, "revoked");
            return await work.AuditAsync(at, actor, CredentialAuditActions.Revoked, deviceId, new() { ["certificatesRevoked"] = Invariant(certificates) });
        }, cancellationToken);

    public async Task<CertificateIssueResult> AddCertificateAsync(CertificateIssue issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var outcome = CertificateIssueOutcome.NotRegistered;
        IssuedCertificate? earlier = null;
        await WriteAsync(async work =>
        {
            var certificate = issue.Certificate;
            if (issue.DeliversRequestId is { } requestId && await work.Db.ExecuteAsync(
                "UPDATE certificate_requests SET state = 'delivered', certificate = @Der WHERE id = @requestId AND state = 'approved';",
                new { requestId, certificate.Der }, cancellationToken) == 0)
            {
                outcome = CertificateIssueOutcome.RequestNotApproved;
                return false;
            }
            // No row: not registered; 0: registered and live; otherwise when its credentials were revoked. The update changes
            // nothing but takes the device's row lock: a second request for this device (the same one sent twice at once)
            // waits here until this one commits, then finds its certificate below. SQLite's writers are one at a time anyway.
            var revokedAt = await work.Db.QueryFirstOrDefaultAsync<long?>("""
                UPDATE devices SET credentials_revoked_at_ms = credentials_revoked_at_ms WHERE id = @DeviceId
                RETURNING COALESCE(credentials_revoked_at_ms, 0);
                """, certificate, cancellationToken);
            var live = revokedAt is 0L;
            if (live && issue.To != IssueTo.NewDevice && await work.Db.QueryFirstOrDefaultAsync<byte[]>(ActiveCertificateForKey,
                new { deviceId = certificate.DeviceId, keyFingerprint = issue.KeyFingerprint, now = issue.At }, cancellationToken) is { } der)
            {
                earlier = IssuedCertificate.FromDer(certificate.DeviceId, der);
                outcome = CertificateIssueOutcome.AlreadyIssued;
                return false;
            }
            if (live && issue.To == IssueTo.NewDevice)
            {
                outcome = CertificateIssueOutcome.DeviceIsRegistered;
                return false;
            }
            if (!live && issue.To == IssueTo.RegisteredDevice)
            {
                outcome = CertificateIssueOutcome.NotRegistered;
                return false;
            }
            if (!live)
            {
                var device = new NewDevice(certificate.DeviceId, issue.Model, issue.NewToken.Hash, issue.NewToken.Salt, issue.At);
                var registered = revokedAt is null ? await work.InsertAsync(device) : await work.ReRegisterAsync(device);
                if (!registered)
                    return false;
                await work.AuditAsync(issue.At, issue.Actor, CredentialAuditActions.Reregistered, certificate.DeviceId, new() { ["model"] = issue.Model, ["new"] = revokedAt is null ? "true" : "false" });
            }
            await work.Db.ExecuteAsync($"""
                INSERT INTO device_certificates ({CertificateColumns}, certificate)
                VALUES (@Serial, @DeviceId, @Thumbprint, @NotBefore, @NotAfter, @at, NULL, NULL, @KeyFingerprint, @Der);
                """, new { certificate.Serial, certificate.DeviceId, certificate.Thumbprint, certificate.NotBefore, certificate.NotAfter, at = issue.At,
                    issue.KeyFingerprint, certificate.Der }, cancellationToken);
            outcome = live ? CertificateIssueOutcome.Issued : CertificateIssueOutcome.IssuedToNewDevice;
            return await work.AuditAsync(issue.At, issue.Actor, CredentialAuditActions.CertificateIssued, certificate.DeviceId, new()
            {
                ["serial"] = certificate.Serial,
                ["sha256"] = certificate.Thumbprint,
                ["notAfter"] = certificate.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                ["request"] = issue.DeliversRequestId,
            }, subject: certificate.Serial);
        }, cancellationToken);
        return new CertificateIssueResult(outcome, outcome == CertificateIssueOutcome.AlreadyIssued ? earlier : outcome is CertificateIssueOutcome.Issued
            or CertificateIssueOutcome.IssuedToNewDevice ? issue.Certificate : null);
    }

    public async Task<IssuedCertificate?> FindActiveCertificateForKeyAsync(string deviceId, string keyFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<byte[]>(ActiveCertificateForKey, new { deviceId, keyFingerprint, now }, cancellationToken) is { } der
            ? IssuedCertificate.FromDer(deviceId, der)
            : null;

    public Task<DeviceCertificateRecord?> GetCertificateAsync(string serial, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<DeviceCertificateRecord>($"SELECT {CertificateColumns} FROM device_certificates WHERE serial = @serial;",
            new { serial }, cancellationToken);

    public async Task<IReadOnlyList<DeviceCertificateRecord>> ListCertificatesAsync(string deviceId, CancellationToken cancellationToken) =>
        await database.QueryAsync<DeviceCertificateRecord>($"SELECT {CertificateColumns} FROM device_certificates WHERE device_id = @deviceId ORDER BY issued_at_ms DESC, serial;",
            new { deviceId }, cancellationToken);

    public async Task<IReadOnlyList<DeviceCertificateRecord>> ListRevokedCertificatesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync<DeviceCertificateRecord>(
            $"SELECT {CertificateColumns} FROM device_certificates WHERE revoked_at_ms IS NOT NULL AND not_after_ms > @now ORDER BY serial;",
            new { now }, cancellationToken);

    public Task<int> SupersedeOlderAsync(string deviceId, string serial, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            UPDATE device_certificates SET revoked_at_ms = @at, revocation_reason = 'superseded'
            WHERE device_id = @deviceId AND serial <> @serial AND revoked_at_ms IS NULL
              AND issued_at_ms <= (SELECT issued_at_ms FROM device_certificates WHERE serial = @serial);
            """, new { deviceId, serial, at }, cancellationToken);

    public Task<int> SupersedeRenewedAsync(DateTimeOffset renewedBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            UPDATE device_certificates SET revoked_at_ms = @at, revocation_reason = 'superseded'
            WHERE revoked_at_ms IS NULL AND EXISTS (
                SELECT 1 FROM device_certificates AS newer
                WHERE newer.device_id = device_certificates.device_id AND newer.revoked_at_ms IS NULL
                  AND newer.issued_at_ms > device_certificates.issued_at_ms AND newer.issued_at_ms <= @renewedBy);
            """, new { renewedBy, at }, cancellationToken);

    public async Task<IReadOnlyList<CredentialChange>> ChangesAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync<CredentialChange>($"""
            SELECT seq AS sequence, device_id, action FROM audit_log WHERE seq > @afterSequence AND {database.Dialect.InList("action", "@actions")} ORDER BY seq LIMIT @limit;
            """, new { afterSequence, actions = CredentialAuditActions.EndSessions.ToArray(), limit }, cancellationToken);

    public async Task<long> LastAuditSequenceAsync(CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM audit_log;", null, cancellationToken);

    public async Task<HoldOutcome> HoldRequestAsync(CertificateRequestRecord request, int maxWaiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = HoldOutcome.Held;
        await WriteAsync(async work =>
        {
            var waiting = await work.Db.QueryFirstOrDefaultAsync<WaitingRequests>("""
                SELECT COUNT(*) FILTER (WHERE device_id = @DeviceId) AS of_device, COUNT(*) FILTER (WHERE state = 'pending') AS pending
                FROM certificate_requests WHERE state IN ('pending', 'approved');
                """, request, cancellationToken);
            if (waiting is { OfDevice: > 0 })
            {
                outcome = HoldOutcome.AlreadyWaiting;
                return false;
            }
            if (waiting is { } counts && counts.Pending >= maxWaiting)
            {
                outcome = HoldOutcome.TooManyWaiting;
                return false;
            }
            // Two requests of one device at once: the unique index on waiting requests lets only one in.
            if (await work.Db.ExecuteAsync($"""
                INSERT INTO certificate_requests ({RequestColumns})
                VALUES (@Id, @DeviceId, @Model, @csr, @KeyFingerprint, 'pending', @RequestedAt, @RequestedFrom, NULL, NULL, NULL)
                ON CONFLICT DO NOTHING;
                """, new { request.Id, request.DeviceId, request.Model, csr = System.Text.Encoding.UTF8.GetBytes(request.CsrPem), request.KeyFingerprint,
                    request.RequestedAt, request.RequestedFrom }, cancellationToken) == 0)
            {
                outcome = HoldOutcome.AlreadyWaiting;
                return false;
            }
            return true;
        }, cancellationToken);
        return outcome;
    }

    public async Task<CertificateRequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) =>
        (await database.QueryFirstOrDefaultAsync<RequestRow>($"SELECT {RequestColumns} FROM certificate_requests WHERE id = @requestId;",
            new { requestId }, cancellationToken))?.Record;

    public async Task<IReadOnlyList<CertificateRequestRecord>> ListPendingRequestsAsync(int limit, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<RequestRow>($"SELECT {RequestColumns} FROM certificate_requests WHERE state = 'pending' ORDER BY requested_at_ms, id LIMIT @limit;",
            new { limit }, cancellationToken)).Select(r => r.Record)];

    public Task<bool> DecideRequestAsync(string deviceId, string requestId, bool approve, string actor, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async work =>
        {
            var changed = await work.Db.ExecuteAsync("""
                UPDATE certificate_requests SET state = @state, decided_by = @actor, decided_at_ms = @at
                WHERE id = @requestId AND device_id = @deviceId AND state = 'pending';
                """, new { requestId, deviceId, state = approve ? CertificateRequestState.Approved : CertificateRequestState.Declined, actor, at }, cancellationToken);
            return changed == 1 && await work.AuditAsync(at, actor, approve ? CredentialAuditActions.RequestApproved : CredentialAuditActions.RequestDeclined,
                deviceId, new() { ["request"] = requestId }, subject: requestId);
        }, cancellationToken);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits when it returns true, rolls back otherwise.</summary>
    private async Task<bool> WriteAsync(Func<Work, Task<bool>> work, CancellationToken cancellationToken)
    {
        await using var db = await database.BeginAsync(cancellationToken);
        if (!await work(new Work(db, cancellationToken)))
            return false;
        await db.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The statements a credential change is made of, inside its transaction.</summary>
    private sealed class Work(DbSession db, CancellationToken cancellationToken)
    {
        public DbSession Db { get; } = db;

        /// <summary>False when the id is taken.</summary>
        public async Task<bool> InsertAsync(NewDevice device) =>
            await Db.ExecuteAsync("""
                INSERT INTO devices (id, model, token_hash, token_salt, registered_at_ms) VALUES (@DeviceId, @Model, @TokenHash, @TokenSalt, @RegisteredAt)
                ON CONFLICT DO NOTHING;
                """, device, cancellationToken) == 1;

        /// <summary>New credentials for a decommissioned device; its history, owner and state stay.</summary>
        public async Task<bool> ReRegisterAsync(NewDevice device) =>
            await Db.ExecuteAsync("""
                UPDATE devices SET token_hash = @TokenHash, token_salt = @TokenSalt, credentials_revoked_at_ms = NULL,
                                   model = CASE WHEN @Model = '' THEN model ELSE @Model END
                WHERE id = @DeviceId AND credentials_revoked_at_ms IS NOT NULL;
                """, device, cancellationToken) == 1;

        public Task<int> RevokeCertificatesAsync(string deviceId, DateTimeOffset at, string reason) =>
            Db.ExecuteAsync("UPDATE device_certificates SET revoked_at_ms = @at, revocation_reason = @reason WHERE device_id = @deviceId AND revoked_at_ms IS NULL;",
                new { deviceId, at, reason }, cancellationToken);

        public async Task<bool> AuditAsync(DateTimeOffset at, string actor, string action, string deviceId, Dictionary<string, string?> details, string subject = "")
        {
            await AuditTrail.AppendAsync(Db, at, actor, action, deviceId, subject, details, cancellationToken);
            return true;
        }
    }

    private sealed record WaitingRequests(long OfDevice, long Pending);

    /// <summary>A request as stored: its CSR as the PEM text's bytes.</summary>
    private sealed record RequestRow(
        string Id, string DeviceId, string Model, byte[] Csr, string KeyFingerprint, CertificateRequestState State,
        DateTimeOffset RequestedAt, string RequestedFrom, string? DecidedBy, DateTimeOffset? DecidedAt, byte[]? Certificate)
    {
        public CertificateRequestRecord Record => new(Id, DeviceId, Model, System.Text.Encoding.UTF8.GetString(Csr), KeyFingerprint, State,
            RequestedAt, RequestedFrom, DecidedBy, DecidedAt, Certificate);
    }
}
