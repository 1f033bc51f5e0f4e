using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Reports;

/// <summary>
/// A logger provider that keeps the agent's last <see cref="Capacity"/> log lines in memory, formatted, so a
/// diagnostics report can carry the log tail without the agent writing log files. Each line remembers the
/// <c>DeviceId</c> field of its message, when it had one, so a gateway or fleet can hand each device its own lines.
/// </summary>
public sealed class AgentLogRing : ILoggerProvider
{
    public const int DefaultCapacity = 500;

    private readonly Queue<LogLine> _lines;
    private readonly TimeProvider _time;

    public AgentLogRing(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
        _lines = new Queue<LogLine>(capacity);
    }

    public int Capacity { get; }

    /// <summary>
    /// The newest lines, oldest first: those about <paramref name="deviceId"/>, and when
    /// <paramref name="includeUntagged"/> also those that name no device (the process's own, a collector's).
    /// </summary>
    public IReadOnlyList<string> Tail(string deviceId, bool includeUntagged)
    {
        lock (_lines)
        {
            return [.. _lines.Where(l => l.DeviceId == deviceId || (includeUntagged && l.DeviceId is null)).Select(l => l.Text)];
        }
    }

    public ILogger CreateLogger(string categoryName) => new RingLogger(this, categoryName);

    public void Dispose()
    {
        // Nothing to flush: the lines live only as long as the process.
    }

    private void Add(string? deviceId, string text)
    {
        lock (_lines)
        {
            if (_lines.Count == Capacity)
                _lines.Dequeue();
            _lines.Enqueue(new LogLine(deviceId, text));
        }
    }

    private sealed record LogLine(string? DeviceId, string Text);

    private sealed class RingLogger(AgentLogRing ring, string category) : ILogger
    {
        // The category's last segment is enough to tell who spoke, and keeps lines short.
        private readonly string _source = category[(category.LastIndexOf('.') + 1)..];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            string? deviceId = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                foreach (var field in fields)
                {
                    if (field.Key == "DeviceId" && field.Value is string id)
                        deviceId = id;
                }
            }
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{ring._time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {Level(logLevel)} {_source}[{eventId.Id}] {formatter(state, exception)}");
            if (exception is not null)
                text += $" ({exception.GetType().Name}: {exception.Message})";
            ring.Add(deviceId, text);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
