using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>Event-driven updates against a real CUPS scheduler (ippget notifications), polling against ippeveprinter.</summary>
public sealed class IppNotificationTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    // CUPS answers notify-get-interval 60 and does not hold requests; 200 ms keeps the tests prompt.
    private static IppPrinterCollector Collector(HttpClient http, Uri printerUri, TimeSpan? retry = null) => new(
        http,
        new IppCollectorOptions
        {
            PrinterUri = printerUri,
            RequestTimeout = TimeSpan.FromSeconds(3),
            NotificationGetIntervalMax = TimeSpan.FromMilliseconds(200),
            NotificationWaitTimeout = TimeSpan.FromSeconds(5),
            NotificationRetryInterval = retry ?? TimeSpan.FromMinutes(5),
        },
        TimeProvider.System,
        NullLogger<IppPrinterCollector>.Instance);

    private static async Task<IppPrinterCollector> NotifyingCollectorAsync(CupsDaemon cups, TimeSpan? retry = null)
    {
        var collector = Collector(cups.Http, cups.QueueUri, retry);
        var first = await collector.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DeviceState.Idle, first.State);
        Assert.True(collector.PrinterSupportsNotifications);
        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Notifications, "the collector subscribed to cupsd's notifications", Within);
        return collector;
    }

    private static async Task WaitForChangeAsync(IppPrinterCollector collector, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Within);
        try
        {
            await collector.WaitForChangeAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"No change announced within {Within.TotalSeconds} s: {what}");
        }
    }

    [Fact]
    public async Task Cups_queue_is_watched_by_notifications_and_disable_and_enable_are_announced_then_read_as_stopped_paused_and_idle()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = await NotifyingCollectorAsync(cups);
        var pending = collector.WaitForChangeAsync(TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted, "no change announced before anything changed");

        await cups.DisableAsync("jammed in tray 2");
        await WaitForChangeAsync(collector, "cupsdisable");
        var stopped = await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal((DeviceState.Stopped, "jammed in tray 2"), (stopped.State, stopped.StateMessage));
        var paused = stopped.Conditions.Single(c => c.Code == "ipp:paused");
        Assert.Equal(Conditions.Paused, paused.Condition);
        Assert.True(collector.NotificationsReceived >= 1);

        await cups.EnableAsync();
        await WaitForChangeAsync(collector, "cupsenable");
        var idle = await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(DeviceState.Idle, idle.State);
        Assert.DoesNotContain(idle.Conditions, c => c.Code == "ipp:paused");
        Assert.Equal(IppUpdateMode.Notifications, collector.UpdateMode);
    }

    [Fact]
    public async Task Dispose_cancels_the_subscription_on_the_printer()
    {
        await using var cups = await CupsDaemon.StartAsync();
        var collector = await NotifyingCollectorAsync(cups);
        var id = collector.SubscriptionId!.Value;

        await collector.DisposeAsync();

        var client = new IppClient(cups.Http, cups.QueueUri, TimeSpan.FromSeconds(3), IppCodec.DefaultMaxMessageBytes);
        var gone = await Assert.ThrowsAsync<IppRequestException>(() =>
            client.SendAsync(IppNotificationSubscription.GetNotificationsRequest(client, id, 1, wait: false), TestContext.Current.CancellationToken));
        Assert.Equal(IppNotificationSubscription.ClientErrorNotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Subscription_cancelled_behind_its_back_is_re_created_and_keeps_announcing_changes()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = await NotifyingCollectorAsync(cups);
        var first = collector.SubscriptionId!.Value;
        var client = new IppClient(cups.Http, cups.QueueUri, TimeSpan.FromSeconds(3), IppCodec.DefaultMaxMessageBytes);
        var cancel = new IppMessage(2, 0, IppOperations.CancelSubscription, client.NextRequestId(),
        [
            client.OperationAttributes(
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "diagnostics-agent")),
                new IppAttribute("notify-subscription-id", new IppIntegerValue(IppValueTag.Integer, first))),
        ]);

        await client.SendAsync(cancel, TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(() => collector.SubscriptionId is { } id && id != first, "a new subscription replaced the cancelled one", Within);
        Assert.Equal(IppUpdateMode.Notifications, collector.UpdateMode);
        // The loss itself is announced (events may have been missed); consume it, then a real change must come through.
        await WaitForChangeAsync(collector, "the lost subscription");
        await cups.DisableAsync("cover open");
        await WaitForChangeAsync(collector, "cupsdisable on the new subscription");
        Assert.Equal(DeviceState.Stopped, (await collector.ReadAsync(TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task Scheduler_gone_falls_back_to_polling_and_announces_it()
    {
        var cups = await CupsDaemon.StartAsync();
        using var http = new HttpClient();
        await using var collector = Collector(http, cups.QueueUri, retry: TimeSpan.FromMinutes(5));
        await collector.ReadAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Notifications, "subscribed", Within);

        await cups.DisposeAsync();

        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Polling, "polling once cupsd is gone", Within);
        await WaitForChangeAsync(collector, "the fallback to polling");
        Assert.Null(collector.SubscriptionId);
        await Assert.ThrowsAsync<IppRequestException>(async () => await collector.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Subscription_is_renewed_at_half_its_lease_and_keeps_announcing_changes()
    {
        await using var cups = await CupsDaemon.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new IppCollectorOptions
        {
            PrinterUri = cups.QueueUri,
            RequestTimeout = TimeSpan.FromSeconds(3),
            NotificationLeaseDuration = TimeSpan.FromHours(1),
            NotificationGetIntervalMax = TimeSpan.FromSeconds(1),
        };
        await using var collector = new IppPrinterCollector(cups.Http, options, time, NullLogger<IppPrinterCollector>.Instance);
        await collector.ReadAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Notifications, "subscribed", Within);
        var id = collector.SubscriptionId;

        // Each advance ends one wait between Get-Notifications; past half the lease, the loop renews first.
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMinutes(31));
            return collector.SubscriptionRenewals > 0;
        }, "Renew-Subscription after half the lease", Within);

        Assert.Equal(id, collector.SubscriptionId);
        await cups.DisableAsync("after renewal");
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return collector.NotificationsReceived > 0;
        }, "a notification on the renewed subscription", Within);
    }

    [Fact]
    public async Task Ippeveprinter_without_notifications_is_polled_and_announces_nothing()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var collector = Collector(printer.Http, printer.Uri);

        await collector.ReadAsync(TestContext.Current.CancellationToken);
        var change = collector.WaitForChangeAsync(TestContext.Current.CancellationToken);
        await printer.SetMainTrayLevelAsync(0);
        await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(IppUpdateMode.Polling, collector.UpdateMode);
        Assert.False(collector.PrinterSupportsNotifications);
        Assert.Null(collector.SubscriptionId);
        Assert.False(change.IsCompleted);
    }

    [Fact]
    public async Task Notifications_disabled_by_configuration_polls_a_printer_that_offers_them()
    {
        await using var cups = await CupsDaemon.StartAsync();
        var options = new IppCollectorOptions { PrinterUri = cups.QueueUri, Notifications = false };
        await using var collector = new IppPrinterCollector(cups.Http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);

        await collector.ReadAsync(TestContext.Current.CancellationToken);

        Assert.True(collector.PrinterSupportsNotifications);
        Assert.Equal(IppUpdateMode.Polling, collector.UpdateMode);
        Assert.Null(collector.SubscriptionId);
    }
}
