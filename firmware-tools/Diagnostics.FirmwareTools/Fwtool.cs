using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Security.Cryptography;

using Diagnostics.FirmwareTools.Cloud;
using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.FirmwareTools.Keys;
using Diagnostics.FirmwareTools.Packages;

namespace Diagnostics.FirmwareTools;

/// <summary>The fwtool command line: every command, and the one place that turns failures into exit codes.</summary>
public static class Fwtool
{
    public static Command CreateRootCommand(FwtoolConsole console)
    {
        // Named explicitly: a RootCommand takes the host's name, which is 'testhost' when tests run fwtool in-process.
        var root = new Command("fwtool", "fwtool: keys, packing, signing, verifying and publishing firmware and driver packages for Diagnostics devices.")
        {
            new HelpOption(),
            new VersionOption(),
            KeygenCommand.Create(console),
            PackCommand.Create(console),
            SignCommand.Create(console),
            VerifyCommand.Create(console),
            InspectCommand.Create(console),
            DeltaCommand.Create(console),
            PublishCommand.Create(console),
            RolloutCommands.Create(console),
        };
        root.SetAction(_ =>
        {
            console.Error.WriteLine("No command given. Run 'fwtool --help' for the list of commands.");
            return ExitCodes.Usage;
        });
        return root;
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult level; result = level.Parent)
            names.Insert(0, level.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>Runs one fwtool command line and returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, FwtoolConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        // '@file' is fwtool's own syntax (--notes @notes.txt), not a response file to expand into arguments.
        var parseResult = CreateRootCommand(console).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
        if (parseResult.Action is ParseErrorAction parseError)
        {
            // The errors and where to read more; the whole help text would bury the one line that matters.
            parseError.ShowHelp = false;
            await parseResult.InvokeAsync(invocation, cancellationToken);
            console.Error.WriteLine($"Run '{CommandPath(parseResult.CommandResult)} --help' for its options.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (CommandFailedException failure)
        {
            console.Error.WriteLine(failure.ExitCode == ExitCodes.Usage ? $"usage: {failure.Message}" : failure.Message);
            return failure.ExitCode;
        }
        catch (InvalidDataException exception)
        {
            // A damaged zip or delta: the input is refused, as a device would refuse it.
            console.Error.WriteLine($"refused: the file is damaged: {exception.Message}");
            return ExitCodes.Refused;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.IoOrNetwork;
        }
        catch (HttpRequestException exception)
        {
            console.Error.WriteLine(exception.StatusCode is null
                ? $"error: the cloud could not be reached: {exception.Message}"
                : $"error: the cloud failed {exception.Message}");
            return ExitCodes.IoOrNetwork;
        }
        catch (TaskCanceledException exception) when (exception.InnerException is TimeoutException)
        {
            console.Error.WriteLine($"error: the cloud did not answer in time: {exception.InnerException.Message}");
            return ExitCodes.IoOrNetwork;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: System.CommandLine cancels the command's token.
            console.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (CryptographicException exception)
        {
            console.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Refused;
        }
    }
}
