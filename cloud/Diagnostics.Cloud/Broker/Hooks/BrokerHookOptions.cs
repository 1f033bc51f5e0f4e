namespace Diagnostics.Cloud.Broker;

/// <summary>
/// The HTTP endpoints an external broker calls to authenticate a device and check its topics (EMQX's HTTP
/// authenticator and authorizer, VerneMQ's webhooks, a HiveMQ extension). Section <c>Broker:Hooks</c>.
/// </summary>
public sealed class BrokerHookOptions
{
    /// <summary>
    /// The secret the broker sends with every call (<c>Authorization: Bearer {secret}</c>, or <c>?secret=</c> for brokers
    /// that cannot set headers). Empty: the endpoints are not served. At least 32 characters.
    /// </summary>
    public string Secret { get; set; } = "";

    public bool Enabled => Secret.Length > 0;
}
