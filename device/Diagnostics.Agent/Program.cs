using Diagnostics.Agent.Fleet;
using Diagnostics.Agent.Hosting;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Hosting;

// Table of contents. Commands:
//   run (default)  one agent as a Generic Host worker (appsettings.json, DX_ environment, --Section:Key=value)
//   simulate       a fleet of simulated printers in one process (see SimulateCommand.Usage)
//   outbox-stress  hidden: hammers an outbox for the kill -9 test
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
    var builder = Host.CreateApplicationBuilder(args);
    builder.AddAgentConfiguration(args);
    builder.AddDeviceAgent();
    await builder.Build().RunAsync();
    return Environment.ExitCode;
}
