using System.Diagnostics;
using System.Text;

namespace Diagnostics.Agent.Updates;

/// <summary>What an installer hook did: its exit code and the tail of what it printed.</summary>
public sealed record HookResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs one of the installer hooks of <see cref="UpdateOptions"/> (<c>rauc install {image}</c>,
/// <c>rauc status mark-good</c> ...) as a process, without a shell: the command line is split into words (quotes group
/// words), placeholders are replaced inside words, so a path with spaces stays one argument.
/// </summary>
public static class InstallerHook
{
    /// <summary>What is kept of the hook's output for a report: its end, where installers say what went wrong.</summary>
    public const int MaxOutputChars = 2000;

    /// <param name="environment">Variables set for the process besides the agent's own (cupstestppd's <c>CUPS_SERVERBIN</c>).</param>
    public static async Task<HookResult> RunAsync(
        string commandLine, IReadOnlyDictionary<string, string> placeholders, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(placeholders);
        var words = Split(commandLine).Select(word => placeholders.Aggregate(word, (text, p) => text.Replace(p.Key, p.Value, StringComparison.Ordinal))).ToList();
        if (words.Count == 0)
            throw new ArgumentException("The hook's command line is empty.", nameof(commandLine));
        var start = new ProcessStartInfo(words[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var word in words.Skip(1))
            start.ArgumentList.Add(word);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
            {
                output.AppendLine(e.Data);
                if (output.Length > 4 * MaxOutputChars)
                    output.Remove(0, output.Length - MaxOutputChars);
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new HookResult(-1, $"could not start {words[0]}: {ex.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
                throw;
            return new HookResult(-1, $"{words[0]} did not finish within {timeout.TotalSeconds:0.#} s and was stopped; output: {Tail(output)}");
        }
        // The exit can be seen before the last lines are read; this waits for the streams to end.
        await process.WaitForExitAsync(CancellationToken.None);
        return new HookResult(process.ExitCode, Tail(output));
    }

    /// <summary>Splits a command line into words at white space; single or double quotes keep white space inside a word.</summary>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in commandLine)
        {
            if (quote is { } open)
            {
                if (c == open)
                    quote = null;
                else
                    word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            var text = output.ToString().Trim();
            return text.Length <= MaxOutputChars ? text : "…" + text[^MaxOutputChars..];
        }
    }
}
