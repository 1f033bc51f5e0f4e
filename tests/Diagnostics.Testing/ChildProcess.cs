using System.Collections.Concurrent;
using System.Diagnostics;

namespace Diagnostics.Testing;

/// <summary>
/// A program of ours run as a real, separate process (<c>dotnet X.dll args</c>), its output kept for assertions
/// and failure messages, and waited on by condition rather than by time.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Lock _waitersLock = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyCollection<string> Output => _lines;

    public static ChildProcess StartDotnet(string name, string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Start(name, "dotnet", Path.GetDirectoryName(dll)!, [dll, .. arguments], environment);

    /// <summary>A self-contained program (an apphost or a native executable), run from its own folder.</summary>
    public static ChildProcess StartExecutable(string name, string executable, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Start(name, executable, Path.GetDirectoryName(Path.GetFullPath(executable))!, arguments, environment);

    private static ChildProcess Start(string name, string program, string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {name}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for an output line matching <paramref name="match"/> (including lines already printed).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            var existing = _lines.FirstOrDefault(match);
            if (existing is not null)
                return existing;
            _waiters.Add((match, seen));
        }
        try
        {
            return await seen.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not print the expected line within {timeout}. Output so far:\n{Tail()}");
        }
    }

    /// <summary>Completes when the process has exited (at once if it already has).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL: no shutdown code runs, as when power or the OOM killer takes a device's agent.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait: the host's graceful shutdown.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
            return;
        using var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        await term.WaitForExitAsync();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await KillHardAsync();
        }
    }

    /// <summary>Peak resident memory (VmHWM) in bytes, read from /proc while the process runs.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        throw new InvalidOperationException("VmHWM not found in /proc status.");
    }

    public string Tail(int lines = 60) => string.Join('\n', _lines.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        await KillHardAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_waitersLock)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Seen.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
