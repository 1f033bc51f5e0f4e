using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Updates;

/// <summary>
/// Rollouts over the cloud's own simulated fleet in a real cloud process: real agents take each offer, download the
/// payload over HTTP with their tokens, install it into their A/B slots, reboot into it, check their health and report
/// every step; the cloud moves the waves on or halts by what they report.
/// </summary>
public sealed class DemoFleetRolloutTests
{
    private const int Devices = 10;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact(Timeout = 300_000)]
    public async Task A_good_release_completes_through_its_waves_and_a_release_with_a_planted_fault_halts_after_its_first_wave()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments:
        [
            $"--Demo:Devices={Devices}", "--Demo:PairedWithDemoCustomer=0", "--Demo:UpdateHealthCheckStableFor=00:00:02",
            "--Updates:HealthObservation=00:00:10", "--Updates:MinimumErrorsToHalt=2", "--Updates:CheckInterval=00:00:00.500",
        ]);
        using var supervisor = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = cloud.BaseAddress };
        using (var login = await supervisor.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.SupervisorEmail, password = CloudProcess.DemoPassword }, ct))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        // Online is not enough: a rollout targets by the firmware a device reported, so every printer's first status must be stored.
        await Eventually.TrueAsync(async () =>
        {
            var summary = await supervisor.GetFromJsonAsync<JsonElement>("api/fleet/summary", Web, ct);
            return summary.GetProperty("byPresence").GetProperty("online").GetInt32() == Devices && summary.GetProperty("byHealth").GetProperty("unknown").GetInt32() == 0;
        }, "the demo fleet is online and has reported its firmware", TimeSpan.FromSeconds(60));
        List<JsonElement> packages = [];
        await Eventually.TrueAsync(async () => (packages = await supervisor.GetFromJsonAsync<List<JsonElement>>("api/updates/packages", Web, ct) ?? []).Count == 3,
            "the demo releases are published", TimeSpan.FromSeconds(30));
        var good = packages.Single(p => p.GetProperty("version").GetString() == "2.1.1" && !p.GetProperty("isDelta").GetBoolean()).GetProperty("packageId").GetString();
        var faulty = packages.Single(p => p.GetProperty("version").GetString() == "2.2.0").GetProperty("packageId").GetString();

        var completed = await RunAsync(supervisor, new { packageId = good, waves = new[] { 20, 50, 100 }, waveWindowSeconds = 2, failureThresholdPercent = 50, healthCheckSeconds = 60 }, "completed", ct);
        Assert.Equal(Devices, completed.GetProperty("counts").GetProperty("succeeded").GetInt32());
        var states = await supervisor.GetFromJsonAsync<List<JsonElement>>($"api/updates/rollouts/{completed.GetProperty("id").GetString()}/devices", Web, ct);
        Assert.All(states!, s => Assert.Equal("2.1.1", s.GetProperty("runningVersion").GetString()));
        // The factory version has a published delta, so every printer downloaded the delta, not the full image.
        Assert.All(states!, s => Assert.EndsWith("-from-2.1.0", s.GetProperty("packageId").GetString(), StringComparison.Ordinal));

        var halted = await RunAsync(supervisor, new { packageId = faulty, waves = new[] { 20, 100 }, waveWindowSeconds = 2, failureThresholdPercent = 20, healthCheckSeconds = 60 }, "halted", ct);
        Assert.True(halted.GetProperty("currentWave").GetInt32() == 0, $"halted in a later wave: {halted}");
        var secondWave = halted.GetProperty("waves")[1];
        Assert.Equal((8, 0, 0), (secondWave.GetProperty("waiting").GetInt32(), secondWave.GetProperty("succeeded").GetInt32(), secondWave.GetProperty("failed").GetInt32()));
        Assert.False(string.IsNullOrEmpty(halted.GetProperty("haltReason").GetString()));
    }

    private static async Task<JsonElement> RunAsync(HttpClient supervisor, object request, string until, CancellationToken ct)
    {
        using var created = await supervisor.PostAsJsonAsync("api/updates/rollouts", request, ct);
        var body = await created.Content.ReadAsStringAsync(ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        JsonElement rollout = default;
        await Eventually.TrueAsync(async () =>
        {
            rollout = await supervisor.GetFromJsonAsync<JsonElement>($"api/updates/rollouts/{id}", Web, ct);
            var state = rollout.GetProperty("state").GetString();
            Assert.True(state == until || state == "running", $"rollout {id} is {state}: {rollout.GetProperty("haltReason").GetString()}");
            return state == until;
        }, $"rollout {id} {until}", TimeSpan.FromSeconds(150));
        return rollout;
    }
}
