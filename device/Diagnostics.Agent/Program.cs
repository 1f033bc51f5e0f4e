using Diagnostics.Agent.Fleet;
using Diagnostics.Agent.Hosting;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// Table of contents. Commands:
//   run (default)  one agent as a Generic Host worker (appsettings.json, DX_ environment, --Section:Key=value)
//   simulate       a fleet of simulated printers in one process (see SimulateCommand.Usage)
//   outbox-stress  hidden: hammers an outbox for the kill -9 test

// First, while nothing has touched SQLite yet: every command opens outboxes, and a gateway opens one per device.
SqliteMemory.ConfigureBeforeFirstUse();
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };

return args switch
{
    [SimulateCommand.Name, .. var rest] => await SimulateCommand.RunAsync(rest, stopping.Token),
    [OutboxStressCommand.Name, "--data-dir", var dir, ..] => await OutboxStressCommand.RunAsync(dir, OutboxDurability.ProcessCrash, stopping.Token),
    ["run", .. var rest] => await RunAgentAsync(rest),
    _ => await RunAgentAsync(args),
};

static async Task<int> RunAgentAsync(string[] args)
{
    // The agent reads its configuration once at start, so appsettings.json is not watched for changes (a watcher is
    // a thread and an inotify buffer for the agent's whole life).
    var settings = new HostApplicationBuilderSettings { Args = args, Configuration = new ConfigurationManager() };
    settings.Configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
    var builder = Host.CreateApplicationBuilder(settings);
    builder.AddAgentConfiguration(args);
    builder.AddDeviceAgent();
    await builder.Build().RunAsync();
    return Environment.ExitCode;
}
