namespace Diagnostics.Fuzzing.Engines;

/// <summary>What one fuzzing run of one target did within its budget.</summary>
/// <param name="Crashes">Inputs that broke the contract (AFL: the crashes it saved, one per new path; random: every one).</param>
/// <param name="Failures">The distinct ways the contract broke (exception type and where), each with a saved input.</param>
/// <param name="Edges">Coverage edges reached (AFL only).</param>
public sealed record FuzzRun(string Target, string Engine, double Seconds, long Executions, long Crashes, long Hangs, IReadOnlyList<Failure> Failures, long? Edges = null)
{
    public double ExecutionsPerSecond => Seconds > 0 ? Executions / Seconds : 0;
}

/// <summary>One distinct way a parser broke its contract, and an input that shows it.</summary>
public sealed record Failure(string Signature, string Message, string InputPath);

public static class Failures
{
    /// <summary>Runs <paramref name="input"/> again under the contract: null when the parser keeps it, else what broke.</summary>
    public static (string Signature, string Message)? Replay(FuzzTarget target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception exception)
        {
            return Describe(exception);
        }
    }

    /// <summary>The exception's type and the first frame of ours it passed through: one bug, however many inputs show it.</summary>
    public static (string Signature, string Message) Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var frames = (exception.StackTrace ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var where = frames.FirstOrDefault(f => f.Contains(" Diagnostics.", StringComparison.Ordinal) && !f.Contains("Diagnostics.Fuzzing", StringComparison.Ordinal))
            ?? frames.FirstOrDefault() ?? "";
        var at = where.IndexOf(" in ", StringComparison.Ordinal);
        var frame = (at > 0 ? where[..at] : where).Replace("at ", "", StringComparison.Ordinal).Trim();
        var signature = exception is ContractViolationException ? $"{exception.GetType().Name}: {FirstWords(exception.Message)}" : $"{exception.GetType().FullName} at {frame}";
        return (signature, exception.Message);
    }

    private static string FirstWords(string message) => string.Join(' ', message.Split(' ').TakeWhile(w => !w.Any(char.IsDigit)).Take(8));
}
