using System.Globalization;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Who a device is, on SQLite: its token's hash, the revocation of its credentials, and the certificates issued to it.
/// Every change of credentials is one transaction with its audit record, so a revocation is never stored without its
/// record (the broker follows those records to end sessions) and never recorded without taking effect.
/// </summary>
internal sealed class SqliteDeviceCredentialStore(SqliteConnectionFactory connections) : IDeviceCredentialStore
{
    private const int SqliteConstraintPrimaryKey = 1555;
    private const string CertificateColumns = "serial, device_id, thumbprint, not_before_ms, not_after_ms, issued_at_ms, revoked_at_ms, revocation_reason";

    public async Task<bool> TryAddAsync(NewDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            return await WriteAsync(work => work.InsertAsync(device), cancellationToken);
        }
        catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == SqliteConstraintPrimaryKey)
        {
            return false;
        }
    }

    public async Task<DeviceCredentials?> GetAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await connections.QueryAsync("""
            SELECT token_hash, token_salt, credentials_revoked_at_ms,
                   (SELECT COUNT(*) FROM device_certificates c WHERE c.device_id = d.id AND c.revoked_at_ms IS NULL
                           AND c.not_before_ms <= $now AND c.not_after_ms > $now)
            FROM devices d WHERE d.id = $id;
            """,
            reader => new DeviceCredentials(deviceId, (byte[])reader[0], (byte[])reader[1], Time(reader, 2), reader.GetInt32(3)),
            cancellationToken, ("$id", deviceId), ("$now", now.ToUnixTimeMilliseconds()));
        return rows.SingleOrDefault();
    }

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
            var changed = await work.ExecuteAsync("""
                UPDATE devices SET token_hash = $hash, token_salt = $salt, credentials_revoked_at_ms = NULL WHERE id = $id;
                """, ("$id", deviceId), ("$hash", hash), ("$salt", salt));
            if (changed == 0)
                return false;
            var certificates = await work.RevokeCertificatesAsync(deviceId, at, "rotated");
            return await work.AuditAsync(at, actor, CredentialAuditActions.Rotated, deviceId, new() { ["certificatesRevoked"] = Invariant(certificates) });
        }, cancellationToken);

    public Task<bool> RevokeAsync(string deviceId, DateTimeOffset at, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async work =>
        {
            var changed = await work.ExecuteAsync("""
                UPDATE devices SET credentials_revoked_at_ms = COALESCE(credentials_revoked_at_ms, $at) WHERE id = $id;
                """, ("$id", deviceId), ("$at", at.ToUnixTimeMilliseconds()));
            if (changed == 0)
                return false;
            var certificates = await work.RevokeCertificatesAsync(deviceId, at, "revoked");
            return await work.AuditAsync(at, actor, CredentialAuditActions.Revoked, deviceId, new() { ["certificatesRevoked"] = Invariant(certificates) });
        }, cancellationToken);

    public async Task<CertificateIssueOutcome> AddCertificateAsync(CertificateIssue issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var outcome = CertificateIssueOutcome.NotRegistered;
        await WriteAsync(async work =>
        {
            var certificate = issue.Certificate;
            if (issue.DeliversRequestId is { } requestId && await work.ExecuteAsync("""
                UPDATE certificate_requests SET state = 'delivered', certificate = $der WHERE id = $request AND state = 'approved';
                """, ("$request", requestId), ("$der", certificate.Der)) == 0)
            {
                outcome = CertificateIssueOutcome.RequestNotApproved;
                return false;
            }
            var revokedAt = await work.ScalarAsync("SELECT COALESCE(credentials_revoked_at_ms, 0) FROM devices WHERE id = $id;", ("$id", certificate.DeviceId));
            var live = revokedAt is 0L;
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
            await work.ExecuteAsync($"""
                INSERT INTO device_certificates ({CertificateColumns})
                VALUES ($serial, $id, $thumbprint, $notBefore, $notAfter, $at, NULL, NULL);
                """, ("$serial", certificate.Serial), ("$id", certificate.DeviceId), ("$thumbprint", certificate.Thumbprint),
                ("$notBefore", certificate.NotBefore.ToUnixTimeMilliseconds()), ("$notAfter", certificate.NotAfter.ToUnixTimeMilliseconds()),
                ("$at", issue.At.ToUnixTimeMilliseconds()));
            outcome = live ? CertificateIssueOutcome.Issued : CertificateIssueOutcome.IssuedToNewDevice;
            return await work.AuditAsync(issue.At, issue.Actor, CredentialAuditActions.CertificateIssued, certificate.DeviceId, new()
            {
                ["serial"] = certificate.Serial,
                ["sha256"] = certificate.Thumbprint,
                ["notAfter"] = certificate.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                ["request"] = issue.DeliversRequestId,
            }, subject: certificate.Serial);
        }, cancellationToken);
        return outcome;
    }

    public async Task<DeviceCertificateRecord?> GetCertificateAsync(string serial, CancellationToken cancellationToken) =>
        (await connections.QueryAsync($"SELECT {CertificateColumns} FROM device_certificates WHERE serial = $serial;", ReadCertificate, cancellationToken,
            ("$serial", serial))).SingleOrDefault();

    public async Task<IReadOnlyList<DeviceCertificateRecord>> ListCertificatesAsync(string deviceId, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"SELECT {CertificateColumns} FROM device_certificates WHERE device_id = $id ORDER BY issued_at_ms DESC, serial;",
            ReadCertificate, cancellationToken, ("$id", deviceId));

    public Task<int> SupersedeOlderAsync(string deviceId, string serial, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.ExecuteAsync("""
            UPDATE device_certificates SET revoked_at_ms = $at, revocation_reason = 'superseded'
            WHERE device_id = $id AND serial <> $serial AND revoked_at_ms IS NULL
              AND issued_at_ms <= (SELECT issued_at_ms FROM device_certificates WHERE serial = $serial);
            """, cancellationToken, ("$id", deviceId), ("$serial", serial), ("$at", at.ToUnixTimeMilliseconds()));

    public async Task<IReadOnlyList<CredentialChange>> ChangesAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        await connections.QueryAsync("""
            SELECT seq, device_id, action FROM audit_log WHERE seq > $after AND action IN ($revoked, $rotated) ORDER BY seq LIMIT $limit;
            """, reader => new CredentialChange(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)), cancellationToken,
            ("$after", afterSequence), ("$revoked", CredentialAuditActions.Revoked), ("$rotated", CredentialAuditActions.Rotated), ("$limit", limit));

    public async Task<long> LastAuditSequenceAsync(CancellationToken cancellationToken) =>
        (await connections.QueryAsync("SELECT COALESCE(MAX(seq), 0) FROM audit_log;", reader => reader.GetInt64(0), cancellationToken)).Single();

    private const string RequestColumns =
        "id, device_id, model, csr, key_fingerprint, state, requested_at_ms, requested_from, decided_by, decided_at_ms, certificate";

    public async Task<HoldOutcome> HoldRequestAsync(CertificateRequestRecord request, int maxWaiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = HoldOutcome.Held;
        await WriteAsync(async work =>
        {
            if (await work.ScalarAsync("SELECT COUNT(*) FROM certificate_requests WHERE device_id = $id AND state IN ('pending', 'approved');",
                ("$id", request.DeviceId)) is not 0L)
            {
                outcome = HoldOutcome.AlreadyWaiting;
                return false;
            }
            if (await work.ScalarAsync("SELECT COUNT(*) FROM certificate_requests WHERE state = 'pending';") is long waiting && waiting >= maxWaiting)
            {
                outcome = HoldOutcome.TooManyWaiting;
                return false;
            }
            await work.ExecuteAsync($"""
                INSERT INTO certificate_requests ({RequestColumns})
                VALUES ($id, $device, $model, $csr, $fingerprint, 'pending', $at, $from, NULL, NULL, NULL);
                """, ("$id", request.Id), ("$device", request.DeviceId), ("$model", request.Model), ("$csr", System.Text.Encoding.UTF8.GetBytes(request.CsrPem)),
                ("$fingerprint", request.KeyFingerprint), ("$at", request.RequestedAt.ToUnixTimeMilliseconds()), ("$from", request.RequestedFrom));
            return true;
        }, cancellationToken);
        return outcome;
    }

    public async Task<CertificateRequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) =>
        (await connections.QueryAsync($"SELECT {RequestColumns} FROM certificate_requests WHERE id = $id;", ReadRequest, cancellationToken,
            ("$id", requestId))).SingleOrDefault();

    public async Task<IReadOnlyList<CertificateRequestRecord>> ListPendingRequestsAsync(int limit, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"SELECT {RequestColumns} FROM certificate_requests WHERE state = 'pending' ORDER BY requested_at_ms, id LIMIT $limit;",
            ReadRequest, cancellationToken, ("$limit", limit));

    public Task<bool> DecideRequestAsync(string deviceId, string requestId, bool approve, string actor, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async work =>
        {
            var changed = await work.ExecuteAsync("""
                UPDATE certificate_requests SET state = $state, decided_by = $actor, decided_at_ms = $at
                WHERE id = $id AND device_id = $device AND state = 'pending';
                """, ("$id", requestId), ("$device", deviceId), ("$state", approve ? "approved" : "declined"), ("$actor", actor), ("$at", at.ToUnixTimeMilliseconds()));
            return changed == 1 && await work.AuditAsync(at, actor, approve ? CredentialAuditActions.RequestApproved : CredentialAuditActions.RequestDeclined,
                deviceId, new() { ["request"] = requestId }, subject: requestId);
        }, cancellationToken);

    private static CertificateRequestRecord ReadRequest(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), System.Text.Encoding.UTF8.GetString((byte[])reader[3]), reader.GetString(4),
        Enum.Parse<CertificateRequestState>(reader.GetString(5), ignoreCase: true), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), Time(reader, 9), reader.IsDBNull(10) ? null : (byte[])reader[10]);

    private static DeviceCertificateRecord ReadCertificate(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), Time(reader, 6), reader.IsDBNull(7) ? null : reader.GetString(7));

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits when it returns true, rolls back otherwise.</summary>
    private async Task<bool> WriteAsync(Func<Work, Task<bool>> work, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (!await work(new Work(connection, transaction, cancellationToken)))
            return false;
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The statements a credential change is made of, inside its transaction.</summary>
    private sealed class Work(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
        {
            await using var command = Command(sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        /// <summary>The first column of the first row; null when there is no row.</summary>
        public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
        {
            await using var command = Command(sql, parameters);
            return await command.ExecuteScalarAsync(cancellationToken);
        }

        public async Task<bool> InsertAsync(NewDevice device) =>
            await ExecuteAsync("""
                INSERT INTO devices (id, model, token_hash, token_salt, registered_at_ms) VALUES ($id, $model, $hash, $salt, $at);
                """, ("$id", device.DeviceId), ("$model", device.Model), ("$hash", device.TokenHash), ("$salt", device.TokenSalt),
                ("$at", device.RegisteredAt.ToUnixTimeMilliseconds())) == 1;

        /// <summary>New credentials for a decommissioned device; its history, owner and state stay.</summary>
        public async Task<bool> ReRegisterAsync(NewDevice device) =>
            await ExecuteAsync("""
                UPDATE devices SET token_hash = $hash, token_salt = $salt, credentials_revoked_at_ms = NULL,
                                   model = CASE WHEN $model = '' THEN model ELSE $model END
                WHERE id = $id AND credentials_revoked_at_ms IS NOT NULL;
                """, ("$id", device.DeviceId), ("$model", device.Model), ("$hash", device.TokenHash), ("$salt", device.TokenSalt)) == 1;

        public Task<int> RevokeCertificatesAsync(string deviceId, DateTimeOffset at, string reason) =>
            ExecuteAsync("""
                UPDATE device_certificates SET revoked_at_ms = $at, revocation_reason = $reason WHERE device_id = $id AND revoked_at_ms IS NULL;
                """, ("$id", deviceId), ("$at", at.ToUnixTimeMilliseconds()), ("$reason", reason));

        public async Task<bool> AuditAsync(DateTimeOffset at, string actor, string action, string deviceId, Dictionary<string, string?> details, string subject = "")
        {
            await AuditTrail.AppendAsync(new DbSession(connection, transaction), at, actor, action, deviceId, subject, details, cancellationToken);
            return true;
        }

        private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            return command;
        }
    }
}
