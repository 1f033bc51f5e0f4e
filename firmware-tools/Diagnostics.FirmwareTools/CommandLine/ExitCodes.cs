namespace Diagnostics.FirmwareTools.CommandLine;

/// <summary>fwtool's exit codes, for scripts and CI.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A check failed or something was refused: a bad signature, an invalid manifest, the cloud said no.</summary>
    public const int Refused = 1;
    /// <summary>The command line is wrong: unknown or missing options, values that do not parse.</summary>
    public const int Usage = 2;
    /// <summary>A file could not be read or written, or the cloud could not be reached.</summary>
    public const int IoOrNetwork = 3;
    /// <summary>Interrupted (Ctrl+C), as shells report a process ended by SIGINT.</summary>
    public const int Interrupted = 130;
}

/// <summary>Ends a command with an exit code and one message saying why; <see cref="Fwtool"/> prints it to standard error.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : this(ExitCodes.Refused, message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Refused;
    }

    public CommandFailedException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Refused;

    public static CommandFailedException Refused(string message) => new(ExitCodes.Refused, message);

    public static CommandFailedException Usage(string message) => new(ExitCodes.Usage, message);
}
