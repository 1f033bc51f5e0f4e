namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// How the tests and the load tool start a real cloud process: they wait for it to listen and answer /health, however
/// long a loaded machine makes that take, and a cloud that dies while starting is reported at once with its own output,
/// not after the start limit as a timeout.
/// </summary>
public sealed class CloudProcessStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cloud_that_exits_during_start_is_reported_with_its_output_not_as_a_timeout()
    {
        // Ingestion's options are validated at start (a batch of no messages is out of range): the host stops and exits.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CloudProcess.StartAsync(Ct, extraArguments: ["--Ingestion:BatchSize=0"]));

        Assert.Contains("exited during start", failure.Message, StringComparison.Ordinal);
        // The process's own words are in the message, so a failed run says why.
        Assert.Contains("BatchSize", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_started_cloud_answers_health_and_has_printed_where_it_listens()
    {
        await using var cloud = await CloudProcess.StartAsync(Ct);

        Assert.Contains(cloud.Process.Output, line => line.Contains("Now listening on:", StringComparison.Ordinal)
            && line.Contains($":{cloud.BaseAddress.Port}", StringComparison.Ordinal));
        using var health = await cloud.Http.GetAsync("health", Ct);
        Assert.True(health.IsSuccessStatusCode, $"/health answered {(int)health.StatusCode}");
    }
}
