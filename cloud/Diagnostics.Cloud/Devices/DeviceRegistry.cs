using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

public enum RegistrationError
{
    None,
    InvalidDeviceId,
    AlreadyExists,
}

public readonly record struct RegistrationResult(RegisteredDevice? Device, RegistrationError Error)
{
    public bool IsSuccess => Error == RegistrationError.None;
}

/// <summary>Registers devices (the token is returned once, only its hash is kept) and checks their credentials.</summary>
public sealed partial class DeviceRegistry(IDeviceStore store, TimeProvider time, ILogger<DeviceRegistry> logger)
{
    /// <summary>Registers a device; a null or empty id gets a generated one.</summary>
    public async Task<RegistrationResult> RegisterAsync(string? deviceId, string? model, CancellationToken cancellationToken)
    {
        var id = string.IsNullOrEmpty(deviceId) ? $"dev-{Guid.NewGuid():N}" : deviceId;
        if (!Topics.IsValidDeviceId(id))
            return new(null, RegistrationError.InvalidDeviceId);
        var token = DeviceTokens.NewToken();
        var (hash, salt) = DeviceTokens.Hash(token);
        var added = await store.TryAddAsync(new NewDevice(id, model ?? "", hash, salt, time.GetUtcNow()), cancellationToken);
        if (!added)
            return new(null, RegistrationError.AlreadyExists);
        LogRegistered(id, model ?? "");
        return new(new RegisteredDevice(id, token), RegistrationError.None);
    }

    /// <summary>True when the device exists and the token matches its stored hash.</summary>
    public async Task<bool> VerifyAsync(string deviceId, string? token, CancellationToken cancellationToken)
    {
        if (!Topics.IsValidDeviceId(deviceId))
            return false;
        var credentials = await store.GetCredentialsAsync(deviceId, cancellationToken);
        return credentials is not null && DeviceTokens.Verify(token, credentials.TokenHash, credentials.TokenSalt);
    }

    [LoggerMessage(EventId = EventIds.DeviceRegistered, Level = LogLevel.Information, Message = "Registered device {DeviceId} (model '{Model}')")]
    private partial void LogRegistered(string deviceId, string model);
}
