using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Hosts;

/// <summary>
/// <c>use-driverless</c>: every stopped queue on this host whose printer speaks IPP is switched to driverless IPP
/// Everywhere (<c>lpadmin -p QUEUE -m everywhere</c>: CUPS asks the printer what it can do and makes the PPD from that),
/// then started again. The remediation the knowledge base offers when a queue's driver keeps failing its jobs.
/// </summary>
public sealed partial class PrintHostCollector
{
    public async Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (command != DeviceCommands.UseDriverless)
            return ActionOutcome.NotSupported(ActionOutcome.NotSupportedByDevice);
        if (!_options.Cups)
            return ActionOutcome.NotSupported("not supported by this host: it does not print through CUPS");
        var report = await ReadReportAsync(fresh: true, cancellationToken);
        var stopped = report.Queues.Where(q => q.State == DeviceState.Stopped).ToList();
        if (stopped.Count == 0)
            return ActionOutcome.Failed("no print queue on this host is stopped: nothing to switch");
        var done = new List<string>();
        var notDone = new List<string>();
        foreach (var queue in stopped)
        {
            if (!SpeaksIpp(queue.DeviceUri))
            {
                notDone.Add($"{queue.Name} prints over {queue.DeviceUri.Split(':')[0]}, not IPP");
                continue;
            }
            var outcome = await SwitchAsync(queue, cancellationToken);
            (outcome.Switched ? done : notDone).Add(outcome.Detail);
        }
        Invalidate();
        var text = string.Join("; ", done.Concat(notDone));
        return done.Count > 0 ? ActionOutcome.Succeeded(text) : ActionOutcome.Failed(text);
    }

    private async Task<(bool Switched, string Detail)> SwitchAsync(PrintQueue queue, CancellationToken cancellationToken)
    {
        byte[]? saved;
        try
        {
            saved = await _cups.GetPpdAsync(queue.Name, cancellationToken);
        }
        catch (IppRequestException ex)
        {
            return (false, $"{queue.Name}: its driver could not be saved, so it was left as it is: {ex.Message}");
        }
        if (CupsDriverInstaller.FindTool(_options.Lpadmin) is not { } lpadmin)
            return (false, $"{queue.Name}: lpadmin is not installed (apt-get install cups-client)");
        var server = $"{_options.CupsUri.Host}:{(_options.CupsUri.IsDefaultPort || _options.CupsUri.Port < 0 ? 631 : _options.CupsUri.Port)}";
        // lpadmin proves it is root to cupsd with the certificate in CUPS_STATEDIR/certs, as the agent does.
        var environment = _options.CupsCertificateDirectory.Length > 0 && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(_options.CupsCertificateDirectory)) is { Length: > 0 } state
            ? new Dictionary<string, string> { ["CUPS_STATEDIR"] = state }
            : null;
        var result = await InstallerHook.RunAsync($"\"{lpadmin}\" -h {server} -p \"{queue.Name}\" -m everywhere", new Dictionary<string, string>(),
            _options.RequestTimeout * 6, cancellationToken, environment);
        if (!result.Succeeded)
        {
            // lpadmin changes nothing when the printer does not answer, but put the old PPD back in case it got halfway.
            if (saved is not null)
                await TryRestoreAsync(queue.Name, saved, cancellationToken);
            return (false, $"{queue.Name}: lpadmin -m everywhere failed (exit code {result.ExitCode}): {result.Output}; its driver was left as it was");
        }
        try
        {
            await _cups.EnableAsync(queue.Name, cancellationToken);
        }
        catch (IppRequestException ex)
        {
            return (true, $"switched {queue.Name} to driverless IPP Everywhere (it had {Named(queue)}), but it could not be started again: {ex.Message}");
        }
        Log.Switched(_logger, queue.Name, Named(queue));
        return (true, $"switched {queue.Name} to driverless IPP Everywhere (it had {Named(queue)}) and started it again");
    }

    private async Task TryRestoreAsync(string queue, byte[] ppd, CancellationToken cancellationToken)
    {
        try
        {
            await _cups.SetPpdAsync(queue, ppd, cancellationToken);
        }
        catch (IppRequestException ex)
        {
            Log.QueuesUnreadable(_logger, _cups.QueueUri(queue), ex.Message);
        }
    }

    private static bool SpeaksIpp(string deviceUri) =>
        deviceUri.StartsWith("ipp://", StringComparison.OrdinalIgnoreCase) || deviceUri.StartsWith("ipps://", StringComparison.OrdinalIgnoreCase)
        || (deviceUri.StartsWith("dnssd://", StringComparison.OrdinalIgnoreCase) && deviceUri.Contains("._ipp", StringComparison.OrdinalIgnoreCase));

    /// <summary>The driver as people know it: its NickName, with its version when the name does not say it already.</summary>
    private static string Named(PrintQueue queue) => queue.DriverName.Length > 0
        ? queue.DriverVersion.Length == 0 || queue.DriverName.Contains(queue.DriverVersion, StringComparison.Ordinal) ? queue.DriverName : $"{queue.DriverName} {queue.DriverVersion}"
        : queue.Driver.ToString().ToLowerInvariant();

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.DriverlessSwitched, LogLevel.Information, "Queue {Queue} switched to driverless IPP Everywhere (it had {Driver})")]
        public static partial void Switched(ILogger logger, string queue, string driver);
    }
}
