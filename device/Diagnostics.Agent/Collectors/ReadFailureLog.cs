using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Logs a collector that cannot read its device the way a person wants to read it: the first failure with its cause,
/// then one summary line at growing intervals while it lasts (after 10 s, 20 s, 40 s ... at most one an hour), and
/// one line when it reads again. A failure that explains itself (<see cref="IUnreachableCause"/>, a timeout) is
/// logged without a stack trace; anything else is a bug and its first occurrence carries the trace.
/// </summary>
public sealed partial class ReadFailureLog
{
    private static readonly TimeSpan FirstSummaryAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestSummaryGap = TimeSpan.FromHours(1);

    private readonly ILogger _logger;
    private readonly string _collector;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset _firstFailureAt;
    private DateTimeOffset _nextSummaryAt;
    private TimeSpan _summaryGap;
    private string _firstCause = "";

    public ReadFailureLog(ILogger logger, string collector, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(time);
        _logger = logger;
        _collector = collector;
        _time = time;
    }

    /// <summary>Failed reads in the current run of failures; zero while the device answers.</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
                return _failures;
        }
    }

    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var cause = UnreachableCause.Of(exception);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _failures++;
            if (_failures == 1)
            {
                _firstFailureAt = now;
                _firstCause = cause.Words;
                _summaryGap = FirstSummaryAfter;
                _nextSummaryAt = now + _summaryGap;
                var explained = exception is IUnreachableCause or TimeoutException;
                Log.FirstFailure(_logger, explained ? null : exception, _collector, cause.Class, cause.Words);
                return;
            }
            if (now < _nextSummaryAt)
                return;
            Log.StillFailing(_logger, _collector, _failures, (now - _firstFailureAt).TotalSeconds, cause.Class, cause.Words);
            _summaryGap = _summaryGap * 2 < LongestSummaryGap ? _summaryGap * 2 : LongestSummaryGap;
            _nextSummaryAt = now + _summaryGap;
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            if (_failures == 0)
                return;
            Log.Recovered(_logger, _collector, _failures, (_time.GetUtcNow() - _firstFailureAt).TotalSeconds, _firstCause);
            _failures = 0;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CollectorReadFailed, LogLevel.Warning, "Collector {Collector} cannot read the device ({CauseClass}): {Cause}")]
        public static partial void FirstFailure(ILogger logger, Exception? exception, string collector, string causeClass, string cause);

        [LoggerMessage(AgentLogEvents.CollectorStillFailing, LogLevel.Warning, "Collector {Collector} still cannot read the device: {Failures} failed reads in {Seconds:0} s; latest cause ({CauseClass}): {Cause}")]
        public static partial void StillFailing(ILogger logger, string collector, int failures, double seconds, string causeClass, string cause);

        [LoggerMessage(AgentLogEvents.CollectorRecovered, LogLevel.Information, "Collector {Collector} reads the device again after {Failures} failed reads over {Seconds:0} s (first cause: {Cause})")]
        public static partial void Recovered(ILogger logger, string collector, int failures, double seconds, string cause);
    }
}
