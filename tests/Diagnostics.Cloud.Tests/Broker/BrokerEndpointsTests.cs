using Diagnostics.Cloud.Broker;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// How the listeners send: MQTTnet writes a packet's header and payload with a socket send each unless fragmentation is
/// off, so every downlink PUBLISH (an ack, a command) cost two system calls. Off by default, on only when asked.
/// </summary>
public sealed class BrokerEndpointsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packets_leave_in_one_write_unless_fragmenting_is_asked_for(bool fragment)
    {
        var settings = new BrokerOptions { Port = 0, TlsEnabled = false, BindAddress = "127.0.0.1", FragmentPackets = fragment };

        // No TLS listener, so no certificate is needed to build the options.
        var options = BrokerEndpoints.Build(settings, certificate: null!);

        Assert.Equal(fragment, options.DefaultEndpointOptions.AllowPacketFragmentation);
        Assert.Equal(fragment, options.TlsEndpointOptions.AllowPacketFragmentation);
    }

    [Fact]
    public void Fragmenting_is_off_unless_configured()
    {
        Assert.False(new BrokerOptions().FragmentPackets);
    }
}
