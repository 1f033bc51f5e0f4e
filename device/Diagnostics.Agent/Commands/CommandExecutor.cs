using System.Threading.Channels;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Commands;

/// <summary>
/// Runs the cloud's commands on this device, each at most once per command id, one at a time: checks it
/// (<see cref="CommandChecks"/>, against the newest consent set in <see cref="ConsentStore"/>), records it in the
/// <see cref="CommandJournal"/>, asks the device (<see cref="IDeviceActions"/>) and enqueues the
/// <see cref="CommandResult"/> in the outbox like any uplink. A command seen before is not run again: its recorded
/// result is enqueued again (the cloud dedups).
/// </summary>
/// <remarks>
/// As the connection's <see cref="IDownlinkHandler"/> it only queues (the MQTT client waits for the handler);
/// <see cref="RunAsync"/> works the queue. <c>restart-agent</c> is the agent's own command: it reports Succeeded, then
/// calls the restart hook (the runtime reconnects its MQTT session). <c>collect-diagnostics</c> is the agent's own too:
/// the diagnostics hook builds and uploads the report, whatever the collector.
/// </remarks>
public sealed partial class CommandExecutor : IDownlinkHandler, IDisposable
{
    /// <summary>Detail of a device command on a device whose collector cannot act at all.</summary>
    public const string NotSupportedByDevice = ActionOutcome.NotSupportedByDevice;

    /// <summary>Detail of a successful <c>restart-agent</c>.</summary>
    public const string RestartDetail = "agent restart: the MQTT session is closed and reopened, and the device read again; the collector, outbox, journal and consents are kept";

    /// <summary>Commands waiting beyond this make the MQTT handler wait too (back-pressure on a flood), rather than grow memory.</summary>
    private const int QueueCapacity = 256;

    private readonly IDeviceActions? _actions;
    private readonly Outbox _outbox;
    private readonly UplinkEnvelopes _envelopes;
    private readonly CommandOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action? _afterAction;
    private readonly Action? _restartAgent;
    private readonly Func<string, CancellationToken, Task<ActionOutcome>>? _collectDiagnostics;
    private readonly CommandJournal _journal;
    private readonly ConsentStore _consents;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Channel<Delivery> _queue = Channel.CreateBounded<Delivery>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _ran;
    private long _refused;
    private long _repeated;

