using Diagnostics.Agent.Uplink;

// Table of contents: one line per command.
return args switch
{
    [OutboxStressCommand.Name, "--data-dir", var dir, ..] => await OutboxStressCommand.RunAsync(dir, OutboxDurability.ProcessCrash, CancellationToken.None),
    _ => 0,
};
