using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker;

public sealed class DeviceAuthenticationTests
{
    [Theory, BothEngines]
    public async Task Registered_device_with_its_token_connects(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("auth-ok");

        Assert.True(device.IsConnected);
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
    }

    [Theory, BothEngines]
    public async Task Wrong_token_is_refused_logged_and_counted(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.RegisterAsync("auth-wrong");

        var code = await ConnectExpectingRefusalAsync(host.BrokerPort, "auth-wrong", "auth-wrong", "not-the-token");

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, code);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
        Assert.True(host.Logged(BrokerEventIds.AuthRefused, "auth-wrong"));
    }

    [Theory, BothEngines]
    public async Task Unknown_device_is_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        _ = host.Services;

        var code = await ConnectExpectingRefusalAsync(host.BrokerPort, "nobody", "nobody", "whatever");

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, code);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
    }

    [Theory, BothEngines]
    public async Task Client_id_different_from_user_name_is_refused_even_with_a_valid_token(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var token = await host.RegisterAsync("auth-user");

        var code = await ConnectExpectingRefusalAsync(host.BrokerPort, "someone-else", "auth-user", token);

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, code);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
    }

    private static Task<MqttClientConnectResultCode> ConnectExpectingRefusalAsync(int port, string clientId, string user, string password) =>
        DeviceClient.ConnectRefusedAsync(port, clientId, user, password);
}
