using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
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
    public async Task With_notifications_and_a_long_poll_a_stopped_queue_is_stored_with_its_reason_within_the_debounce_and_never_half()
    {
        await using var cups = await CupsDaemon.StartAsync();
        using var directory = new TestDirectory();
        using var outbox = Outbox.Open(directory.Path, new OutboxOptions(), TimeProvider.System);
        await using var collector = Collector(cups.Http, cups.QueueUri);
        // A poll every ten minutes: only notifications, and the confirmation reads they schedule, can bring the change.
        var options = new AgentOptions { DeviceId = "cups-1", PollInterval = TimeSpan.FromMinutes(10), ConditionDebounceInterval = TimeSpan.FromSeconds(1) };
        var pump = new TelemetryPump(collector, outbox, new UplinkEnvelopes("cups-1", TimeProvider.System), options, TimeProvider.System, NullLogger<TelemetryPump>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = pump.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Notifications, "subscribed to cupsd", Within);
        async Task<List<DeviceStatus>> StatusesAsync() => [.. (await outbox.ReadFromAsync(0, 1000, TestContext.Current.CancellationToken))
            .Where(r => r.Kind == Protocol.UplinkKind.Status).Select(r => WireCodec.Decode<Envelope>(r.Payload).Value!.Status!)];
        static bool Paused(DeviceStatus s) => s.Conditions.Exists(c => c.Code == "ipp:paused");

        await cups.DisableAsync("jammed in tray 2");
        await Eventually.TrueAsync(async () => (await StatusesAsync()).Exists(s => s.State == DeviceState.Stopped && Paused(s)),
            "a stored status: stopped, with ipp:paused", Within);
        await cups.EnableAsync();
        await Eventually.TrueAsync(async () => (await StatusesAsync())[^1] is { State: DeviceState.Idle } idle && !Paused(idle),
            "a stored status: idle, ipp:paused cleared", Within);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        // State and conditions never disagree in any status sent: no "stopped, no conditions", no "idle with ipp:paused".
        Assert.All(await StatusesAsync(), s => Assert.Equal(s.State == DeviceState.Stopped, Paused(s)));
    }

    [Fact]
    public async Task A_hung_scheduler_is_not_subscribed_to_again_while_reads_fail_and_the_abandoned_subscription_is_cancelled()
    {
        await using var cups = await CupsDaemon.StartAsync();
        using var http = new HttpClient();
        var options = new IppCollectorOptions
        {
            PrinterUri = cups.QueueUri,
            RequestTimeout = TimeSpan.FromSeconds(2),
            NotificationGetIntervalMax = TimeSpan.FromMilliseconds(100),
            NotificationWaitTimeout = TimeSpan.FromSeconds(2),
            NotificationRetryInterval = TimeSpan.FromMilliseconds(100),
            FailuresBeforeBackoff = 1,
            BackoffInitial = TimeSpan.FromMilliseconds(500),
            BackoffMax = TimeSpan.FromSeconds(1),
            RecoveryProbeInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var collector = new IppPrinterCollector(http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance);
        await collector.ReadAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Notifications, "subscribed", Within);
        var first = collector.SubscriptionId!.Value;

        await cups.PauseAsync();
        try
        {
            await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());
            await Eventually.TrueAsync(() => collector.UpdateMode == IppUpdateMode.Polling, "notifications given up while cupsd hangs", Within);
            // Ten probe intervals of the outage (and as many retry intervals): reads fail, so nobody subscribes.
            var probes = collector.RecoveryProbes;
            await Eventually.TrueAsync(async () =>
            {
                await Assert.ThrowsAsync<IppRequestException>(() => collector.ReadAsync(TestContext.Current.CancellationToken).AsTask());
                return collector.RecoveryProbes >= probes + 10;
            }, "the outage lasts ten probe intervals", Within);
            Assert.Equal(1, collector.SubscriptionAttempts);
        }
        finally
        {
            await cups.ResumeAsync();
        }

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await collector.ReadAsync(TestContext.Current.CancellationToken);
                return true;
            }
            catch (IppRequestException)
            {
                return false;
            }
        }, "reads succeed once cupsd runs again", Within);
        await Eventually.TrueAsync(() => collector.SubscriptionId is { } id && id != first, "subscribed again once reads succeed", Within);
        Assert.Equal(2, collector.SubscriptionAttempts);
        Assert.True(collector.SubscriptionsCancelled >= 1);
        // The abandoned subscription is gone from cupsd, not left there for its lease (an hour).
        Assert.Equal([collector.SubscriptionId!.Value], await cups.SubscriptionIdsAsync());
    }

    [Fact]
    public async Task Cups_sends_its_clock_as_printer_up_time_so_no_uptime_is_reported()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = Collector(cups.Http, cups.QueueUri);
        var client = new IppClient(cups.Http, cups.QueueUri, TimeSpan.FromSeconds(3), IppCodec.DefaultMaxMessageBytes);
        var upTime = (await client.GetPrinterAttributesAsync(["printer-up-time"], TestContext.Current.CancellationToken)).Find("printer-up-time")!.Integers.Single();

        var status = await collector.ReadAsync(TestContext.Current.CancellationToken);

        // cupsd answers Unix time (RFC 8011 5.4.29 asks for seconds since start-up): within a minute of this machine's clock.
        Assert.InRange(upTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.DoesNotContain(status.Counters, c => c.Name == IppStatusTranslator.UptimeCounter);
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
