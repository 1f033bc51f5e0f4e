using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Notifications;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Notifications;

public sealed class NotificationsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_jam_on_a_paired_device_notifies_its_owner_once_and_nobody_else(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        var neighbour = await Customers.SignInAsync(host);
        await using var paired = await host.ConnectDeviceAsync("notify-paired");
        await using var unpaired = await host.ConnectDeviceAsync("notify-unpaired");
        await owner.PairAsync(paired);

        await paired.RaiseAsync(Customers.Jam());
        await unpaired.RaiseAsync(Customers.Jam());

        var mine = await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications");
        var single = Assert.Single(mine.Items);
        Assert.Equal(1, mine.Total);
        Assert.Equal("notify-paired", single.DeviceId);
        Assert.Equal(Conditions.PaperJam, single.Condition);
        Assert.Equal(Severity.Error, single.Severity);
        Assert.Equal("Paper jam", single.Title);
        Assert.False(string.IsNullOrWhiteSpace(single.Advice));
        Assert.Null(single.ReadAt);
        Assert.Equal(1, (await owner.Http.GetJsonAsync<UnreadCount>("/api/me/notifications/unread-count")).Unread);

        Assert.Empty((await neighbour.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items);
        Assert.Equal(0, (await neighbour.Http.GetJsonAsync<UnreadCount>("/api/me/notifications/unread-count")).Unread);
        // Nobody owns the unpaired device, so its jam notified no one at all.
        Assert.Equal(1, await CountRowsAsync(host));
    }

    [Theory, BothEngines]
    public async Task A_re_sent_event_does_not_notify_twice(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-dup");
        await owner.PairAsync(device);

        var envelope = device.NewEnvelope(@event: Customers.Jam());
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
        var acksBefore = device.Acks.Count;
        await device.SendAsync(envelope);
        await Eventually.TrueAsync(() => device.Acks.Count > acksBefore, "the duplicate is acknowledged again");

        Assert.Equal(1, (await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Total);
        Assert.Equal(1, await CountRowsAsync(host));
    }

    [Theory, BothEngines]
    public async Task Only_raised_problems_notify_and_a_report_that_does_not_stop_printing_is_not_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-kinds");
        await owner.PairAsync(device);
        DeviceEvent TonerLow(Severity severity) => new() { Kind = EventKind.Raised, Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = severity, Message = "Toner low" };

        await device.RaiseAsync(Customers.Jam(EventKind.Cleared));
        await device.RaiseAsync(TonerLow(Severity.Report));
        await device.RaiseAsync(TonerLow(Severity.Warning));

        var mine = await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications");
        Assert.Equal((Conditions.TonerLow, Severity.Warning), (Assert.Single(mine.Items).Condition, mine.Items[0].Severity));
    }

    [Theory, BothEngines]
    public async Task Lists_newest_first_with_paging(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-paging");
        await owner.PairAsync(device);
        var sent = new List<Envelope>();
        for (var i = 0; i < 3; i++)
            sent.Add(await device.RaiseAsync(new DeviceEvent { Kind = EventKind.Raised, Code = $"vendor:e{i}", Condition = "", Severity = Severity.Warning, Message = $"problem {i}" }));

        var first = await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications?page=1&pageSize=2");
        var second = await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications?page=2&pageSize=2");

        Assert.Equal(3, first.Total);
        Assert.Equal(["Problem 2", "Problem 1"], first.Items.Select(n => n.Title));
        Assert.Equal(["Problem 0"], second.Items.Select(n => n.Title));
        using var badPaging = await owner.Http.GetAsync(new Uri("/api/me/notifications?pageSize=0", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badPaging.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Marking_read_works_for_the_owner_only(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        var neighbour = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-read");
        await owner.PairAsync(device);
        await device.RaiseAsync(Customers.Jam());
        await device.RaiseAsync(new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning, Message = "Toner low" });
        var items = (await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items;

        using (var stolen = await neighbour.Http.PostAsync(new Uri($"/api/me/notifications/{items[0].Id}/read", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        using (var markedByNeighbour = await neighbour.Http.PostAsync(new Uri("/api/me/notifications/read", UriKind.Relative), null, Ct))
            Assert.Equal(0, (await markedByNeighbour.Content.ReadJsonAsync<MarkedRead>())!.Marked);
        Assert.Equal(2, (await owner.Http.GetJsonAsync<UnreadCount>("/api/me/notifications/unread-count")).Unread);

        using (var one = await owner.Http.PostAsync(new Uri($"/api/me/notifications/{items[0].Id}/read", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var afterOne = (await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items;
        Assert.NotNull(afterOne.Single(n => n.Id == items[0].Id).ReadAt);
        Assert.Null(afterOne.Single(n => n.Id == items[1].Id).ReadAt);
        Assert.Equal(1, (await owner.Http.GetJsonAsync<UnreadCount>("/api/me/notifications/unread-count")).Unread);

        using (var all = await owner.Http.PostAsync(new Uri("/api/me/notifications/read", UriKind.Relative), null, Ct))
            Assert.Equal(1, (await all.Content.ReadJsonAsync<MarkedRead>())!.Marked);
        Assert.Equal(0, (await owner.Http.GetJsonAsync<UnreadCount>("/api/me/notifications/unread-count")).Unread);
    }

    [Theory, BothEngines]
    public async Task A_problem_raised_again_before_its_alert_was_read_is_not_a_second_alert(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-once");
        await owner.PairAsync(device);

        // Jammed, cleared, jammed again, all before the owner looked: one alert.
        await device.RaiseAsync(Customers.Jam());
        await device.RaiseAsync(Customers.Jam(EventKind.Cleared));
        await device.RaiseAsync(Customers.Jam());
        Assert.Single((await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items);

        // Once read, the next jam is news again.
        using (var read = await owner.Http.PostAsync(new Uri("/api/me/notifications/read", UriKind.Relative), null, Ct))
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await device.RaiseAsync(Customers.Jam());
        var after = (await owner.Http.GetJsonAsync<Paged<NotificationView>>("/api/me/notifications")).Items;
        Assert.Equal(2, after.Count);
        Assert.Null(after[0].ReadAt);
    }

    [Theory, BothEngines]
    public async Task Staff_and_anonymous_callers_have_no_notifications_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var staff = await host.SignedInClientAsync(AccountRole.Agent);
        using var anonymous = host.CreateClient();

        using var forStaff = await staff.GetAsync(new Uri("/api/me/notifications", UriKind.Relative), Ct);
        using var forAnonymous = await anonymous.GetAsync(new Uri("/api/me/notifications", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, forStaff.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forAnonymous.StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_watch_wakes_when_a_paired_device_raises_a_problem_and_when_read_elsewhere(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-watch");
        await using var later = await host.ConnectDeviceAsync("notify-watch-later");
        await owner.PairAsync(device);
        var inbox = host.Services.GetRequiredService<NotificationInbox>();
        using var watch = await inbox.WatchAsync(owner.AccountId, Ct);

        await device.RaiseAsync(Customers.Jam());
        await WakesAsync(watch);
        Assert.Equal(1, await inbox.CountUnreadAsync(owner.AccountId, Ct));

        await inbox.MarkAllReadAsync(owner.AccountId, Ct);
        await WakesAsync(watch);

        // Paired after the watch started: pairing itself tells the watch to follow the new device.
        await owner.PairAsync(later);
        await later.RaiseAsync(Customers.Jam());
        await WakesAsync(watch);
        Assert.Equal(1, await inbox.CountUnreadAsync(owner.AccountId, Ct));
    }

    [Theory]
    [BothEngines(false)]
    [BothEngines(true)]
    public async Task Pairing_through_the_API_or_the_companion_page_makes_an_open_inbox_follow_the_new_device(bool throughThePage, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var owner = await Customers.SignInAsync(host);
        await using var device = await host.ConnectDeviceAsync("notify-paired");
        var inbox = host.Services.GetRequiredService<NotificationInbox>();
        using var watch = await inbox.WatchAsync(owner.AccountId, Ct);

        if (throughThePage)
            await owner.PairThroughThePageAsync(device);
        else
            await owner.PairAsync(device);
        await device.RaiseAsync(Customers.Jam());

        await WakesAsync(watch);
        Assert.Equal(1, await inbox.CountUnreadAsync(owner.AccountId, Ct));
    }

    /// <summary>Bounded, so a watch that never wakes fails the test instead of hanging it.</summary>
    private static async Task WakesAsync(InboxWatch watch)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Assert.True(await watch.WaitAsync(timeout.Token));
    }

    private static async Task<long> CountRowsAsync(CloudHost host)
    {
        await using var connection = await host.Database.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM notifications;");
    }
}
