using System.Collections.Concurrent;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors;

public sealed class ReadFailureLogTests
{
    [Fact]
    public async Task A_printer_down_for_an_hour_logs_its_cause_once_then_a_few_summaries_and_one_line_when_it_answers()
    {
        using var directory = new TestDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var outbox = Outbox.Open(directory.Path, new OutboxOptions(), time);
        var logger = new ListLogger<TelemetryPump>();
        var collector = new RefusedPrinter();
        var pump = new TelemetryPump(collector, outbox, new UplinkEnvelopes("dev-1", time), new AgentOptions { DeviceId = "dev-1" }, time, logger);

        // One poll a second for an hour, as the default poll interval does.
        for (var second = 0; second < 3600; second++)
        {
            await pump.PollOnceAsync(TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        collector.Refusing = false;
        await pump.PollOnceAsync(TestContext.Current.CancellationToken);

        var first = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Collector refused cannot read the device", StringComparison.Ordinal));
        Assert.Equal("Collector refused cannot read the device (refused): connection refused on port 631", first.Message);
        // No stack trace: the cause explains itself.
        Assert.All(logger.Entries, e => Assert.Null(e.Exception));
        var summaries = logger.Entries.Where(e => e.Message.StartsWith("Collector refused still cannot read the device", StringComparison.Ordinal)).ToList();
        // After 10 s, 30 s, 70 s, 150 s, 310 s, 630 s, 1270 s, 2550 s: growing gaps, not 3600 lines.
        Assert.InRange(summaries.Count, 5, 10);
        Assert.Contains("3600 failed reads", Assert.Single(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("reads the device again", StringComparison.Ordinal)).Message, StringComparison.Ordinal);
        Assert.Equal(1 + summaries.Count + 1, logger.Entries.Count(e => e.Level >= LogLevel.Information));
    }

    [Fact]
    public void An_unexpected_exception_is_logged_with_its_stack_trace_once()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<ReadFailureLogTests>();
        var log = new ReadFailureLog(logger, "gpio", time);

        log.Failed(new InvalidOperationException("bug"));
        log.Failed(new InvalidOperationException("bug"));

        var entry = Assert.Single(logger.Entries);
        Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Equal("Collector gpio cannot read the device (other): bug", entry.Message);
    }

    private sealed class RefusedPrinter : IDeviceCollector
    {
        public bool Refusing { get; set; } = true;

        public string Name => "refused";

        public ValueTask<Protocol.DeviceStatus> ReadAsync(CancellationToken cancellationToken) => Refusing
            ? ValueTask.FromException<Protocol.DeviceStatus>(new IppRequestException(IppRequestFailure.Connection, "ipp://printer/ is unreachable: Connection refused",
                cause: new UnreachableCause(Protocol.UnreachableCauses.Refused, "connection refused on port 631")))
            : ValueTask.FromResult(new Protocol.DeviceStatus { State = Protocol.DeviceState.Idle });
    }
}

/// <summary>Keeps every log entry written through it, with its formatted message and exception.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Queue { get; } = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries => [.. Queue];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Queue.Enqueue((logLevel, eventId, formatter(state, exception), exception));
}
