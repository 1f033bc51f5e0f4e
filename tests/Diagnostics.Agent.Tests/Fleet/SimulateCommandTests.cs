using System.Diagnostics;
using Diagnostics.Agent.Tests.Uplink;

namespace Diagnostics.Agent.Tests.Fleet;

/// <summary>The <c>simulate</c> command as a user runs it: a real process against a real (in-process) broker.</summary>
public sealed class SimulateCommandTests : IAsyncDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeCloud _cloud = new();

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _directory.Dispose();
    }

    private static async Task<(int ExitCode, string Output)> RunAgentAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Diagnostics.Agent.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Runs_n_devices_prints_their_ids_and_a_summary()
    {
        await _cloud.StartAsync();

        // Runs until every device has been heard, then stops as a person would (SIGTERM): no guess at how long a
        // start takes on a busy machine.
        await using var simulate = ChildProcess.StartDotnet("simulate", Path.Combine(AppContext.BaseDirectory, "Diagnostics.Agent.dll"),
            ["simulate", "--count", "3", "--broker", $"127.0.0.1:{_cloud.Port}", "--data-dir", _directory.Path, "--prefix", "cli", "--time-scale", "20"]);
        await Eventually.TrueAsync(() => _cloud.Received.Select(e => e.DeviceId).Distinct().Count() == 3, "all three devices to publish", TimeSpan.FromSeconds(60));
        await simulate.StopAsync(TimeSpan.FromSeconds(20));
        var output = string.Join('\n', simulate.Output);

        Assert.Contains("device cli-0001 started", output, StringComparison.Ordinal);
        Assert.Contains("device cli-0003 started", output, StringComparison.Ordinal);
        Assert.Contains("Summary: 3 devices", output, StringComparison.Ordinal);
        Assert.Equal(["cli-0001", "cli-0002", "cli-0003"], _cloud.Received.Select(e => e.DeviceId).Distinct().Order());
    }

    [Fact]
    public async Task A_fleet_split_over_processes_runs_each_device_once_and_one_stop_ends_them_all()
    {
        await _cloud.StartAsync();

        await using var simulate = ChildProcess.StartDotnet("simulate", Path.Combine(AppContext.BaseDirectory, "Diagnostics.Agent.dll"),
            ["simulate", "--count", "5", "--processes", "2", "--broker", $"127.0.0.1:{_cloud.Port}", "--data-dir", _directory.Path, "--prefix", "split", "--time-scale", "20"]);
        await Eventually.TrueAsync(() => _cloud.Received.Select(e => e.DeviceId).Distinct().Count() == 5, "all five devices to publish", TimeSpan.FromSeconds(60));
        await simulate.StopAsync(TimeSpan.FromSeconds(30));

        Assert.True(simulate.HasExited);
        Assert.Equal(["split-0001", "split-0002", "split-0003", "split-0004", "split-0005"], _cloud.Received.Select(e => e.DeviceId).Distinct().Order());
        // Three in the first process, two in the second; each child stopped cleanly and printed its own summary.
        Assert.Contains(simulate.Output, l => l.Contains("Summary: 3 devices", StringComparison.Ordinal));
        Assert.Contains(simulate.Output, l => l.Contains("Summary: 2 devices", StringComparison.Ordinal));
        Assert.Equal(5, _cloud.Connections.Select(c => c.ClientId).Distinct().Count());
    }

    [Fact]
    public async Task Bad_arguments_print_the_usage_and_exit_64()
    {
        var (exitCode, output) = await RunAgentAsync("simulate", "--count", "0");

        Assert.Equal(64, exitCode);
        Assert.Contains("Usage: Diagnostics.Agent simulate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fault_script_that_is_not_understood_is_refused_naming_the_part()
    {
        var (exitCode, output) = await RunAgentAsync("simulate", "--count", "1", "--faults", "stubborn-jam@5s,teleport@5s");

        Assert.Equal(64, exitCode);
        Assert.Contains("Simulator:ScriptedFaults 'teleport@5s'", output, StringComparison.Ordinal);
        Assert.Contains("stubborn-jam", output, StringComparison.Ordinal);
    }
}
