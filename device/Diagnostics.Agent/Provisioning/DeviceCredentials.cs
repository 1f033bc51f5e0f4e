namespace Diagnostics.Agent.Provisioning;

/// <summary>What a device presents to the broker: its id (client id and user name) and its token (password).</summary>
public sealed record DeviceCredentials(string DeviceId, string Token);
