using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// <c>devices register --id X [--model M]</c>: registers a device in the configured store and prints its token.
/// Other arguments are configuration overrides, e.g. <c>--Storage:Path=/var/lib/dx/diagnostics.db</c>.
/// </summary>
public static class DevicesCli
{
    public static bool IsCommand(string[] args) => args is ["devices", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["devices", "register", ..])
        {
            await error.WriteLineAsync("usage: devices register [--id <deviceId>] [--model <model>] [--Storage:Path=<file>]");
            return 2;
        }
        string? id = null, model = null;
        var configuration = new List<string>();
        for (var i = 2; i < args.Length; i++)
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

        using var host = await StoreOnlyHost.StartAsync(configuration, builder => builder.AddDevices(), cancellationToken);
        var result = await host.Services.GetRequiredService<DeviceRegistry>().RegisterAsync(id, model, cancellationToken);
        switch (result.Error)
        {
            case RegistrationError.None:
                await output.WriteLineAsync($"deviceId: {result.Device!.DeviceId}");
                await output.WriteLineAsync($"token:    {result.Device.Token}");
                await output.WriteLineAsync("The token is shown once; configure it on the device now.");
                return 0;
            case RegistrationError.AlreadyExists:
                await error.WriteLineAsync($"A device with id '{id}' already exists.");
                return 1;
            default:
                await error.WriteLineAsync($"'{id}' is not a valid device id (letters, digits, '-', '_', '.'; 1 to 64).");
                return 1;
        }
    }
}
