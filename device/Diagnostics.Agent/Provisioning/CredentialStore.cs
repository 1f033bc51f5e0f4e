using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// Keeps a device's credentials in <c>{dataDirectory}/credentials.json</c>: provisioned once, reused on every restart
/// (the cloud answers 409 to a second registration of a live id).
/// </summary>
public static partial class CredentialStore
{
    public const string FileName = "credentials.json";

    /// <summary>The saved credentials, or null when none are saved yet.</summary>
    public static async Task<DeviceCredentials?> TryLoadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
            return null;
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, CredentialsJson.Default.DeviceCredentials, cancellationToken);
    }

    public static async Task<DeviceCredentials> LoadOrProvisionAsync(
        string dataDirectory, string deviceId, string model, IDeviceProvisioner provisioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provisioner);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var saved = await TryLoadAsync(dataDirectory, cancellationToken);
            if (saved is not null && saved.DeviceId == deviceId && saved.Token.Length > 0)
                return saved;
            throw new DeviceProvisioningException($"{path} holds credentials for '{saved?.DeviceId}', not '{deviceId}'.");
        }
        var credentials = await provisioner.ProvisionAsync(deviceId, model, cancellationToken);
        await SaveAsync(dataDirectory, credentials, cancellationToken);
        return credentials;
    }

    /// <summary>Saves (or replaces) the credentials; only the owner may read them.</summary>
    public static async Task SaveAsync(string dataDirectory, DeviceCredentials credentials, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        // Write then rename, so a crash never leaves half a file that would lock the device out.
        await AtomicFile.WriteSecretAsync(Path.Combine(dataDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(credentials, CredentialsJson.Default.DeviceCredentials), cancellationToken);
    }

    // The file's format as ever (default options: names as declared); generated at compile time for Native AOT.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
    [JsonSerializable(typeof(DeviceCredentials))]
    private sealed partial class CredentialsJson : JsonSerializerContext;
}
