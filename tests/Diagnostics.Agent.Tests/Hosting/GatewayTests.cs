using Diagnostics.Agent.Hosting;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Tests.Hosting;

public sealed class GatewayTests
{
    private static IHost Build(params string[] args) => AgentHosts.Build(args);

    [Fact]
    public async Task A_gateway_reports_each_watched_device_under_its_own_identity()
    {
        await using var cloud = new FakeCloud();
        await cloud.StartAsync();
        var data = Directory.CreateTempSubdirectory("dx-gateway-").FullName;
        using var host = Build(
            $"--Agent:DataDirectory={data}", "--Agent:PollInterval=00:00:00.050", "--Outbox:Durability=ProcessCrash",
            "--Broker:Host=127.0.0.1", $"--Broker:Port={cloud.Port}",
            "--Gateway:Devices:0:DeviceId=office-printer", "--Gateway:Devices:0:Token=t0", "--Gateway:Devices:0:Collectors=simulated",
            "--Gateway:Devices:1:DeviceId=lab-printer", "--Gateway:Devices:1:Token=t1", "--Gateway:Devices:1:Collectors=simulated",
            "--Gateway:Devices:1:Simulator:FirmwareVersion=9.9.9");

        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(() =>
                cloud.Received.Any(e => e.DeviceId == "office-printer" && e.Status is not null)
                && cloud.Received.Any(e => e.DeviceId == "lab-printer" && e.Status is not null),
                "both watched devices to report a status");
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        Assert.Contains(cloud.Connections, c => c.ClientId == "office-printer" && c.Password == "t0");
        Assert.Contains(cloud.Connections, c => c.ClientId == "lab-printer" && c.Password == "t1");
        // Each device reads its own collector settings and keeps its own outbox.
        Assert.Equal("9.9.9", cloud.Received.First(e => e.DeviceId == "lab-printer" && e.Status is not null).Status!.FirmwareVersion);
        Assert.NotEqual("9.9.9", cloud.Received.First(e => e.DeviceId == "office-printer" && e.Status is not null).Status!.FirmwareVersion);
        Assert.True(File.Exists(Path.Combine(data, "office-printer", "outbox.db")));
        Assert.True(File.Exists(Path.Combine(data, "lab-printer", "outbox.db")));
    }

    [Fact]
    public async Task A_gateway_watches_a_real_ipp_printer_and_reports_its_conditions_as_they_come_and_go()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var cloud = new FakeCloud();
        await cloud.StartAsync();
        var data = Directory.CreateTempSubdirectory("dx-gateway-").FullName;
        using var host = Build(
            $"--Agent:DataDirectory={data}", "--Agent:PollInterval=00:00:00.200", "--Agent:ConditionDebounceInterval=00:00:00.400",
            "--Outbox:Durability=ProcessCrash", "--Broker:Host=127.0.0.1", $"--Broker:Port={cloud.Port}",
            "--Gateway:Devices:0:DeviceId=front-desk", "--Gateway:Devices:0:Token=t0", "--Gateway:Devices:0:Collectors=ipp",
            $"--Gateway:Devices:0:Ipp:PrinterUri={printer.Uri}");

        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(() => cloud.Received.Any(e => e.DeviceId == "front-desk" && e.Status is { Model.Length: > 0 }),
                "the printer's first status", TimeSpan.FromSeconds(20));

            await printer.SetMainTrayLevelAsync(0);
            await Eventually.TrueAsync(() => Events("front-desk").Contains((EventKind.Raised, "ipp:media-empty")),
                "media-empty raised", TimeSpan.FromSeconds(20));

            await printer.SetMainTrayLevelAsync(100);
            await Eventually.TrueAsync(() => Events("front-desk").Contains((EventKind.Cleared, "ipp:media-empty")),
                "media-empty cleared after a refill", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        var status = cloud.Received.Last(e => e.DeviceId == "front-desk" && e.Status is not null).Status!;
        Assert.Contains("LaserPro", status.Model, StringComparison.Ordinal);
        Assert.Contains(status.Supplies, s => s.Type == "toner");

        List<(EventKind, string)> Events(string deviceId) =>
            cloud.Received.Where(e => e.DeviceId == deviceId && e.Event is not null).Select(e => (e.Event!.Kind, e.Event.Code)).ToList();
    }

    [Theory]
    [InlineData("--Gateway:Devices:0:Collectors=teleport", "unknown collector 'teleport'")]
    [InlineData("--Gateway:Devices:0:Collectors=simulated,simulated", "listed twice")]
    [InlineData("--Gateway:Devices:1:DeviceId=p1", "'p1' is watched twice")]
    [InlineData("--Gateway:Devices:1:DeviceId=bad/id", "'bad/id' is not valid")]
    public async Task A_misconfigured_gateway_refuses_to_start_and_says_why(string setting, string expected)
    {
        using var host = Build("--Gateway:Devices:0:DeviceId=p1", "--Gateway:Devices:0:Token=t", "--Gateway:Devices:1:Token=t", setting);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_device_without_a_token_needs_a_cloud_to_provision_from()
    {
        using var host = Build("--Gateway:Devices:0:DeviceId=p1", "--Agent:CloudUrl=");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Gateway:Devices:0: set Token, or Agent:CloudUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_collector_for_the_agents_own_device_is_refused_at_start()
    {
        using var host = Build("--Agent:DeviceId=p1", "--Agent:Token=t", "--Agent:Collectors=ipp-over-carrier-pigeon");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Agent:Collectors: unknown collector 'ipp-over-carrier-pigeon'", error.Message, StringComparison.Ordinal);
    }
}
