using Diagnostics.FirmwareTools.Cloud;
using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Testing;

namespace Diagnostics.FirmwareTools.Tests.Cloud;

public sealed class RolloutCommandsTests : IAsyncLifetime
{
    private readonly FwtoolHarness _fwtool = new();
    private FakeCloud _cloud = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await FakeCloud.StartAsync();
        _fwtool.Environment["DX_PASSWORD"] = FakeCloud.Password;
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _fwtool.Dispose();
    }

    private string[] Cloud => ["--cloud", _cloud.Address.ToString(), "--email", FakeCloud.Email];

    [Fact]
    public async Task Create_sends_the_contracts_defaults()
    {
        var result = await _fwtool.RunAsync(["rollout", "create", "--package", "lx500-fw-2.4.1", .. Cloud]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(_cloud.RolloutRequests);
        Assert.Equal("lx500-fw-2.4.1", request.GetProperty("name").GetString());
        Assert.Equal("lx500-fw-2.4.1", request.GetProperty("packageId").GetString());
        Assert.Equal(0, request.GetProperty("models").GetArrayLength());
        Assert.Equal(0, request.GetProperty("fromVersions").GetArrayLength());
        Assert.Equal(0, request.GetProperty("tags").GetArrayLength());
        Assert.Equal(0, request.GetProperty("deviceIds").GetArrayLength());
        Assert.Equal([1, 10, 50, 100], request.GetProperty("waves").EnumerateArray().Select(wave => wave.GetInt32()));
        Assert.Equal(1800, request.GetProperty("waveWindowSeconds").GetInt64());
        Assert.Equal(5, request.GetProperty("failureThresholdPercent").GetInt32());
        Assert.True(request.GetProperty("requireApproval").GetBoolean());
        Assert.Equal(72 * 3600, request.GetProperty("maxDeferralSeconds").GetInt64());
        Assert.Equal(300, request.GetProperty("healthCheckSeconds").GetInt64());
        Assert.Contains("created rollout 7", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_sends_every_option_as_given()
    {
        var result = await _fwtool.RunAsync([
            "rollout", "create", "--package", "lx500-fw-2.4.1", "--name", "LX-500 spring fix", "--model", "LX-500", "--model", "LX-510",
            "--from-version", "2.4.0", "--from-version", "2.3.9", "--tag", "pilot", "--device", "dev-1", "--device", "dev-2",
            "--waves", "5,25,100", "--wave-window", "2h", "--failure-threshold", "2", "--auto-approve-by-policy",
            "--max-deferral", "7d", "--health-check", "90s", .. Cloud]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(_cloud.RolloutRequests);
        Assert.Equal("LX-500 spring fix", request.GetProperty("name").GetString());
        Assert.Equal(["LX-500", "LX-510"], request.GetProperty("models").EnumerateArray().Select(model => model.GetString()));
        Assert.Equal(["2.4.0", "2.3.9"], request.GetProperty("fromVersions").EnumerateArray().Select(version => version.GetString()));
        Assert.Equal(["pilot"], request.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()));
        Assert.Equal(["dev-1", "dev-2"], request.GetProperty("deviceIds").EnumerateArray().Select(device => device.GetString()));
        Assert.Equal([5, 25, 100], request.GetProperty("waves").EnumerateArray().Select(wave => wave.GetInt32()));
        Assert.Equal(7200, request.GetProperty("waveWindowSeconds").GetInt64());
        Assert.Equal(2, request.GetProperty("failureThresholdPercent").GetInt32());
        Assert.False(request.GetProperty("requireApproval").GetBoolean());
        Assert.Equal(7 * 86_400, request.GetProperty("maxDeferralSeconds").GetInt64());
        Assert.Equal(90, request.GetProperty("healthCheckSeconds").GetInt64());
    }

    [Fact]
    public async Task Status_prints_the_rollout_as_a_table()
    {
        _cloud.RolloutStates.Enqueue("halted");

        var result = await _fwtool.RunAsync(["rollout", "status", "7", .. Cloud]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n').Select(line => line.TrimEnd()).ToList();
        Assert.Contains("rollout   7  \"LX-500 2.4.1\"", lines);
        Assert.Contains("package   lx500-fw-2.4.1 (2.4.1)", lines);
        Assert.Contains("state     halted, wave 2 of 4", lines);
        Assert.Contains("halted    wave 2: 4 of 40 devices failed (10%), over the 5% threshold", lines);
        Assert.Contains("wave  percent  devices  succeeded  failed  in progress", lines);
        Assert.Contains("1          1%        4          4       0            0", lines);
        Assert.Contains("2 *       10%       40         30       4            6", lines);
        Assert.Contains("devices   offered 356, succeeded 34, installing 6, failed 4", lines);
    }

    [Fact]
    public async Task Status_watch_asks_again_until_the_rollout_is_finished()
    {
        foreach (var state in new[] { "running", "running", "completed" })
            _cloud.RolloutStates.Enqueue(state);

        var watching = _fwtool.RunAsync(["rollout", "status", "7", "--watch", .. Cloud]);
        // The watch waits on the harness's clock: move it on until the watch has seen the rollout complete.
        await Eventually.TrueAsync(() =>
        {
            _fwtool.Time.Advance(RolloutCommands.WatchInterval);
            return watching.IsCompleted;
        }, "fwtool rollout status --watch to end once the rollout completed");
        var result = await watching;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, _cloud.Requests.Count(request => request == "GET /api/updates/rollouts/7"));
        Assert.Equal(2, result.Out.Split('\n').Count(line => line.StartsWith("state     running", StringComparison.Ordinal)));
        Assert.EndsWith("completed, wave 2 of 4", result.Out.Split('\n').Last(line => line.StartsWith("state", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pause", "paused")]
    [InlineData("resume", "running")]
    [InlineData("cancel", "cancelled")]
    public async Task Pause_resume_and_cancel_post_to_the_rollout_and_print_its_new_state(string action, string state)
    {
        var result = await _fwtool.RunAsync(["rollout", action, "7", .. Cloud]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"POST /api/updates/rollouts/7/{action}", _cloud.Requests);
        Assert.Contains($"state     {state}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_rollout_is_refused_with_the_clouds_reason()
    {
        var result = await _fwtool.RunAsync(["rollout", "status", "99", .. Cloud]);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("Not found: There is no rollout 99.", result.Error, StringComparison.Ordinal);
    }
}
