using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Diagnostics.Agent.Collectors.Ipp;
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
