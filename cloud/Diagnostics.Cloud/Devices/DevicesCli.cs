using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// The <c>devices</c> commands on the configured store: <c>register --id X [--model M]</c> prints a new device's token;
/// <c>revoke ID</c> decommissions a device (token and certificates revoked; a running cloud ends its session within
/// <c>Broker:RevocationCheckInterval</c>); <c>rotate ID</c> prints a new token in place of every credential it had.
/// Other arguments are configuration overrides, e.g. <c>--Storage:Path=/var/lib/dx/diagnostics.db</c>.
/// </summary>
public static class DevicesCli
{
    private const string Usage = """
        usage: devices register [--id <deviceId>] [--model <model>] [--Storage:Path=<file>]
               devices revoke <deviceId> [--Storage:Path=<file>]
               devices rotate <deviceId> [--Storage:Path=<file>]
        """;

    public static bool IsCommand(string[] args) => args is ["devices", ..];

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, DeviceCommandBroker broker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(broker);
        switch (args)
        {
            case ["devices", "register", ..]:
                return await RegisterAsync(args[2..], output, error, broker, cancellationToken);
            case ["devices", "revoke", var id, ..] when !id.StartsWith("--", StringComparison.Ordinal):
                return await ChangeAsync(args[3..], error, broker, async registry =>
                {
                    if (!await registry.RevokeAsync(id, Actor, cancellationToken))
                        return false;
                    await output.WriteLineAsync($"Credentials of {id} revoked: its token and certificates no longer connect; its history stays.");
                    await output.WriteLineAsync($"Register '{id}' again to give it new credentials.");
                    return true;
                }, id, cancellationToken);
            case ["devices", "rotate", var id, ..] when !id.StartsWith("--", StringComparison.Ordinal):
                return await ChangeAsync(args[3..], error, broker, async registry =>
                {
                    if (await registry.RotateAsync(id, Actor, cancellationToken) is not { } rotated)
                        return false;
                    await output.WriteLineAsync($"deviceId: {rotated.DeviceId}");
                    await output.WriteLineAsync($"token:    {rotated.Token}");
                    await output.WriteLineAsync("The token is shown once; the old token and the device's certificates no longer connect.");
                    return true;
                }, id, cancellationToken);
            default:
                await error.WriteLineAsync(Usage);
                return 2;
        }
    }

    /// <summary>How the audit trail names a change made here.</summary>
    private static string Actor => $"command line ({Environment.UserName})";

    private static async Task<int> RegisterAsync(string[] args, TextWriter output, TextWriter error, DeviceCommandBroker broker, CancellationToken cancellationToken)
    {
        string? id = null, model = null;
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--id" when i + 1 < args.Length:
                    id = args[++i];
                    break;
                case "--model" when i + 1 < args.Length:
                    model = args[++i];
                    break;
                default:
                    configuration.Add(args[i]);
                    break;
            }
        }

        await using var host = await DeviceHost.StartAsync(configuration, broker, cancellationToken);
        var result = await host.Registry.RegisterAsync(id, model, Actor, cancellationToken);
        switch (result.Error)
        {
            case RegistrationError.None:
                await output.WriteLineAsync($"deviceId: {result.Device!.DeviceId}");
                await output.WriteLineAsync($"token:    {result.Device.Token}");
                await output.WriteLineAsync("The token is shown once; configure it on the device now.");
                return 0;
            case RegistrationError.AlreadyExists:
                await error.WriteLineAsync($"A device with id '{id}' already exists and its credentials are live ('devices revoke {id}' first to register it again).");
                return 1;
            default:
                await error.WriteLineAsync($"'{id}' is not a valid device id (letters, digits, '-', '_', '.'; 1 to 64).");
                return 1;
        }
    }

    private static async Task<int> ChangeAsync(
        string[] configuration, TextWriter error, DeviceCommandBroker broker, Func<DeviceRegistry, Task<bool>> change, string deviceId, CancellationToken cancellationToken)
    {
        await using var host = await DeviceHost.StartAsync(configuration, broker, cancellationToken);
        if (await change(host.Registry))
            return 0;
        await error.WriteLineAsync($"No device with id '{deviceId}' is registered.");
        return 1;
    }

    /// <summary>
    /// The store and the registry; with <c>Broker:Mode=External</c> also the cloud's connection to the broker, because the
    /// devices' accounts there (Mosquitto's dynamic security) change with their credentials and the token exists only here.
    /// </summary>
    private sealed class DeviceHost(IHost host, IHostedService? broker) : IAsyncDisposable
    {
        public DeviceRegistry Registry => host.Services.GetRequiredService<DeviceRegistry>();

        public static async Task<DeviceHost> StartAsync(IEnumerable<string> configuration, DeviceCommandBroker commandBroker, CancellationToken cancellationToken)
        {
            var host = await StoreOnlyHost.StartAsync(configuration, builder => commandBroker.AddAccounts(builder.AddDevices()), cancellationToken);
            var broker = commandBroker.Connection(host.Services);
            if (broker is not null)
                await broker.StartAsync(cancellationToken);
            return new DeviceHost(host, broker);
        }

        public async ValueTask DisposeAsync()
        {
            if (broker is not null)
                await broker.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}

/// <summary>
/// What the devices commands need of the broker, given by the caller (Program.cs) so that Devices does not reach into
/// Broker: <see cref="AddAccounts"/> adds the devices' broker accounts to the command's host, <see cref="Connection"/>
/// finds what must run while a command changes them (an external broker's connection; null with the embedded broker).
/// </summary>
public sealed record DeviceCommandBroker(Action<IHostApplicationBuilder> AddAccounts, Func<IServiceProvider, IHostedService?> Connection);
