using System.CommandLine;

var root = new RootCommand("fwtool: keys, packing, signing, verifying and publishing firmware and driver packages for Diagnostics devices.");
// The package commands (keygen, pack, sign, verify, inspect, delta, publish, rollout) arrive with the updates work;
// until then the tool answers --help and --version and says so.
root.SetAction(parseResult =>
{
    Console.Out.WriteLine("No command given. Run 'fwtool --help' for the list of commands.");
    return 1;
});
return await root.Parse(args).InvokeAsync();
