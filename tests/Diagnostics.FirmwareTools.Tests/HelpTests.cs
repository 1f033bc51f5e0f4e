using System.Diagnostics;

namespace Diagnostics.FirmwareTools.Tests;

public sealed class HelpTests
{
    [Fact]
    public async Task Help_describes_the_tool_and_exits_zero()
    {
        var (exitCode, output) = await RunFwtoolAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("fwtool", output);
        Assert.Contains("firmware", output);
    }

    [Fact]
    public async Task No_command_exits_non_zero_and_points_to_help()
    {
        var (exitCode, output) = await RunFwtoolAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("--help", output);
    }

    private static async Task<(int ExitCode, string Output)> RunFwtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fwtool.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, output);
    }
}
