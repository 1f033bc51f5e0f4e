using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

public enum RegistrationError
{
    None,
    InvalidDeviceId,
    AlreadyExists,
}

/// <summary>The store has a device's new credentials but the external broker does not (it was unreachable or refused).</summary>
public sealed class BrokerAccountException(string message, Exception inner) : Exception(message, inner);

public readonly record struct RegistrationResult(RegisteredDevice? Device, RegistrationError Error)
{
    public bool IsSuccess => Error == RegistrationError.None;
}

/// <summary>
/// Registers devices and manages their tokens: a token is returned once and only its hash is kept; a rotation replaces
/// it (and revokes the device's certificates), a revocation decommissions the device (its history stays, and
/// registering its id again gives it new credentials). Whoever changes a device's credentials is in the audit trail.
/// </summary>
public sealed partial class DeviceRegistry(IDeviceCredentialStore store, IBrokerDeviceAccounts brokerAccounts, TimeProvider time, ILogger<DeviceRegistry> logger)
{
    /// <summary>How the audit trail names a change made without a person behind it (the demo fleet, tests).</summary>
    public const string SystemActor = "system";

    public Task<RegistrationResult> RegisterAsync(string? deviceId, string? model, CancellationToken cancellationToken) =>
        RegisterAsync(deviceId, model, SystemActor, cancellationToken);

    /// <summary>Registers a device (a null or empty id gets a generated one), or a decommissioned one again; a live id is refused.</summary>
    public async Task<RegistrationResult> RegisterAsync(string? deviceId, string? model, string actor, CancellationToken cancellationToken)
    {
        var id = string.IsNullOrEmpty(deviceId) ? $"dev-{Guid.NewGuid():N}" : deviceId;
        if (!Topics.IsValidDeviceId(id))
            return new(null, RegistrationError.InvalidDeviceId);
        var token = DeviceTokens.NewToken();
        var (hash, salt) = DeviceTokens.Hash(token);
        var device = new NewDevice(id, model ?? "", hash, salt, time.GetUtcNow());
        if (await store.TryAddAsync(device, cancellationToken))
        {
            LogRegistered(id, model ?? "");
            await SetBrokerAccountAsync(id, token, "registered", cancellationToken);
            return new(new RegisteredDevice(id, token), RegistrationError.None);
        }
        if (!await store.ReRegisterAsync(device, actor, cancellationToken))
            return new(null, RegistrationError.AlreadyExists);
        LogReregistered(id, actor);
        await SetBrokerAccountAsync(id, token, "registered", cancellationToken);
        return new(new RegisteredDevice(id, token), RegistrationError.None);
    }

    /// <summary>True when the device exists, its credentials are not revoked and the token matches its stored hash.</summary>
    public async Task<bool> VerifyAsync(string deviceId, string? token, CancellationToken cancellationToken) =>
        await GetCredentialsAsync(deviceId, cancellationToken) is { IsRevoked: false } credentials
        && DeviceTokens.Verify(token, credentials.TokenHash, credentials.TokenSalt);

    /// <summary>Null for an unknown (or invalid) device id.</summary>
    public Task<DeviceCredentials?> GetCredentialsAsync(string deviceId, CancellationToken cancellationToken) =>
        Topics.IsValidDeviceId(deviceId) ? store.GetAsync(deviceId, time.GetUtcNow(), cancellationToken) : Task.FromResult<DeviceCredentials?>(null);

    /// <summary>A new token (returned once) in place of every credential the device had; null for an unknown device.</summary>
    public async Task<RegisteredDevice?> RotateAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        if (!Topics.IsValidDeviceId(deviceId))
            return null;
        var token = DeviceTokens.NewToken();
        var (hash, salt) = DeviceTokens.Hash(token);
        if (!await store.ReplaceTokenAsync(deviceId, hash, salt, time.GetUtcNow(), actor, cancellationToken))
            return null;
        LogRotated(deviceId, actor);
        await SetBrokerAccountAsync(deviceId, token, "rotated", cancellationToken);
        return new RegisteredDevice(deviceId, token);
    }

    /// <summary>Revokes the token and every certificate; false for an unknown device.</summary>
    public async Task<bool> RevokeAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        if (!Topics.IsValidDeviceId(deviceId) || !await store.RevokeAsync(deviceId, time.GetUtcNow(), actor, cancellationToken))
            return false;
        LogRevoked(deviceId, actor);
        try
        {
            await brokerAccounts.RemoveAsync(deviceId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The revocation stands: every running instance removes the account again when it reads the revocation in
            // the audit trail, so a broker that is unreachable now still drops the device later.
            LogBrokerAccountRemovalDeferred(ex, deviceId);
        }
        return true;
    }

    /// <summary>
    /// An external broker that keeps its own accounts gets the new password now: the token exists only here. If that
    /// fails the store already has the change, so the error says how to repeat it (a rotation gives a new token).
    /// </summary>
    private async Task SetBrokerAccountAsync(string deviceId, string token, string change, CancellationToken cancellationToken)
    {
        try
        {
            await brokerAccounts.SetAsync(deviceId, token, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBrokerAccountFailed(ex, deviceId, change);
            throw new BrokerAccountException(
                $"Device {deviceId} is {change} in the store, but the broker did not take its new password: rotate its credentials once the broker is reachable.", ex);
        }
    }

    public async Task<DeviceCredentialsView?> GetCredentialsViewAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (await GetCredentialsAsync(deviceId, cancellationToken) is not { } credentials)
            return null;
        return new DeviceCredentialsView(deviceId, credentials.RevokedAt, await store.ListCertificatesAsync(deviceId, cancellationToken));
    }

    [LoggerMessage(EventId = DevicesEventIds.DeviceRegistered, Level = LogLevel.Information, Message = "Registered device {DeviceId} (model '{Model}')")]
    private partial void LogRegistered(string deviceId, string model);

    [LoggerMessage(EventId = DevicesEventIds.DeviceRegistered, Level = LogLevel.Information, Message = "Registered decommissioned device {DeviceId} again with new credentials (by {Actor}); its history is kept")]
    private partial void LogReregistered(string deviceId, string actor);

    [LoggerMessage(EventId = DevicesEventIds.DeviceCredentialsRotated, Level = LogLevel.Warning, Message = "Credentials of device {DeviceId} rotated by {Actor}: a new token replaces the old one and its certificates are revoked")]
    private partial void LogRotated(string deviceId, string actor);

    [LoggerMessage(EventId = DevicesEventIds.DeviceCredentialsRevoked, Level = LogLevel.Warning, Message = "Credentials of device {DeviceId} revoked by {Actor}: the device is decommissioned")]
    private partial void LogRevoked(string deviceId, string actor);

    [LoggerMessage(EventId = DevicesEventIds.BrokerAccountFailed, Level = LogLevel.Error, Message = "Device {DeviceId} was {Change} in the store, but the broker did not take its new password")]
    private partial void LogBrokerAccountFailed(Exception exception, string deviceId, string change);

    [LoggerMessage(EventId = DevicesEventIds.BrokerAccountRemovalDeferred, Level = LogLevel.Warning, Message = "Device {DeviceId} is revoked, but the broker did not remove its account yet; running instances retry")]
    private partial void LogBrokerAccountRemovalDeferred(Exception exception, string deviceId);
}
