namespace Diagnostics.Cloud.Tests.Demo;

/// <summary>
/// The line a person starting the demo looks for (where to open it, who to sign in as) comes after the demo printers'
/// start-up, not buried under it: a real cloud process with demo printers, its console read line by line.
/// </summary>
public sealed class StartupReadyLineTests
{
    private const int Printers = 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_ready_line_names_the_dashboard_and_the_demo_sign_ins_after_every_demo_printer_connected()
    {
        await using var cloud = await CloudProcess.StartAsync(Ct, extraArguments: [$"--Demo:Devices={Printers}", "--Demo:TimeScale=1"]);

        var ready = await cloud.Process.WaitForLineAsync(line => line.Contains("Ready. Dashboard:", StringComparison.Ordinal), TimeSpan.FromSeconds(90), Ct);

        Assert.Contains($"{cloud.BaseAddress.Port}/dashboard (sign in as agent@demo.test)", ready, StringComparison.Ordinal);
        Assert.Contains("demo password: diagnostics-demo", ready, StringComparison.Ordinal);
        var lines = cloud.Process.Output.ToList();
        var readyAt = lines.FindIndex(line => line.Contains("Ready. Dashboard:", StringComparison.Ordinal));
        // Every printer registered and connected before it (the broker's presence line names each one), and it is said once.
        for (var index = 1; index <= Printers; index++)
        {
            var device = $"sim-{index:D4}";
            var connectedAt = lines.FindIndex(line => line.Contains(device, StringComparison.Ordinal) && line.Contains("connected", StringComparison.OrdinalIgnoreCase));
            Assert.InRange(connectedAt, 0, readyAt);
        }
        Assert.Single(lines, line => line.Contains("Ready. Dashboard:", StringComparison.Ordinal));
        // The simulated printers' routine lines stay out of the cloud's console (they are in each printer's log ring); their
        // pairing codes stay, a person pairs a printer with them.
        Assert.DoesNotContain(lines, line => line.StartsWith("info: Diagnostics.Agent.Uplink.", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("sim-0001 pairing code:", StringComparison.Ordinal));
    }
}
