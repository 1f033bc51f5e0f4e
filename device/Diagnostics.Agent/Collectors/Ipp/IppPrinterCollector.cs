using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>How the collector learns about changes.</summary>
public enum IppUpdateMode
{
    /// <summary>Not decided yet: no successful read so far.</summary>
    Undecided,
    /// <summary>Get-Printer-Attributes on every read.</summary>
    Polling,
}

/// <summary>
/// Watches one IPP printer: every read is a Get-Printer-Attributes, translated into a <see cref="DeviceStatus"/>.
/// A read that fails throws (the telemetry pump reports the device unreachable); after
/// <see cref="IppCollectorOptions.FailuresBeforeBackoff"/> failures in a row, reads fail fast without touching the
/// network until an exponentially growing backoff has passed, so a dead printer is not hammered every poll.
/// </summary>
public sealed partial class IppPrinterCollector : IDeviceCollector, IDisposable
{
    private readonly IppClient _client;
    private readonly IppCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _raisedAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneReadAtATime = new(1, 1);
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;

    /// <param name="http">Used for every request, not disposed here; its own Timeout should be at least the request timeout.</param>
    public IppPrinterCollector(HttpClient http, IppCollectorOptions options, TimeProvider time, ILogger<IppPrinterCollector> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _options = options;
        _time = time;
        _logger = logger;
        _client = new IppClient(http, options.PrinterUri!, options.RequestTimeout, options.MaxResponseBytes);
    }

    public string Name => "ipp";

    public int ConsecutiveFailures { get; private set; }

    /// <summary>How long reads fail fast after the latest failure; zero while the printer answers.</summary>
    public TimeSpan CurrentBackoff { get; private set; }

    public IppUpdateMode UpdateMode { get; private set; }

    /// <summary>Whether the printer offers Create-Printer-Subscriptions and Get-Notifications (known after the first read).</summary>
    public bool? PrinterSupportsNotifications { get; private set; }

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        await _oneReadAtATime.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (now < _nextAttemptAt)
                throw new IppRequestException(IppRequestFailure.Connection,
                    $"{_client.PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {(_nextAttemptAt - now).TotalSeconds:0.#} s.");
            IppMessage response;
            try
            {
                response = await _client.GetPrinterAttributesAsync(IppClient.StatusAttributes, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                RecordFailure(ex);
                throw;
            }
            RecordSuccess(response);
            var status = IppStatusTranslator.Translate(response);
            StampSince(status, _time.GetUtcNow().ToUnixTimeMilliseconds());
            return status;
        }
        finally
        {
            _oneReadAtATime.Release();
        }
    }

    /// <summary>Releases the read lock; the <see cref="HttpClient"/> belongs to the caller and stays open.</summary>
    public void Dispose() => _oneReadAtATime.Dispose();

    private void RecordFailure(IppRequestException ex)
    {
        ConsecutiveFailures++;
        Log.ReadFailed(_logger, _client.PrinterUri, ex.Failure, ConsecutiveFailures, ex.Message);
        if (ConsecutiveFailures < _options.FailuresBeforeBackoff)
            return;
        var doublings = Math.Min(ConsecutiveFailures - _options.FailuresBeforeBackoff, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, _options.BackoffInitial.Ticks * (1L << doublings)));
        CurrentBackoff = backoff;
        _nextAttemptAt = _time.GetUtcNow() + backoff;
        Log.BackingOff(_logger, _client.PrinterUri, ConsecutiveFailures, backoff.TotalSeconds);
    }

    private void RecordSuccess(IppMessage response)
    {
        if (ConsecutiveFailures > 0)
            Log.Recovered(_logger, _client.PrinterUri, ConsecutiveFailures);
        ConsecutiveFailures = 0;
        CurrentBackoff = TimeSpan.Zero;
        _nextAttemptAt = DateTimeOffset.MinValue;
        if (UpdateMode != IppUpdateMode.Undecided)
            return;
        var operations = response.Find("operations-supported")?.Integers.ToHashSet() ?? [];
        PrinterSupportsNotifications = operations.Contains(IppOperations.CreatePrinterSubscriptions) && operations.Contains(IppOperations.GetNotifications);
        // Event-driven updates (Create-Printer-Subscriptions + Get-Notifications) are not implemented yet: every
        // printer is polled, and the log says when one could have been watched by notifications instead.
        UpdateMode = IppUpdateMode.Polling;
        Log.UpdateModeChosen(_logger, _client.PrinterUri, UpdateMode, PrinterSupportsNotifications.Value);
    }

    // A condition's start time is when this collector first saw it, kept while it stays active.
    private void StampSince(DeviceStatus status, long nowUnixMs)
    {
        var active = status.Conditions.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _raisedAt.Keys.Where(code => !active.Contains(code)).ToList())
            _raisedAt.Remove(gone);
        foreach (var condition in status.Conditions)
        {
            if (!_raisedAt.TryGetValue(condition.Code, out var since))
                _raisedAt[condition.Code] = since = nowUnixMs;
            condition.SinceUnixMs = since;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.IppReadFailed, LogLevel.Debug, "IPP read of {PrinterUri} failed ({Failure}, {ConsecutiveFailures} in a row): {Reason}")]
        public static partial void ReadFailed(ILogger logger, Uri printerUri, IppRequestFailure failure, int consecutiveFailures, string reason);

        [LoggerMessage(AgentLogEvents.IppBackingOff, LogLevel.Information, "IPP printer {PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {BackoffSeconds} s")]
        public static partial void BackingOff(ILogger logger, Uri printerUri, int consecutiveFailures, double backoffSeconds);

        [LoggerMessage(AgentLogEvents.IppRecovered, LogLevel.Information, "IPP printer {PrinterUri} answers again after {ConsecutiveFailures} failures")]
        public static partial void Recovered(ILogger logger, Uri printerUri, int consecutiveFailures);

        [LoggerMessage(AgentLogEvents.IppUpdateModeChosen, LogLevel.Information, "IPP printer {PrinterUri}: {UpdateMode} (printer offers notifications: {SupportsNotifications}; the subscription path is not implemented)")]
        public static partial void UpdateModeChosen(ILogger logger, Uri printerUri, IppUpdateMode updateMode, bool supportsNotifications);
    }
}
