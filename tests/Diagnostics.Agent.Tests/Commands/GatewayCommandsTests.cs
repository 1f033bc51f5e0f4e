using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Tests.Hosting;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Commands;

public sealed class GatewayCommandsTests
{
    [Fact]
    public async Task Each_gateway_device_runs_its_own_commands_with_its_own_journal()
    {
        await using var cloud = new FakeCloud();
        await cloud.StartAsync();
        var data = Directory.CreateTempSubdirectory("dx-gateway-commands-").FullName;
        using var host = AgentHosts.Build(
            $"--Agent:DataDirectory={data}", "--Agent:PollInterval=00:00:00.050", "--Agent:ConditionDebounceInterval=00:00:00",
            "--Outbox:Durability=ProcessCrash", "--Broker:Host=127.0.0.1", $"--Broker:Port={cloud.Port}",
            "--Gateway:Devices:0:DeviceId=office-printer", "--Gateway:Devices:0:Token=t0", "--Gateway:Devices:0:Collectors=simulated",
            "--Gateway:Devices:0:Simulator:ScriptedFaults=ipp:media-jam@0s", "--Gateway:Devices:0:Simulator:JamsPerHour=0",
            "--Gateway:Devices:0:Simulator:PersonReactsAfterMinSeconds=3600", "--Gateway:Devices:0:Simulator:PersonReactsAfterMaxSeconds=3600",
            "--Gateway:Devices:1:DeviceId=lab-printer", "--Gateway:Devices:1:Token=t1", "--Gateway:Devices:1:Collectors=simulated",
            "--Gateway:Devices:1:Simulator:JamsPerHour=0", "--Gateway:Devices:1:Simulator:DoorOpensPerHour=0");
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(() => cloud.Received.Any(e => e.DeviceId == "office-printer" && e.Event is { Condition: Conditions.PaperJam })
                && cloud.Received.Any(e => e.DeviceId == "lab-printer" && e.Status is not null), "both devices report, the office printer its jam");
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var command = new Command
            {
                CommandId = "cmd-1",
                Name = DeviceCommands.ClearPaperPath,
                ExpiresUnixMs = now + 600_000,
                Consent = new ConsentGrant { ConsentId = "policy-1", Action = ConsentAction.Maintenance, GrantedUnixMs = now, ExpiresUnixMs = now + 600_000 },
            };

            await cloud.SendCommandAsync("office-printer", command);
            await Eventually.TrueAsync(() => cloud.Results("office-printer").Count == 1, "the office printer's result");
            // The same id on the other device is not a repeat there: its journal is its own.
            await cloud.SendCommandAsync("lab-printer", command);
            await Eventually.TrueAsync(() => cloud.Results("lab-printer").Count == 1, "the lab printer's result");

            Assert.Equal("paper jam cleared: the rollers fed the stuck sheet out", cloud.Results("office-printer")[0].Detail);
            Assert.Equal("no paper jam: the paper path was already clear", cloud.Results("lab-printer")[0].Detail);
            Assert.True(File.Exists(Path.Combine(data, "office-printer", CommandJournal.FileName)));
            Assert.True(File.Exists(Path.Combine(data, "lab-printer", CommandJournal.FileName)));
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
            Directory.Delete(data, recursive: true);
        }
    }
}
