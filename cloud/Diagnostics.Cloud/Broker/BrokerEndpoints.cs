using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using MQTTnet.Certificates;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// The broker's listeners: plain MQTT on <see cref="BrokerOptions.Port"/> and MQTT over TLS on
/// <see cref="BrokerOptions.TlsPort"/>, each on the one bind address. The TLS listener presents the server certificate
/// (asked for at every handshake, so a replaced file is served without a restart), offers TLS 1.2 and 1.3 only, and asks
/// for a client certificate without requiring one: a device may show a certificate from the device CA instead of a
/// token. Whether that certificate is good is decided with the CONNECT (see <see cref="DeviceAuthenticator"/>), where a
/// refusal has an MQTT reason code and a log line; TLS itself has already proved the client holds its key.
/// </summary>
internal static class BrokerEndpoints
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359:Do not disable certificate validation",
        Justification = "Client certificates are validated against the device CA and the registry when the CONNECT arrives (DeviceAuthenticator).")]
    public static MqttServerOptions Build(BrokerOptions settings, ServerCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var address = IPAddress.Parse(settings.BindAddress);
        // One address, one listener: MQTTnet would otherwise also listen on [::] for an IPv4 bind address.
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var v4 = ipv6 ? IPAddress.None : address;
        var v6 = ipv6 ? address : IPAddress.None;
        var builder = new MqttServerOptionsBuilder();
        builder = settings.PlainEnabled
            ? builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(v4).WithDefaultEndpointBoundIPV6Address(v6).WithDefaultEndpointPort(settings.Port)
            : builder.WithoutDefaultEndpoint();
        if (settings.TlsEnabled)
        {
            builder = builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(v4)
                .WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptedEndpointPort(settings.TlsPort)
                .WithEncryptionCertificate(new CurrentCertificate(certificate))
                .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithClientCertificate(AcceptForCheckAtConnect);
        }
        var options = builder.Build();
        // Per connection, for its whole life: sized for the small packets devices get (see BrokerOptions.WriterBufferBytes).
        options.WriterBufferSize = settings.WriterBufferBytes;
        options.WriterBufferSizeMax = settings.WriterBufferBytes;
        return options;
    }

    /// <summary>The ports actually listened on, once started (a configured 0 became a free port).</summary>
    public static (int Plain, int Tls) BoundPorts(MqttServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (options.DefaultEndpointOptions.IsEnabled ? options.DefaultEndpointOptions.Port : 0,
            options.TlsEndpointOptions.IsEnabled ? options.TlsEndpointOptions.Port : 0);
    }

    /// <summary>No certificate, or any: the CONNECT decides (<see cref="DeviceAuthenticator"/>), with a reason code and a log line a TLS alert would not give.</summary>
    private static bool AcceptForCheckAtConnect(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    private sealed class CurrentCertificate(ServerCertificate certificate) : ICertificateProvider
    {
        public X509Certificate2 GetCertificate() => certificate.Current;
    }
}
