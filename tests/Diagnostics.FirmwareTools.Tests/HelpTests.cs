using System.CommandLine;
using System.Diagnostics;

using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Tests;

public sealed class HelpTests : IDisposable
{
    private readonly FwtoolHarness _fwtool = new();

    public void Dispose() => _fwtool.Dispose();

    public static TheoryData<string> CommandPaths()
    {
        var paths = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            foreach (var subcommand in command.Subcommands)
            {
                var subPath = path.Length == 0 ? subcommand.Name : $"{path} {subcommand.Name}";
                paths.Add(subPath);
                Walk(subcommand, subPath);
            }
        }
        Walk(Fwtool.CreateRootCommand(new FwtoolConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false, _ => null, TimeProvider.System)), "");
        return paths;
    }

    [Fact]
    public async Task The_real_executable_answers_help_and_exits_zero()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fwtool.dll"));
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        foreach (var command in new[] { "keygen", "pack", "sign", "verify", "inspect", "delta", "publish", "rollout" })
            Assert.Contains(command, output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Every_command_has_help_describing_it_and_each_of_its_options(string path)
    {
        var result = await _fwtool.RunAsync([.. path.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"fwtool {path}", result.Out, StringComparison.Ordinal);
        var command = path.Split(' ').Aggregate(Fwtool.CreateRootCommand(new FwtoolConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false, _ => null, TimeProvider.System)),
            (parent, name) => parent.Subcommands.Single(subcommand => subcommand.Name == name));
        Assert.False(string.IsNullOrWhiteSpace(command.Description));
        Assert.Contains(command.Description!, result.Out, StringComparison.Ordinal);
        foreach (var option in command.Options)
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{path} {option.Name} has no help text");
        foreach (var argument in command.Arguments)
            Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"{path} <{argument.Name}> has no help text");
    }

    [Fact]
    public async Task No_command_is_a_usage_error_that_points_to_help()
    {
        var result = await _fwtool.RunAsync();

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("fwtool --help", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unrecognized command or argument 'frobnicate'", "frobnicate")]
    [InlineData("Option '--out' is required", "keygen")]
    [InlineData("Option '--trusted' is required", "verify", "x.dxpkg")]
    [InlineData("Argument 'tractor' not recognized", "pack", "--payload", "a", "--id", "a", "--kind", "tractor", "--version", "1", "--model", "M", "--out", "a.dxpkg")]
    [InlineData("'10y' is not a duration", "pack", "--payload", "a", "--id", "a", "--kind", "driver", "--version", "1", "--model", "M", "--out", "a.dxpkg", "--expires-in", "10y")]
    [InlineData("not both", "pack", "--payload", "a", "--id", "a", "--kind", "driver", "--version", "1", "--model", "M", "--out", "a.dxpkg", "--expires-in", "30d", "--expires", "2027-01-01")]
    [InlineData("is not a date", "pack", "--payload", "a", "--id", "a", "--kind", "driver", "--version", "1", "--model", "M", "--out", "a.dxpkg", "--expires", "next spring")]
    [InlineData("--model and --running-version go together", "verify", "x.dxpkg", "--trusted", "k.pub.pem", "--model", "LX-500")]
    [InlineData("is not an http or https address", "publish", "x.dxpkg", "--cloud", "ftp://example.com", "--email", "a@example.com")]
    [InlineData("rising percentages", "rollout", "create", "--package", "p", "--cloud", "http://localhost", "--email", "a@example.com", "--waves", "10,5,100")]
    [InlineData("must end at 100", "rollout", "create", "--package", "p", "--cloud", "http://localhost", "--email", "a@example.com", "--waves", "1,10,50")]
    [InlineData("not both", "rollout", "create", "--package", "p", "--cloud", "http://localhost", "--email", "a@example.com", "--require-approval", "--auto-approve-by-policy")]
    [InlineData("--failure-threshold is a percentage", "rollout", "create", "--package", "p", "--cloud", "http://localhost", "--email", "a@example.com", "--failure-threshold", "150")]
    public async Task Usage_errors_exit_2_with_the_reason_and_touch_nothing(string reason, params string[] args)
    {
        var result = await _fwtool.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_fwtool.Directory));
    }
}
