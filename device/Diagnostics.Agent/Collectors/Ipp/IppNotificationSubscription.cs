namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>What one Get-Notifications brought.</summary>
/// <param name="Events">Event notifications received (event notification groups).</param>
/// <param name="GetInterval">The printer's <c>notify-get-interval</c>, when it sent one.</param>
/// <param name="Keywords">The <c>notify-subscribed-event</c> of each event, for logs and tests.</param>
public sealed record IppNotificationBatch(int Events, TimeSpan? GetInterval, IReadOnlyList<string> Keywords);

/// <summary>
/// One printer subscription with the ippget pull method (RFC 3995, RFC 3996): Create-Printer-Subscriptions,
/// Renew-Subscription, Get-Notifications (with notify-wait) and Cancel-Subscription. Only the protocol: the loop that
/// drives it is in <see cref="IppPrinterCollector"/>. Not thread-safe; one loop uses it.
/// </summary>
public sealed class IppNotificationSubscription
{
    /// <summary>What the collector subscribes to: everything that can change printer-state(-reasons/-message).</summary>
    public static readonly IReadOnlyList<string> Events = ["printer-state-changed", "printer-config-changed", "printer-stopped"];

    public const string PullMethod = "ippget";
    public const short ClientErrorNotFound = 0x0406;
    private const string UserName = IppClient.RequestingUserName;

    private readonly IppClient _client;
    private readonly IppClient _waitClient;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeProvider _time;

    /// <param name="client">For create, renew and cancel.</param>
    /// <param name="waitClient">For Get-Notifications, whose timeout allows the printer to hold the request (notify-wait).</param>
    public IppNotificationSubscription(IppClient client, IppClient waitClient, TimeSpan leaseDuration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(waitClient);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _waitClient = waitClient;
        _leaseDuration = leaseDuration;
        _time = time;
    }

    /// <summary>The printer's notify-subscription-id; null before creation and after the subscription was lost or cancelled.</summary>
    public int? Id { get; private set; }

    /// <summary>The notify-sequence-number asked for next (one past the last event seen).</summary>
    public int NextSequenceNumber { get; private set; } = 1;

    /// <summary>What the printer granted; <see cref="TimeSpan.Zero"/> means no expiry.</summary>
    public TimeSpan GrantedLease { get; private set; }

    /// <summary>When to renew: half of the granted lease after creation or the latest renewal; null when it never expires.</summary>
    public DateTimeOffset? RenewAt { get; private set; }

    /// <summary>Whether a printer's answer offers both operations and the ippget pull method.</summary>
    public static bool IsOffered(IppMessage printerAttributes)
    {
        ArgumentNullException.ThrowIfNull(printerAttributes);
        var operations = printerAttributes.Find("operations-supported")?.Integers.ToHashSet() ?? [];
        var pullMethods = printerAttributes.Find("notify-pull-method-supported")?.Strings ?? [];
        return operations.Contains(IppOperations.CreatePrinterSubscriptions) && operations.Contains(IppOperations.GetNotifications)
            && pullMethods.Contains(PullMethod, StringComparer.Ordinal);
    }

    public static IppMessage CreateRequest(IppClient client, TimeSpan leaseDuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new IppMessage(2, 0, IppOperations.CreatePrinterSubscriptions, client.NextRequestId(),
        [
            client.OperationAttributes(User()),
            new IppAttributeGroup(IppGroupTag.Subscription,
            [
                new IppAttribute("notify-pull-method", new IppStringValue(IppValueTag.Keyword, PullMethod)),
                new IppAttribute("notify-events", Events.Select(IppValue (e) => new IppStringValue(IppValueTag.Keyword, e)).ToArray()),
                new IppAttribute("notify-lease-duration", new IppIntegerValue(IppValueTag.Integer, (int)leaseDuration.TotalSeconds)),
            ]),
        ]);
    }

