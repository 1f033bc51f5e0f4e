using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Ingestion;

public sealed class RestartTests
{
    [Theory, BothEngines]
    public async Task Restarted_host_rebuilds_marks_and_health_and_still_detects_duplicates(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        string token;
        Envelope status, pending;
        await using (var first = new CloudHost(database: database))
        {
            token = await first.RegisterAsync("restart-1");
            await using var device = await DeviceClient.ConnectAsync(first.BrokerPort, "restart-1", token);
            status = device.NewEnvelope(status: IngestionPipelineTests.JammedStatus(), sequence: 7000, lowestRetained: 7000);
            await device.SendAsync(status);
            // 7002 is stored but 7001 is missing, so the mark stays at 7000.
            pending = device.NewEnvelope(heartbeat: new Heartbeat(), sequence: 7002, lowestRetained: 7000);
            await device.SendAsync(pending);
            await Eventually.TrueAsync(async () => (await first.StoredSequencesAsync("restart-1")).Count == 2, "both stored");
            await Eventually.TrueAsync(() => !device.Acks.IsEmpty, "ack");
            Assert.Equal(7000UL, device.Acks.Last().HighestContiguousSequence);
        }

        await using var second = new CloudHost(database: database);
        var http = await second.SignedInClientAsync();
        var details = await http.GetJsonAsync<DeviceDetails>("/api/devices/restart-1");
        Assert.Equal(DeviceHealth.Critical, details.Health);
        Assert.Equal(7000UL, details.HighestContiguousSequence);

        await using var again = await DeviceClient.ConnectAsync(second.BrokerPort, "restart-1", token);
        await again.SendAsync(status);   // below the mark
        await again.SendAsync(pending);  // above the mark, already stored
        await Eventually.TrueAsync(() => second.Metrics.DuplicatesTotal == 2, "both replays counted as duplicates");
        Assert.Equal(0, second.Metrics.StoredTotal);

        await again.SendAsync(again.NewEnvelope(heartbeat: new Heartbeat(), sequence: 7001, lowestRetained: 7000));
        await again.WaitForAckAsync(7002);
        Assert.Equal([7000UL, 7001UL, 7002UL], await second.StoredSequencesAsync("restart-1"));
    }
}
