using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

public sealed class IppPrinterCollectorFailureTests
{
    private static IppCollectorOptions Options(int port) => new()
    {
        PrinterUri = new Uri($"ipp://127.0.0.1:{port}/ipp/print"),
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        BackoffInitial = TimeSpan.FromSeconds(2),
        BackoffMax = TimeSpan.FromSeconds(10),
        FailuresBeforeBackoff = 2,
    };

    [Fact]
    public async Task A_port_with_nothing_listening_throws_a_connection_failure()
    {
        using var http = new HttpClient();
        using var collector = new IppPrinterCollector(http, Options(FreePort.Next()), TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);

        var failure = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(IppRequestFailure.Connection, failure.Failure);
        Assert.Equal(UnreachableCauses.Refused, failure.Cause.Class);
        Assert.StartsWith("connection refused on port ", failure.Cause.Words, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_printer_that_never_answers_throws_within_the_request_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient();
        using var collector = new IppPrinterCollector(http, Options(port), TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(IppRequestFailure.Timeout, failure.Failure);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        Assert.Equal((UnreachableCauses.Timeout, "the printer took longer than 0.5 s to answer"), (failure.Cause.Class, failure.Cause.Words));
    }

    public static TheoryData<string, string, string> Answers => new()
    {
        // name of the answer, the cause class, words the person reads
        { "http-500", UnreachableCauses.HttpError, "the printer answered HTTP 500 Internal Server Error instead of IPP" },
        { "html", UnreachableCauses.NotIpp, "the printer answered with something that is not IPP (43 bytes of text/html)" },
        { "garbage", UnreachableCauses.NotIpp, "the printer answered with something that is not IPP (64 bytes)" },
        { "cut-off-body", UnreachableCauses.Truncated, "the printer's answer was cut off" },
        { "short-ipp", UnreachableCauses.Truncated, "the printer's answer was cut off" },
        { "oversized", UnreachableCauses.Oversized, "the printer's answer is larger than the 1048576 bytes allowed (Ipp:MaxResponseBytes)" },
    };

    private static byte[] Answer(string name) => name switch
    {
        "http-500" => HostilePrinter.Http("500 Internal Server Error", "text/plain", "boom"u8.ToArray()),
        "html" => HostilePrinter.Http("200 OK", "text/html", "<html><body>Printer setup page</body></html>"u8.ToArray()[..43]),
        "garbage" => HostilePrinter.Http("200 OK", "application/ipp", [.. Enumerable.Range(0, 64).Select(i => (byte)(0xF0 ^ i))]),
        // An IPP 2.0 header and the start of a group, then the connection closes before the promised length.
        "cut-off-body" => HostilePrinter.Http("200 OK", "application/ipp", [2, 0, 0, 0, 0, 0, 0, 1, 1, 0x47], contentLength: 4096),
        "short-ipp" => HostilePrinter.Http("200 OK", "application/ipp", [2, 0, 0, 0, 0, 0, 0, 1, 1, 0x47, 0, 18]),
        "oversized" => HostilePrinter.Http("200 OK", "application/ipp", [2, 0], contentLength: 10_000_000),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task A_printer_that_answers_nonsense_is_unreachable_for_a_cause_said_in_plain_words(string answer, string causeClass, string words)
    {
        await using var hostile = new HostilePrinter(() => Answer(answer));
        using var http = new HttpClient();
        var options = Options(hostile.Port);
        options.RequestTimeout = TimeSpan.FromSeconds(5);
        using var collector = new IppPrinterCollector(http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);

        var failure = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(causeClass, failure.Cause.Class);
        Assert.StartsWith(words, failure.Cause.Words, StringComparison.Ordinal);
        Assert.Equal("agent:unreachable-" + causeClass, failure.Cause.Code);
    }

    [Fact]
    public async Task A_real_printer_that_refuses_the_request_is_unreachable_with_its_ipp_status_in_words()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        var options = Options(printer.Port);
        options.PrinterUri = new Uri($"ipp://localhost:{printer.Port}/ipp/no-such-printer");
        using var collector = new IppPrinterCollector(printer.Http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);

        var failure = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        // RFC 8011 client-error-not-found (0x0406).
        Assert.Equal(
            (UnreachableCauses.IppError, "the printer refused the request with IPP status client-error-not-found (0x0406)"),
            (failure.Cause.Class, failure.Cause.Words));
    }

    [Fact]
    public async Task A_printer_that_comes_back_is_read_again_within_seconds_not_at_the_end_of_its_backoff()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        var options = new IppCollectorOptions
        {
            PrinterUri = printer.Uri,
            RequestTimeout = TimeSpan.FromSeconds(2),
            FailuresBeforeBackoff = 1,
            BackoffInitial = TimeSpan.FromMinutes(1),
            BackoffMax = TimeSpan.FromMinutes(2),
            RecoveryProbeInterval = TimeSpan.FromMilliseconds(200),
        };
        await using var collector = new IppPrinterCollector(printer.Http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        await collector.ReadAsync(TestContext.Current.CancellationToken);

        await printer.StopAsync();
        var refused = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(UnreachableCauses.Refused, refused.Cause.Class);
        var backingOff = await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());
        // While backing off (a minute) the cause stays what it was.
        Assert.Equal(refused.Cause, backingOff.Cause);
        var change = collector.WaitForChangeAsync(TestContext.Current.CancellationToken);
        await printer.RestartAsync();

        await change.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var back = await collector.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DeviceState.Idle, back.State);
        Assert.True(collector.RecoveryProbes >= 1);
    }

    [Fact]
    public async Task Repeated_failures_back_off_exponentially_without_touching_the_network()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var handler = new RefusingHandler();
        using var http = new HttpClient(handler);
        using var collector = new IppPrinterCollector(http, Options(631), time, NullLogger<IppPrinterCollector>.Instance);
        async Task FailAsync() => await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        await FailAsync();
        Assert.Equal((1, TimeSpan.Zero), (handler.Requests, collector.CurrentBackoff));
        await FailAsync();
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (handler.Requests, collector.CurrentBackoff));

        await FailAsync();
        time.Advance(TimeSpan.FromSeconds(1.9));
        await FailAsync();
        Assert.Equal(2, handler.Requests);

        var backoffs = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            time.Advance(collector.CurrentBackoff);
            await FailAsync();
            backoffs.Add(collector.CurrentBackoff);
        }
        Assert.Equal([4, 8, 10, 10], backoffs.Select(b => b.TotalSeconds));
        Assert.Equal(6, handler.Requests);
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            throw new HttpRequestException("Connection refused");
        }
    }
}
