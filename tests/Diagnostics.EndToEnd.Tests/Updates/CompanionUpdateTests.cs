using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Updates;

/// <summary>
/// An update a customer approves on a phone, with real processes: the rollout offers it in the companion app, the
/// customer taps Install, and the card follows the printer (a real agent in the cloud's demo fleet) through download,
/// install and reboot to "Updated", while the second printer's owner puts theirs off.
/// </summary>
public sealed class CompanionUpdateTests
{
    private static readonly float UpdatePatienceMs = 90_000;

    [Fact(Timeout = 240_000)]
    public async Task A_customer_installs_an_update_from_the_phone_and_watches_it_through_to_the_new_version()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments:
        [
            "--Demo:Devices=2", "--Demo:PairedWithDemoCustomer=2", "--Demo:UpdateHealthCheckStableFor=00:00:02", "--Updates:HealthObservation=00:00:02",
            "--Updates:CheckInterval=00:00:00.500",
        ]);
        using var supervisor = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = cloud.BaseAddress };
        using (var login = await supervisor.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.SupervisorEmail, password = CloudProcess.DemoPassword }, ct))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        // Online is not enough: a rollout targets by the firmware a device reported (a printer connected but without a
        // stored status is left out as "on an unknown version"), so both printers' first status must be stored.
        await Eventually.TrueAsync(async () =>
        {
            var summary = await supervisor.GetFromJsonAsync<JsonElement>("api/fleet/summary", ct);
            return summary.GetProperty("byPresence").GetProperty("online").GetInt32() == 2 && summary.GetProperty("byHealth").GetProperty("unknown").GetInt32() == 0;
        }, "the demo printers are online and have reported their firmware", TimeSpan.FromSeconds(60));
        string? good = null;
        await Eventually.TrueAsync(async () =>
        {
            var packages = await supervisor.GetFromJsonAsync<List<JsonElement>>("api/updates/packages", ct) ?? [];
            good = packages.Where(p => p.GetProperty("version").GetString() == "2.1.1" && !p.GetProperty("isDelta").GetBoolean())
                .Select(p => p.GetProperty("packageId").GetString()).FirstOrDefault();
            return good is not null;
        }, "the demo releases are published");
        using (var created = await supervisor.PostAsJsonAsync("api/updates/rollouts", new { packageId = good, waves = new[] { 100 }, waveWindowSeconds = 0, healthCheckSeconds = 60 }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var rollout = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal(2, rollout.GetProperty("waves")[0].GetProperty("devices").GetInt32());
        }

        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone);
        await customer.RunAsync(async page =>
        {
            await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);

            await customer.GotoLiveAsync("/app/devices/sim-0002");
            var later = page.GetByTestId("update-card").First;
            await Expect(later).ToHaveAttributeAsync("data-state", "offered", new() { Timeout = UpdatePatienceMs });
            await later.GetByTestId("update-later").ClickAsync();
            await Expect(later).ToHaveAttributeAsync("data-state", "deferred");
            await Expect(later.GetByTestId("update-state")).ToContainTextAsync("We will ask again");

            await customer.GotoLiveAsync("/app/devices/sim-0001");
            var card = page.GetByTestId("update-card").First;
            await Expect(card).ToHaveAttributeAsync("data-state", "offered", new() { Timeout = UpdatePatienceMs });
            await Expect(card.GetByTestId("update-notes")).ToContainTextAsync("paper handling");
            await card.GetByTestId("update-approve").ClickAsync();

            await Expect(card).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = UpdatePatienceMs });
            await Expect(card.GetByTestId("update-state")).ToHaveTextAsync("Updated to 2.1.1.");
        });

        var states = await supervisor.GetFromJsonAsync<List<JsonElement>>("api/devices/sim-0001/updates", ct);
        Assert.Equal(("succeeded", "2.1.1"), (states![0].GetProperty("state").GetString(), states[0].GetProperty("runningVersion").GetString()));
        var audit = await supervisor.GetFromJsonAsync<List<JsonElement>>("api/devices/sim-0001/audit", ct);
        // The demo printer may also have jammed meanwhile: only the update's records are asserted.
        Assert.Equal(["update.offered", "update.approved", "update.sent", "update.succeeded"],
            audit!.Select(a => a.GetProperty("action").GetString()).Where(a => a!.StartsWith("update.", StringComparison.Ordinal)));
    }
}
