namespace Diagnostics.FirmwareTools.CommandLine;

/// <summary>What fwtool uses besides files: its standard streams, environment and clock, so tests can run it in-process.</summary>
/// <param name="ErrorIsTerminal">Progress bars redraw in place only on a terminal; elsewhere they print a few plain lines.</param>
/// <param name="Environment">Reads an environment variable (<c>DX_PASSWORD</c>).</param>
public sealed record FwtoolConsole(TextWriter Out, TextWriter Error, TextReader In, bool ErrorIsTerminal, Func<string, string?> Environment, TimeProvider Time)
{
    /// <summary>The process's own console, environment and clock.</summary>
    public static FwtoolConsole FromProcess() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsErrorRedirected, System.Environment.GetEnvironmentVariable, TimeProvider.System);
}
