using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Diagnostics.Agent.Fleet;

/// <summary>
/// Splits a large simulated fleet over several processes of this same program, each with its own range of device
/// indexes: every process has its own open-files limit (20,000 here, which 10,000 devices' sockets and outboxes exceed)
/// and its own thread pool. The children write to this process's console; a SIGTERM or Ctrl+C here stops them all.
/// </summary>
internal static class FleetProcesses
{
    /// <summary>Devices per process when the count is left to the simulator: 2 outbox files and a socket each, far below 20,000.</summary>
    public const int DefaultDevicesPerProcess = 2_500;

    private const int SignalTerminate = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Runs <paramref name="processes"/> children over <paramref name="count"/> devices from <paramref name="firstIndex"/>; returns the worst exit code.</summary>
    /// <param name="arguments">The simulate options without --count, --first-index and --processes.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, int count, int firstIndex, int processes, CancellationToken stopping)
    {
        var perProcess = (count + processes - 1) / processes;
        var children = new List<Process>();
        try
        {
            for (var k = 0; k * perProcess < count; k++)
            {
                var childCount = Math.Min(perProcess, count - k * perProcess);
                children.Add(Start([
                    SimulateCommand.Name, .. arguments,
                    "--count", childCount.ToString(CultureInfo.InvariantCulture),
                    "--first-index", (firstIndex + k * perProcess).ToString(CultureInfo.InvariantCulture),
                    "--processes", "1",
                ]));
            }
            Console.WriteLine($"Simulating {count} printers in {children.Count} processes ({string.Join(", ", children.Select(c => c.Id))}).");
            try
            {
                await Task.WhenAll(children.Select(c => c.WaitForExitAsync(stopping)));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stop them as this process was stopped: cleanly, each prints its summary.
                foreach (var child in children.Where(c => !c.HasExited))
                    _ = Kill(child.Id, SignalTerminate);
                await Task.WhenAll(children.Select(c => c.WaitForExitAsync(CancellationToken.None)));
            }
            return children.Max(c => c.ExitCode);
        }
        finally
        {
            foreach (var child in children)
                child.Dispose();
        }
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        // Under `dotnet Diagnostics.Agent.dll` the program is the dll; a published agent is its own executable.
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        // (Named from the base directory: a single-file or Native AOT agent has no assembly location, and never gets here.)
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(FleetProcesses).Assembly.GetName().Name + ".dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    }
}