    public static IppMessage GetNotificationsRequest(IppClient client, int subscriptionId, int sequenceNumber, bool wait)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new IppMessage(2, 0, IppOperations.GetNotifications, client.NextRequestId(),
        [
            client.OperationAttributes(User(),
                new IppAttribute("notify-subscription-ids", new IppIntegerValue(IppValueTag.Integer, subscriptionId)),
                new IppAttribute("notify-sequence-numbers", new IppIntegerValue(IppValueTag.Integer, sequenceNumber)),
                new IppAttribute("notify-wait", new IppBooleanValue(wait))),
        ]);
    }

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        var response = await _client.SendAsync(CreateRequest(_client, _leaseDuration), cancellationToken);
        var id = response.Find("notify-subscription-id")?.Integers.FirstOrDefault() ?? 0;
        if (id <= 0)
            throw new IppRequestException(IppRequestFailure.Malformed, $"{_client.PrinterUri} accepted Create-Printer-Subscriptions without a notify-subscription-id.");
        Id = id;
        NextSequenceNumber = 1;
        // RFC 3995 5.3.3.1: the granted lease comes back in the subscription group; absent means what was asked.
        var granted = response.Find("notify-lease-duration")?.Integers.Select(v => (int?)v).FirstOrDefault();
        SetLease(granted is { } seconds ? TimeSpan.FromSeconds(seconds) : _leaseDuration);
    }

    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var id = Id ?? throw new InvalidOperationException("No subscription to renew.");
        var request = new IppMessage(2, 0, IppOperations.RenewSubscription, _client.NextRequestId(),
        [
            _client.OperationAttributes(User(), new IppAttribute("notify-subscription-id", new IppIntegerValue(IppValueTag.Integer, id))),
            new IppAttributeGroup(IppGroupTag.Subscription,
                [new IppAttribute("notify-lease-duration", new IppIntegerValue(IppValueTag.Integer, (int)_leaseDuration.TotalSeconds))]),
        ]);
        var response = await _client.SendAsync(request, cancellationToken);
        var granted = response.Find("notify-lease-duration")?.Integers.Select(v => (int?)v).FirstOrDefault();
        SetLease(granted is { } seconds ? TimeSpan.FromSeconds(seconds) : _leaseDuration);
    }

    /// <summary>Asks for the events after the last one seen, letting the printer hold the request until one comes (notify-wait).</summary>
    public async Task<IppNotificationBatch> GetNotificationsAsync(CancellationToken cancellationToken)
    {
        var id = Id ?? throw new InvalidOperationException("No subscription to get notifications for.");
        var response = await _waitClient.SendAsync(GetNotificationsRequest(_waitClient, id, NextSequenceNumber, wait: true), cancellationToken);
        var events = response.Groups.Where(g => g.Tag == IppGroupTag.EventNotification).ToList();
        foreach (var group in events)
        {
            var sequence = group.Attributes.FirstOrDefault(a => a.Name == "notify-sequence-number")?.Integers.Select(v => (int?)v).FirstOrDefault();
            if (sequence is { } seen && seen >= NextSequenceNumber)
                NextSequenceNumber = seen + 1;
        }
        var interval = response.Find("notify-get-interval", IppGroupTag.Operation)?.Integers.Select(v => (int?)v).FirstOrDefault();
        var keywords = events.SelectMany(g => g.Attributes.Where(a => a.Name == "notify-subscribed-event").SelectMany(a => a.Strings)).ToList();
        return new IppNotificationBatch(events.Count, interval is { } s and >= 0 ? TimeSpan.FromSeconds(s) : null, keywords);
    }

    /// <summary>Cancel-Subscription; the subscription is forgotten whether or not the printer answered.</summary>
    public async Task CancelAsync(CancellationToken cancellationToken)
    {
        if (Id is not { } id)
            return;
        Forget();
        await CancelAsync(id, cancellationToken);
    }

    /// <summary>
    /// Cancel-Subscription for a subscription given up earlier (the printer was away when it was abandoned). An answer
    /// of client-error-not-found means it is gone already, which is what was wanted.
    /// </summary>
    public async Task CancelAsync(int subscriptionId, CancellationToken cancellationToken)
    {
        var request = new IppMessage(2, 0, IppOperations.CancelSubscription, _client.NextRequestId(),
            [_client.OperationAttributes(User(), new IppAttribute("notify-subscription-id", new IppIntegerValue(IppValueTag.Integer, subscriptionId)))]);
        try
        {
            await _client.SendAsync(request, cancellationToken);
        }
        catch (IppRequestException gone) when (gone.StatusCode == ClientErrorNotFound)
        {
            // Expired or cancelled by someone else: nothing left to cancel.
        }
    }

    /// <summary>Drops the subscription locally (the printer lost it, or it will be re-created).</summary>
    public void Forget()
    {
        Id = null;
        RenewAt = null;
        NextSequenceNumber = 1;
    }

    private void SetLease(TimeSpan granted)
    {
        GrantedLease = granted;
        RenewAt = granted > TimeSpan.Zero ? _time.GetUtcNow() + granted / 2 : null;
    }

    private static IppAttribute User() => new("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, UserName));
}