    /// <param name="dataDirectory">The device's data directory (the outbox's): the journal and the consent set live there.</param>
    /// <param name="actions">The device's actions; null when its collector cannot act (device commands then fail as not supported).</param>
    /// <param name="afterAction">Called after a device action ran, whatever its outcome: the telemetry pump's early read.</param>
    /// <param name="restartAgent">Called after <c>restart-agent</c> has reported Succeeded; without it the command fails as not supported.</param>
    /// <param name="collectDiagnostics">Carries out <c>collect-diagnostics</c> (by command id); without it the command fails as not supported.</param>
    public CommandExecutor(
        string dataDirectory, IDeviceActions? actions, Outbox outbox, UplinkEnvelopes envelopes, CommandOptions options, TimeProvider time,
        ILogger<CommandExecutor> logger, Action? afterAction = null, Action? restartAgent = null,
        Func<string, CancellationToken, Task<ActionOutcome>>? collectDiagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(envelopes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _actions = actions;
        _outbox = outbox;
        _envelopes = envelopes;
        _options = options;
        _time = time;
        _logger = logger;
        _afterAction = afterAction;
        _restartAgent = restartAgent;
        _collectDiagnostics = collectDiagnostics;
        _journal = CommandJournal.Open(dataDirectory, options, time, out var journalProblem);
        if (journalProblem is not null)
            Log.JournalUnreadable(_logger, DeviceId, _journal.FilePath, journalProblem);
        _consents = ConsentStore.Open(dataDirectory, out var consentProblem);
        if (consentProblem is not null)
            Log.JournalUnreadable(_logger, DeviceId, Path.Combine(dataDirectory, ConsentStore.FileName), consentProblem);
    }

    private string DeviceId => _envelopes.DeviceId;

    /// <summary>Device actions invoked (restart-agent included) since start.</summary>
    public long CommandsRun => Interlocked.Read(ref _ran);

    /// <summary>Commands refused or expired (not run) since start.</summary>
    public long CommandsRefused => Interlocked.Read(ref _refused);

    /// <summary>Deliveries of a command already handled, answered from the journal without running it again.</summary>
    public long CommandsRepeated => Interlocked.Read(ref _repeated);

    /// <summary>The newest consent set received (kept across restarts), or null.</summary>
    public ConsentSet? Consents => _consents.Latest;

    /// <summary>Heartbeat metrics: what the device did with commands.</summary>
    public IEnumerable<Metric> CurrentMetrics() =>
    [
        new Metric { Name = "commands-run", Value = CommandsRun, Unit = "count" },
        new Metric { Name = "commands-refused", Value = CommandsRefused, Unit = "count" },
        new Metric { Name = "commands-repeated", Value = CommandsRepeated, Unit = "count" },
    ];

    /// <summary>Works the queue of delivered commands, one at a time, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                if (delivery.Command is { } command)
                    await ExecuteAsync(command, cancellationToken);
                else
                    await RefuseUnreadableAsync(delivery.CommandId, delivery.Reason, cancellationToken);
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException or ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
            {
                // The journal or outbox cannot be written (disk full, read-only): this command stays unanswered and
                // the cloud re-sends it on the next connect; the others still get their turn.
                Log.ActionFailed(_logger, ex, DeviceId, delivery.Command?.CommandId ?? delivery.CommandId, delivery.Command?.Name ?? "", ex.Message);
            }
        }
    }

    /// <summary>Handles one command now: answers from the journal, or checks, runs and records it. Returns the result it enqueued.</summary>
    public async Task<CommandResult> ExecuteAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            Log.Received(_logger, DeviceId, command.CommandId, command.Name, command.Consent?.ConsentId ?? "", command.Consent?.GrantedBy ?? "");
            if (_journal.Find(command.CommandId) is { } seen)
                return await AnswerAgainAsync(seen, cancellationToken);

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (CommandChecks.Check(command, _consents.Latest, now, out var parameters) is { } refusal)
            {
                var refused = Result(command.CommandId, command.Name, refusal.Outcome, refusal.Detail, now, now);
                await RecordAndSendAsync(refused, cancellationToken);
                Interlocked.Increment(ref _refused);
                if (refusal.Outcome == CommandOutcome.Expired)
                    Log.Expired(_logger, DeviceId, command.CommandId, command.Name, refusal.Detail);
                else
                    Log.Refused(_logger, DeviceId, command.CommandId, command.Name, refusal.Detail);
                return refused;
            }

            // Recorded before the device is touched: if the agent dies during the action, it is not run again.
            await _journal.RecordStartedAsync(command.CommandId, command.Name, now, cancellationToken);
            Interlocked.Increment(ref _ran);
            var started = _time.GetTimestamp();
            var outcome = await RunAsync(command, parameters, cancellationToken);
            var result = Result(command.CommandId, command.Name, outcome.Outcome, outcome.Detail, now, _time.GetUtcNow().ToUnixTimeMilliseconds());
            // Stopping mid-action still records what happened, so the answer is not lost with the process.
            var record = cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken;
            await RecordAndSendAsync(result, record);
            Log.Ran(_logger, DeviceId, command.CommandId, command.Name, result.Outcome, _time.GetElapsedTime(started).TotalMilliseconds, result.Detail);

            if (command.Name == DeviceCommands.RestartAgent)
            {
                if (result.Outcome == CommandOutcome.Succeeded)
                {
                    Log.RestartRequested(_logger, DeviceId, command.CommandId);
                    _restartAgent?.Invoke();
                }
            }
            else if (command.Name != DeviceCommands.CollectDiagnostics)
            {
                // Only a device action changes the device; collecting a report reads it.
                _afterAction?.Invoke();
            }
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Answers a command that could not be decoded, by the id read from its bytes: Refused, and recorded like any answer.</summary>
    public async Task<CommandResult> RefuseUnreadableAsync(string commandId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(commandId);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (_journal.Find(commandId) is { } seen)
                return await AnswerAgainAsync(seen, cancellationToken);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var refused = Result(commandId, "", CommandOutcome.Refused, "the command could not be read: " + reason, now, now);
            await RecordAndSendAsync(refused, cancellationToken);
            Interlocked.Increment(ref _refused);
            Log.Refused(_logger, DeviceId, commandId, "", refused.Detail);
            return refused;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Keeps a consent set when it is newer than the one in force; true when it was.</summary>
    public async Task<bool> ApplyConsentSetAsync(ConsentSet consents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consents);
        var previous = _consents.Latest;
        if (!await _consents.TryApplyAsync(consents, cancellationToken))
        {
            Log.ConsentSetIgnored(_logger, DeviceId, consents.IssuedUnixMs, _consents.Latest?.IssuedUnixMs ?? 0);
            return false;
        }
        var gone = previous?.Grants.Where(g => !consents.Grants.Exists(n => n.ConsentId == g.ConsentId)).Select(g => g.ConsentId) ?? [];
        Log.ConsentSetApplied(_logger, DeviceId, consents.IssuedUnixMs, string.Join(", ", consents.Grants.Select(g => $"{g.ConsentId} ({g.Action})")), string.Join(", ", gone));
        return true;
    }

    /// <summary>Stops taking deliveries; what is still queued is not run (the cloud re-sends it on the next connect).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _oneAtATime.Dispose();
    }

    async ValueTask IDownlinkHandler.OnCommandAsync(Command command, CancellationToken cancellationToken) =>
        await _queue.Writer.WriteAsync(new Delivery(command, command.CommandId, ""), cancellationToken);

    async ValueTask IDownlinkHandler.OnUnreadableCommandAsync(string commandId, string reason, CancellationToken cancellationToken) =>
        await _queue.Writer.WriteAsync(new Delivery(null, commandId, reason), cancellationToken);

    async ValueTask IDownlinkHandler.OnConsentSetAsync(ConsentSet consents, CancellationToken cancellationToken) =>
        await ApplyConsentSetAsync(consents, cancellationToken);

    private async Task<CommandResult> AnswerAgainAsync(CommandJournalEntry seen, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _repeated);
        if (seen.IsFinished)
        {
            var again = seen.ToResult();
            Log.Repeated(_logger, DeviceId, seen.CommandId, seen.Name, again.Outcome);
            await SendAsync(again, cancellationToken);
            return again;
        }
        // Started and never finished: the agent stopped (or died) while the device acted. Whether it worked is
        // unknown; running it again could do twice what the customer approved once.
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var interrupted = Result(seen.CommandId, seen.Name, CommandOutcome.Failed,
            "interrupted: the agent stopped while the device was running it; not run again", seen.StartedUnixMs, now);
        await RecordAndSendAsync(interrupted, cancellationToken);
        Log.Interrupted(_logger, DeviceId, seen.CommandId, seen.Name);
        return interrupted;
    }

    private async Task<ActionOutcome> RunAsync(Command command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (command.Name == DeviceCommands.RestartAgent)
            return _restartAgent is null ? ActionOutcome.NotSupported("not supported by this agent") : ActionOutcome.Succeeded(RestartDetail);
        if (command.Name == DeviceCommands.CollectDiagnostics)
        {
            return _collectDiagnostics is not { } collect
                ? ActionOutcome.NotSupported("not supported by this agent")
                : await WithinTimeoutAsync(command, token => collect(command.CommandId, token), cancellationToken);
        }
        if (_actions is null)
            return ActionOutcome.NotSupported(NotSupportedByDevice);
        var actions = _actions;
        return await WithinTimeoutAsync(command, token => actions.RunAsync(command.Name, parameters, token), cancellationToken);
    }

    /// <summary>Runs an action within <see cref="CommandOptions.ActionTimeout"/>, turning a timeout, a stop or a bug into Failed.</summary>
    private async Task<ActionOutcome> WithinTimeoutAsync(Command command, Func<CancellationToken, Task<ActionOutcome>> action, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ActionTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await action(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ActionOutcome.Failed($"the device did not finish within {_options.ActionTimeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ActionOutcome.Failed("interrupted: the agent stopped while the device was running it");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A collector's bug must not take the agent down: the cloud hears it failed, the log has the exception.
            Log.ActionFailed(_logger, ex, DeviceId, command.CommandId, command.Name, ex.Message);
            return ActionOutcome.Failed("the device action failed: " + ex.Message);
        }
    }

    private async Task RecordAndSendAsync(CommandResult result, CancellationToken cancellationToken)
    {
        // Journal first: a crash after it re-sends the recorded result; a crash before it leaves nothing sent.
        await _journal.RecordAsync(result, cancellationToken);
        await SendAsync(result, cancellationToken);
    }

    private async Task SendAsync(CommandResult result, CancellationToken cancellationToken) =>
        await _outbox.EnqueueAsync(_envelopes.CommandResult(result), cancellationToken);

    private static CommandResult Result(string commandId, string name, CommandOutcome outcome, string detail, long startedUnixMs, long finishedUnixMs) => new()
    {
        CommandId = commandId,
        Name = name,
        Outcome = outcome,
        Detail = detail,
        StartedUnixMs = startedUnixMs,
        FinishedUnixMs = finishedUnixMs,
    };

    /// <summary>A delivered command, or the id and reason of one that could not be decoded.</summary>
    private sealed record Delivery(Command? Command, string CommandId, string Reason);

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CommandReceived, LogLevel.Information, "{DeviceId} received command {CommandId} {Command} (consent {ConsentId} given by {GrantedBy})")]
        public static partial void Received(ILogger logger, string deviceId, string commandId, string command, string consentId, string grantedBy);

        [LoggerMessage(AgentLogEvents.CommandRefused, LogLevel.Warning, "{DeviceId} refused command {CommandId} {Command}: {Reason}")]
        public static partial void Refused(ILogger logger, string deviceId, string commandId, string command, string reason);

        [LoggerMessage(AgentLogEvents.CommandExpired, LogLevel.Information, "{DeviceId} did not run command {CommandId} {Command}: {Reason}")]
        public static partial void Expired(ILogger logger, string deviceId, string commandId, string command, string reason);

        [LoggerMessage(AgentLogEvents.CommandRan, LogLevel.Information, "{DeviceId} ran command {CommandId} {Command}: {Outcome} in {DurationMs:0} ms: {Detail}")]
        public static partial void Ran(ILogger logger, string deviceId, string commandId, string command, CommandOutcome outcome, double durationMs, string detail);

        [LoggerMessage(AgentLogEvents.CommandRepeated, LogLevel.Information, "{DeviceId} already handled command {CommandId} {Command}: answering {Outcome} again without running it")]
        public static partial void Repeated(ILogger logger, string deviceId, string commandId, string command, CommandOutcome outcome);

        [LoggerMessage(AgentLogEvents.CommandInterrupted, LogLevel.Warning, "{DeviceId}: command {CommandId} {Command} was interrupted by an agent stop; answering Failed, not running it again")]
        public static partial void Interrupted(ILogger logger, string deviceId, string commandId, string command);

        [LoggerMessage(AgentLogEvents.CommandActionFailed, LogLevel.Error, "{DeviceId}: command {CommandId} {Command} failed in the agent: {Reason}")]
        public static partial void ActionFailed(ILogger logger, Exception exception, string deviceId, string commandId, string command, string reason);

        [LoggerMessage(AgentLogEvents.ConsentSetApplied, LogLevel.Information, "{DeviceId} consent set of {IssuedUnixMs} in force: [{Grants}]; revoked: [{Revoked}]")]
        public static partial void ConsentSetApplied(ILogger logger, string deviceId, long issuedUnixMs, string grants, string revoked);

        [LoggerMessage(AgentLogEvents.ConsentSetIgnored, LogLevel.Debug, "{DeviceId} ignores a consent set of {IssuedUnixMs}: the one of {CurrentUnixMs} is not older")]
        public static partial void ConsentSetIgnored(ILogger logger, string deviceId, long issuedUnixMs, long currentUnixMs);

        [LoggerMessage(AgentLogEvents.CommandJournalUnreadable, LogLevel.Error, "{DeviceId}: {Path} could not be read and was moved aside (.unreadable); starting without it: {Reason}")]
        public static partial void JournalUnreadable(ILogger logger, string deviceId, string path, string reason);

        [LoggerMessage(AgentLogEvents.AgentRestartRequested, LogLevel.Information, "{DeviceId}: restart-agent ({CommandId}): reconnecting the MQTT session and reading the device again")]
        public static partial void RestartRequested(ILogger logger, string deviceId, string commandId);
    }
}
