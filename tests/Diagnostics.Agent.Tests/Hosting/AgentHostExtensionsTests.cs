using Diagnostics.Agent.Hosting;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Tests.Hosting;

public sealed class AgentHostExtensionsTests
{
    private static IHost Build(params string[] args) => AgentHosts.Build(args);

    [Fact]
    public async Task Refuses_to_start_with_an_invalid_device_id_and_says_why()
    {
        using var host = Build("--Agent:DeviceId=bad/id", "--Agent:Token=t");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Agent:DeviceId 'bad/id' is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binds_options_from_the_command_line_and_the_DX_environment()
    {
        Environment.SetEnvironmentVariable("DX_Broker__MaxInFlight", "42");
        try
        {
            using var host = Build("--Agent:DeviceId=dev-9", "--Agent:Token=t", "--Broker:AckTimeout=00:00:05", "--Outbox:Durability=ProcessCrash");

            var broker = host.Services.GetRequiredService<IOptions<BrokerOptions>>().Value;
            Assert.Equal("dev-9", host.Services.GetRequiredService<IOptions<AgentOptions>>().Value.DeviceId);
            Assert.Equal(TimeSpan.FromSeconds(5), broker.AckTimeout);
            Assert.Equal(42, broker.MaxInFlight);
            Assert.Equal(OutboxDurability.ProcessCrash, host.Services.GetRequiredService<IOptions<OutboxOptions>>().Value.Durability);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DX_Broker__MaxInFlight", null);
        }
    }
}
