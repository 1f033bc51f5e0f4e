using Diagnostics.FirmwareTools;
using Diagnostics.FirmwareTools.CommandLine;

return await Fwtool.RunAsync(args, FwtoolConsole.FromProcess(), CancellationToken.None);
