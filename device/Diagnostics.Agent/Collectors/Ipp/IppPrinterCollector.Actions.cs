using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// The commands a printer offers through standard IPP operations: resume-printer (Resume-Printer), identify
/// (Identify-Printer, PWG 5100.13), cancel-stuck-jobs (Cancel-Jobs, PWG 5100.11; Purge-Jobs where Cancel-Jobs is not
/// offered). Each asks the printer first what it offers (<c>operations-supported</c>) and answers "not supported by
/// this printer" without sending an operation it lacks.
/// </summary>
public sealed partial class IppPrinterCollector : IDeviceActions
{
    public const string NotSupportedByPrinter = "not supported by this printer";

    private static readonly string[] ActionAttributes = ["operations-supported", "identify-actions-supported", "printer-state", "printer-state-reasons"];

    public async Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (command is not (DeviceCommands.ResumePrinter or DeviceCommands.Identify or DeviceCommands.CancelStuckJobs))
            return ActionOutcome.NotSupported(NotSupportedByPrinter);
        IppMessage printer;
        try
        {
            printer = await _client.GetPrinterAttributesAsync(ActionAttributes, cancellationToken);
        }
        catch (IppRequestException ex)
        {
            return ActionOutcome.Failed($"the printer did not answer: {ex.Message}");
        }
        // A printer that does not list its operations is asked anyway; one that lists them is believed.
        var offered = printer.Find("operations-supported")?.Integers.ToHashSet();
        try
        {
            return command switch
            {
                DeviceCommands.ResumePrinter => await ResumeAsync(printer, offered, cancellationToken),
                DeviceCommands.Identify => await IdentifyAsync(printer, offered, parameters.GetValueOrDefault("action"), cancellationToken),
                _ => await CancelJobsAsync(offered, cancellationToken),
            };
        }
        catch (IppRequestException ex) when (ex.Failure != IppRequestFailure.IppStatus)
        {
            return ActionOutcome.Failed($"the printer did not answer: {ex.Message}");
        }
    }

    private async Task<ActionOutcome> ResumeAsync(IppMessage printer, HashSet<int>? offered, CancellationToken cancellationToken)
    {
        if (offered is not null && !offered.Contains(IppOperations.ResumePrinter))
            return ActionOutcome.NotSupported($"{NotSupportedByPrinter}: it does not offer Resume-Printer");
        var wasPaused = IsPaused(printer);
        if (await SendAsync(IppOperations.ResumePrinter, "Resume-Printer", [], cancellationToken) is { } refused)
            return refused;
        var now = await StateAsync(cancellationToken);
        return ActionOutcome.Succeeded(wasPaused
            ? $"resumed: Resume-Printer accepted; the printer is {now} now"
            : $"the printer was not paused (Resume-Printer accepted anyway); it is {now} now");
    }

    private async Task<ActionOutcome> IdentifyAsync(IppMessage printer, HashSet<int>? offered, string? action, CancellationToken cancellationToken)
    {
        if (offered is not null && !offered.Contains(IppOperations.IdentifyPrinter))
            return ActionOutcome.NotSupported($"{NotSupportedByPrinter}: it does not offer Identify-Printer");
        var actions = printer.Find("identify-actions-supported")?.Strings.ToList();
        if (action is not null && actions is not null && !actions.Contains(action, StringComparer.Ordinal))
            return ActionOutcome.Failed($"the printer cannot identify itself by '{action}' (it offers {string.Join(", ", actions)})");
        // Without a wish, a sound is what finds a printer in a room full of them; then its display; else its own default.
        action ??= actions?.FirstOrDefault(a => a == "sound") ?? actions?.FirstOrDefault(a => a == "display");
        IppAttribute[] attributes = action is null ? [] : [new IppAttribute("identify-actions", new IppStringValue(IppValueTag.Keyword, action))];
        if (await SendAsync(IppOperations.IdentifyPrinter, "Identify-Printer", attributes, cancellationToken) is { } refused)
            return refused;
        return ActionOutcome.Succeeded(action is null
            ? "Identify-Printer accepted: the printer identifies itself its own way"
            : $"Identify-Printer accepted: the printer identifies itself by {action}");
    }

    private async Task<ActionOutcome> CancelJobsAsync(HashSet<int>? offered, CancellationToken cancellationToken)
    {
        var cancelJobs = offered?.Contains(IppOperations.CancelJobs) ?? true;
        var purgeJobs = offered?.Contains(IppOperations.PurgeJobs) ?? true;
        if (!cancelJobs && !purgeJobs)
            return ActionOutcome.NotSupported($"{NotSupportedByPrinter}: it offers neither Cancel-Jobs nor Purge-Jobs");
        var waiting = await CountWaitingJobsAsync(cancellationToken);
        if (waiting == 0)
            return ActionOutcome.Succeeded("no jobs waiting: nothing to cancel");
        var jobs = waiting switch { 1 => "1 waiting job", { } count => $"{count} waiting jobs", null => "the waiting jobs" };
        if (cancelJobs)
        {
            var refused = await SendAsync(IppOperations.CancelJobs, "Cancel-Jobs", [], cancellationToken);
            if (refused is null)
                return ActionOutcome.Succeeded($"cancelled {jobs} (Cancel-Jobs)");
            // Listed or not, a printer that turns out not to implement it may still purge (the older, blunter operation).
            if (!refused.IsNotSupported || !purgeJobs)
                return refused;
        }
        return await SendAsync(IppOperations.PurgeJobs, "Purge-Jobs", [], cancellationToken) ?? ActionOutcome.Succeeded($"cancelled {jobs} (Purge-Jobs)");
    }

    /// <summary>Jobs not yet completed, by Get-Jobs (REQUIRED in IPP/1.1); null when the printer does not say.</summary>
    private async Task<int?> CountWaitingJobsAsync(CancellationToken cancellationToken)
    {
        var request = new IppMessage(2, 0, IppOperations.GetJobs, _client.NextRequestId(),
        [
            _client.OperationAttributes(
                User(),
                new IppAttribute("which-jobs", new IppStringValue(IppValueTag.Keyword, "not-completed")),
                new IppAttribute("requested-attributes", new IppStringValue(IppValueTag.Keyword, "job-id"))),
        ]);
        try
        {
            var response = await _client.SendAsync(request, cancellationToken);
            return response.Groups.Count(g => g.Tag == IppGroupTag.Job);
        }
        catch (IppRequestException ex) when (ex.Failure == IppRequestFailure.IppStatus)
        {
            return null;
        }
    }

    /// <summary>Sends one printer operation; null when the printer accepted it, else the outcome that says why not.</summary>
    private async Task<ActionOutcome?> SendAsync(short operation, string name, IppAttribute[] attributes, CancellationToken cancellationToken)
    {
        var request = new IppMessage(2, 0, operation, _client.NextRequestId(), [_client.OperationAttributes([User(), .. attributes])]);
        try
        {
            var response = await _client.SendAsync(request, cancellationToken);
            Log.OperationAnswered(_logger, _client.PrinterUri, name, IppStatusCodes.Name(response.Code));
            return null;
        }
        catch (IppRequestException ex) when (ex.Failure == IppRequestFailure.IppStatus && ex.StatusCode is { } status)
        {
            Log.OperationAnswered(_logger, _client.PrinterUri, name, IppStatusCodes.Name(status));
            return status == IppStatusCodes.ServerErrorOperationNotSupported
                ? ActionOutcome.NotSupported($"{NotSupportedByPrinter}: it answered {name} with server-error-operation-not-supported")
                : ActionOutcome.Failed($"the printer refused {name}: {IppStatusCodes.Name(status)}");
        }
    }

    private async Task<string> StateAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetPrinterAttributesAsync(["printer-state", "printer-state-reasons"], cancellationToken);
        var state = response.Find("printer-state")?.Integers.FirstOrDefault() switch
        {
            3 => "idle",
            4 => "processing",
            5 => "stopped",
            _ => "in an unknown state",
        };
        return IsPaused(response) ? state + " and still paused" : state;
    }

    private static bool IsPaused(IppMessage printer) =>
        printer.Find("printer-state-reasons")?.Strings.Any(r => PrinterStateReasons.Parse(r)?.Base == "paused") == true;

    private static IppAttribute User() => new("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, IppClient.RequestingUserName));

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.IppOperationAnswered, LogLevel.Information, "IPP printer {PrinterUri}: {Operation} answered {Status}")]
        public static partial void OperationAnswered(ILogger logger, Uri printerUri, string operation, string status);
    }
}
