using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>The subscription requests on the wire (RFC 3995/3996) and the change latch.</summary>
public sealed class IppNotificationSubscriptionTests
{
    private static readonly IppClient Client = new(new HttpClient(), new Uri("ipp://printer.test/ipp/print"), TimeSpan.FromSeconds(1), 1024 * 1024);

    private static IppMessage RoundTrip(IppMessage message)
    {
        var decoded = IppCodec.Decode(IppCodec.Encode(message));
        Assert.True(decoded.IsSuccess, decoded.Detail);
        return decoded.Message!;
    }

    [Fact]
    public void Create_request_puts_ippget_events_and_lease_in_the_subscription_group()
    {
        var request = RoundTrip(IppNotificationSubscription.CreateRequest(Client, TimeSpan.FromHours(1)));

        Assert.Equal(IppOperations.CreatePrinterSubscriptions, request.Code);
        Assert.Equal([IppGroupTag.Operation, IppGroupTag.Subscription], request.Groups.Select(g => g.Tag));
        var subscription = request.Groups[1];
        Assert.Equal(["ippget"], subscription.Attributes.Single(a => a.Name == "notify-pull-method").Strings);
        var events = subscription.Attributes.Single(a => a.Name == "notify-events");
        Assert.Equal(["printer-state-changed", "printer-config-changed", "printer-stopped"], events.Strings);
        Assert.All(events.Values, v => Assert.Equal(IppValueTag.Keyword, v.Tag));
        Assert.Equal([3600], subscription.Attributes.Single(a => a.Name == "notify-lease-duration").Integers);
        Assert.Equal("ipp://printer.test/ipp/print", request.Find("printer-uri", IppGroupTag.Operation)!.Strings.Single());
    }

    [Fact]
    public void Get_notifications_request_names_the_subscription_the_next_sequence_number_and_asks_to_wait()
    {
        var request = RoundTrip(IppNotificationSubscription.GetNotificationsRequest(Client, 42, 7, wait: true));

        Assert.Equal(IppOperations.GetNotifications, request.Code);
        Assert.Equal([42], request.Find("notify-subscription-ids", IppGroupTag.Operation)!.Integers);
        Assert.Equal([7], request.Find("notify-sequence-numbers", IppGroupTag.Operation)!.Integers);
        Assert.Equal(new IppBooleanValue(true), request.Find("notify-wait", IppGroupTag.Operation)!.Values.Single());
    }

    [Theory]
    [InlineData(new short[] { 0x16, 0x1C }, new[] { "ippget" }, true)]
    [InlineData(new short[] { 0x16, 0x1C }, new string[0], false)]
    [InlineData(new short[] { 0x16 }, new[] { "ippget" }, false)]
    [InlineData(new short[] { 0x1C }, new[] { "ippget" }, false)]
    [InlineData(new short[] { 0x16, 0x1C }, new[] { "other" }, false)]
    public void Notifications_are_offered_only_with_both_operations_and_the_ippget_pull_method(short[] operations, string[] pullMethods, bool offered)
    {
        List<IppAttribute> attributes = [new("operations-supported", operations.Select(IppValue (o) => new IppIntegerValue(IppValueTag.Enum, o)).ToArray())];
        if (pullMethods.Length > 0)
            attributes.Add(new("notify-pull-method-supported", pullMethods.Select(IppValue (m) => new IppStringValue(IppValueTag.Keyword, m)).ToArray()));
        var response = new IppMessage(2, 0, 0, 1, [new IppAttributeGroup(IppGroupTag.Printer, attributes)]);

        Assert.Equal(offered, IppNotificationSubscription.IsOffered(response));
    }

    [Fact]
    public async Task Change_latch_completes_a_later_wait_once_and_then_waits_again()
    {
        var signal = new ChangeSignal();
        signal.Set();
        signal.Set();

        await signal.WaitAsync(TestContext.Current.CancellationToken);
        var next = signal.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(next.IsCompleted);

        signal.Set();
        await next;
    }

    [Fact]
    public async Task Change_wait_is_cancellable()
    {
        using var cancel = new CancellationTokenSource();
        var wait = new ChangeSignal().WaitAsync(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public void Options_reject_a_wait_timeout_shorter_than_a_request_and_a_lease_under_a_minute()
    {
        var options = new IppCollectorOptions
        {
            PrinterUri = new Uri("ipp://printer.test/ipp/print"),
            RequestTimeout = TimeSpan.FromSeconds(10),
            NotificationWaitTimeout = TimeSpan.FromSeconds(5),
            NotificationLeaseDuration = TimeSpan.FromSeconds(30),
        };

        var problems = options.Validate().ToList();

        Assert.Contains(problems, p => p.Contains("NotificationWaitTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("NotificationLeaseDuration", StringComparison.Ordinal));
        Assert.Empty(new IppCollectorOptions { PrinterUri = new Uri("ipp://printer.test/") }.Validate());
    }
}
