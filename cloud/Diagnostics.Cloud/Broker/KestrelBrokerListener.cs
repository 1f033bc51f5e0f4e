using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MQTTnet.AspNetCore;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// The embedded broker's listeners on Kestrel (<see cref="BrokerTransport.Kestrel"/>): a Kestrel server of its own, so
/// the API's addresses (<c>Urls</c>) and its test server are untouched, on <see cref="BrokerOptions.Port"/> and
/// <see cref="BrokerOptions.TlsPort"/>. Every connection goes to <see cref="Handler"/>, which the MQTT server was given
/// as its adapter; the TLS listener is set up as <see cref="BrokerEndpoints"/> sets up MQTTnet's (the current server
/// certificate at every handshake, TLS 1.2 and 1.3, a client certificate asked for and decided at the CONNECT).
/// </summary>
internal sealed class KestrelBrokerListener(BrokerOptions settings, ServerCertificate certificate, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    // Stopping comes after the MQTT server has closed every session, so the connections are already gone.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private IHost? _host;

    /// <summary>MQTTnet.AspNetCore's handler: the MQTT server's adapter, fed by both listeners.</summary>
    public MqttConnectionHandler Handler { get; } = new();

    /// <summary>The plain port listened on once started; 0 without a plain listener.</summary>
    public int Port { get; private set; }

    /// <summary>The TLS port listened on once started; 0 without a TLS listener.</summary>
    public int TlsPort { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(settings.BindAddress);
        ListenOptions? plain = null;
        ListenOptions? tls = null;
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                // The cloud's logging; the instance is the cloud's, so this host does not dispose it.
                services.AddSingleton(loggerFactory);
                services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            })
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel =>
                {
                    if (settings.PlainEnabled)
                        kestrel.Listen(address, settings.Port, listen => (plain = listen).Run(Handler.OnConnectedAsync));
                    if (settings.TlsEnabled)
                    {
                        kestrel.Listen(address, settings.TlsPort, listen =>
                        {
                            tls = listen;
                            listen.UseHttps(https =>
                            {
                                https.ServerCertificateSelector = (_, _) => certificate.Current;
                                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                                https.ClientCertificateValidation = AcceptForCheckAtConnect;
                            });
                            listen.Run(Handler.OnConnectedAsync);
                        });
                    }
                })
                .Configure(_ => { }))
            .Build();
        await host.StartAsync(cancellationToken);
        _host = host;
        Port = plain?.IPEndPoint?.Port ?? 0;
        TlsPort = tls?.IPEndPoint?.Port ?? 0;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>No certificate, or any: the CONNECT decides (<see cref="DeviceAuthenticator"/>), as on MQTTnet's listener.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359:Do not disable certificate validation",
        Justification = "Client certificates are validated against the device CA and the registry when the CONNECT arrives (DeviceAuthenticator).")]
    private static bool AcceptForCheckAtConnect(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) => true;
}
