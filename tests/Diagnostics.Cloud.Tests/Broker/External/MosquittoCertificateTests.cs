using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Tests.Broker.External;

/// <summary>
/// <c>Broker:External:DeviceAccounts=MosquittoCertificates</c> against a real Mosquitto 2.0: devices authenticate by the
/// client certificate the cloud's device CA issued (CN = device id = user name = client id), one ACL pattern holds for
/// all of them, and revocation goes through the CRL the cloud writes (read again by Mosquitto on SIGHUP). Nothing is
/// kept per device in the broker; the cloud's own account is in Mosquitto's password file.
/// </summary>
public sealed class MosquittoCertificateTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dx-mosquitto-crl", Guid.NewGuid().ToString("N"));
    private readonly string _cloudPassword = Guid.NewGuid().ToString("N");
    private CloudHost? _cloud;
    private X509Certificate2? _deviceCa;
    private MosquittoWithDeviceCertificates? _mosquitto;
    private Dictionary<string, string?> _settings = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CloudHost Cloud => _cloud!;

    private MosquittoWithDeviceCertificates Mosquitto => _mosquitto!;

    private string CrlPath => Path.Combine(_directory, "devices.crl");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // The operator's own device CA, valid from days ago, so the test can sign an expired certificate with it.
        _deviceCa = DeviceAuthority();
        var caPath = Path.Combine(_directory, "device-ca.crt");
        var caKeyPath = Path.Combine(_directory, "device-ca.key");
        TestPki.WritePem(_deviceCa, caPath, caKeyPath);
        var ports = MosquittoWithDeviceCertificates.ChoosePorts();
        _settings = DeviceTls.Enrollable(
            ("Certificates:DeviceCaCertificatePath", caPath),
            ("Certificates:DeviceCaKeyPath", caKeyPath),
            ("Broker:Mode", "External"),
            ("Broker:External:DeviceAccounts", "MosquittoCertificates"),
            ("Broker:External:Host", "127.0.0.1"),
            ("Broker:External:Port", ports.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Broker:External:UserName", MosquittoWithDeviceCertificates.CloudUser),
            ("Broker:External:Password", _cloudPassword),
            ("Broker:External:CrlPath", CrlPath),
            ("Broker:External:RevokedSessionRecheck", "00:00:00.500"),
            ("Broker:External:ReconnectMinDelay", "00:00:00.050"),
            ("Broker:External:ReconnectMaxDelay", "00:00:00.500"),
            // How often every instance reads the audit trail for changes made elsewhere (the command line's).
            ("Broker:RevocationCheckInterval", "00:00:00.100"),
            ("Broker:External:RenewedCertificateGrace", "00:00:02"));
        _cloud = new CloudHost(settings: _settings);
        // The cloud writes its device CA and the first (empty) CRL at start; Mosquitto's device listener needs both.
        var authority = _cloud.Services.GetRequiredService<DeviceCertificateAuthority>();
        await Eventually.TrueAsync(() => File.Exists(CrlPath), "the cloud wrote its first revocation list");
        _mosquitto = await MosquittoWithDeviceCertificates.StartAsync(ports, _cloudPassword, authority.CertificatePath, CrlPath,
            MosquittoDeviceAcl.FileText(MosquittoWithDeviceCertificates.CloudUser), Ct);
        var connection = _cloud.Services.GetRequiredService<ExternalBrokerConnection>();
        await Eventually.TrueAsync(() => connection.IsReady, $"the cloud is connected and subscribed to Mosquitto\n{Mosquitto.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        // The cloud first: it may still be ending a revoked device's session at the broker.
        if (_cloud is not null)
            await _cloud.DisposeAsync();
        if (_mosquitto is not null)
            await _mosquitto.DisposeAsync();
        _deviceCa?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task A_device_with_a_cloud_issued_certificate_connects_and_its_telemetry_is_stored_and_acked()
    {
        var (certificate, _) = await DeviceTls.EnrollAsync(Cloud, "mc-dev-1");
        using (certificate)
        {
            await using var device = await ConnectAsync("mc-dev-1", certificate);
            var sent = new List<ulong>();
            for (var i = 0; i < 5; i++)
            {
                var envelope = device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "test:cert:" + i });
                var published = await device.SendAsync(envelope);
                Assert.True(published.IsSuccess, $"{published.ReasonCode} {published.ReasonString}\n{Mosquitto.Log}");
                sent.Add(envelope.Sequence);
            }
            await device.WaitForAckAsync(sent[^1]);
            Assert.Equal(sent, (await Cloud.StoredSequencesAsync("mc-dev-1")).Order().ToList());
        }
        // Registration asked nothing of the broker: the only list written is the one at start, still empty.
        Assert.Equal(0, Cloud.Services.GetRequiredService<MosquittoCertificateRevocations>().RevokedInList);
    }

    [Fact]
    public async Task A_device_cannot_publish_to_or_read_another_devices_topics_nor_take_its_client_id()
    {
        var (certificateA, _) = await DeviceTls.EnrollAsync(Cloud, "mc-acl-a");
        var (certificateB, _) = await DeviceTls.EnrollAsync(Cloud, "mc-acl-b");
        using (certificateA)
        using (certificateB)
        {
            await using var deviceB = await ConnectAsync("mc-acl-b", certificateB);
            // A's own client, which asks for B's client id and subscribes to B's downlink.
            using var spy = new MqttClientFactory().CreateMqttClient();
            var seen = new ConcurrentQueue<string>();
            spy.ApplicationMessageReceivedAsync += e =>
            {
                seen.Enqueue(e.ApplicationMessage.Topic);
                return Task.CompletedTask;
            };
            await spy.ConnectAsync(DeviceClient.Options(Mosquitto.DevicePort, "mc-acl-b", "mc-acl-b", null,
                tls: DeviceTls.Options(Mosquitto.ServerCaPath, certificateA)), Ct);
            await spy.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.DownlinkFilter("mc-acl-b"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), Ct);
            var forged = new Envelope
            {
                DeviceId = "mc-acl-b",
                Sequence = 1,
                SchemaVersion = Envelope.CurrentSchemaVersion,
                Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:forged" },
            };
            var published = await spy.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Uplink("mc-acl-b", forged.Kind!.Value)).WithPayload(WireCodec.Encode(forged))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Ct);

            // B's own event is acked on B's downlink, which A subscribed to as well.
            var own = deviceB.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "test:own" });
            Assert.True((await deviceB.SendAsync(own)).IsSuccess);
            await deviceB.WaitForAckAsync(own.Sequence);
            // A ping round trip after the ack: Mosquitto handles one client's traffic in order, so anything routed to A is in by now.
            await spy.PingAsync(Ct);

            // MQTT 5: PUBACK 0x87 Not authorized (OASIS MQTT 5.0, 3.4.2.1).
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);
            Assert.Empty(seen);
            Assert.Equal([own.Sequence], await Cloud.StoredSequencesAsync("mc-acl-b"));
            // use_username_as_clientid: A's connection got A's id, so B's session was not taken over.
            Assert.True(deviceB.IsConnected);
        }
    }

    [Fact]
    public async Task A_revoked_device_is_disconnected_and_refused_once_the_broker_reads_the_new_list()
    {
        var (revoked, _) = await DeviceTls.EnrollAsync(Cloud, "mc-revoked");
        var (kept, _) = await DeviceTls.EnrollAsync(Cloud, "mc-kept");
        using (revoked)
        using (kept)
        {
            await using var device = await ConnectAsync("mc-revoked", revoked);

            Assert.True(await Cloud.Registry.RevokeAsync("mc-revoked", DeviceRegistry.SystemActor, Ct));

            // The cloud ends the live session at once by taking over its client id, and once more a moment later.
            await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            await Eventually.TrueAsync(() => Cloud.Logs.Count(l => l.EventId == BrokerEventIds.DeviceSessionEnded && l.Message.Contains("mc-revoked", StringComparison.Ordinal)) >= 2,
                "the revoked device's session was ended again after RevokedSessionRecheck");
            var list = new X509Crl(await File.ReadAllTextAsync(CrlPath, Ct));
            Assert.Equal([revoked.SerialNumber], list.Serials);
            await Mosquitto.ReloadAsync(Ct);

            await AssertCertificateRefusedAsync("mc-revoked", revoked);
            await using var still = await ConnectAsync("mc-kept", kept);
            Assert.True(still.IsConnected);
        }
    }

    [Fact]
    public async Task A_device_rotated_through_the_API_is_disconnected_its_old_certificate_refused_and_a_new_one_works()
    {
        var (old, _) = await DeviceTls.EnrollAsync(Cloud, "mc-rotated");
        using (old)
        {
            await using var device = await ConnectAsync("mc-rotated", old);
            using var admin = await Cloud.SignedInClientAsync();

            using var response = await admin.PostAsync("/api/devices/mc-rotated/credentials/rotate", null, Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var token = (await response.Content.ReadFromJsonAsync<RegisteredDevice>(Json.Options, Ct))!.Token;
            await AssertRotatedAsync("mc-rotated", old, device, token);
        }
    }

    [Fact]
    public async Task A_device_rotated_by_the_command_line_is_disconnected_by_the_running_cloud_and_its_old_certificate_refused()
    {
        var (old, _) = await DeviceTls.EnrollAsync(Cloud, "mc-rotated-cli");
        var (kept, _) = await DeviceTls.EnrollAsync(Cloud, "mc-kept-cli");
        using (old)
        using (kept)
        {
            await using var device = await ConnectAsync("mc-rotated-cli", old);
            using var output = new StringWriter();
            using var error = new StringWriter();

            // The command line with the cloud's own configuration (database and broker), as an operator runs it on the cloud's host.
            var exit = await DevicesCli.RunAsync(["devices", "rotate", "mc-rotated-cli", .. Cloud.Database.CliArguments, .. BrokerArguments()],
                output, error, BrokerExtensions.ForDeviceCommands, Ct);

            Assert.True(exit == 0, $"exit {exit}: {error}");
            var token = output.ToString().Split('\n').Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
            await AssertRotatedAsync("mc-rotated-cli", old, device, token);
            await using var other = await ConnectAsync("mc-kept-cli", kept);
            Assert.True(other.IsConnected);
        }
    }

    /// <summary>
    /// What a rotation must do in this mode, whoever made it: the live session ends (now and again after the recheck),
    /// the old certificate is in the list and refused once Mosquitto reloads it, and the device enrolls again with the
    /// new token and connects with the new certificate.
    /// </summary>
    private async Task AssertRotatedAsync(string deviceId, X509Certificate2 old, DeviceClient session, string token)
    {
        await session.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Eventually.TrueAsync(() => Cloud.Logs.Count(l => l.EventId == BrokerEventIds.DeviceSessionEnded && l.Message.Contains(deviceId + " ", StringComparison.Ordinal)) >= 2,
            "the rotated device's session was ended again after RevokedSessionRecheck");
        var list = new X509Crl(await File.ReadAllTextAsync(CrlPath, Ct));
        Assert.Contains(old.SerialNumber, list.Serials);
        await Mosquitto.ReloadAsync(Ct);
        await AssertCertificateRefusedAsync(deviceId, old);

        var (key, csr) = DeviceTls.NewRequest(deviceId);
        using (key)
        {
            using var enrolled = await DeviceTls.PostRequestAsync(Cloud.CreateClient(), deviceId, csr, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));
            var (renewed, _, _) = await DeviceTls.IssuedAsync(enrolled, key);
            using (renewed)
            {
                await using var back = await ConnectAsync(deviceId, renewed);
                Assert.True(back.IsConnected);
                Assert.DoesNotContain(renewed.SerialNumber, new X509Crl(await File.ReadAllTextAsync(CrlPath, Ct)).Serials);
            }
        }
    }

    private IEnumerable<string> BrokerArguments() =>
        _settings.Where(s => s.Key.StartsWith("Broker:", StringComparison.Ordinal) || s.Key.StartsWith("Certificates:", StringComparison.Ordinal))
            .Select(s => $"--{s.Key}={s.Value}");

    [Fact]
    public async Task A_renewed_devices_older_certificate_is_superseded_after_the_grace_and_refused_while_the_new_one_works()
    {
        var (first, _) = await DeviceTls.EnrollAsync(Cloud, "mc-renewed");
        using (first)
        {
            // The agent's renewal: a request for a new key on up/csr over the session the current certificate opened.
            X509Certificate2 second;
            await using (var device = await ConnectAsync("mc-renewed", first))
            {
                using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var csr = new CertificateRequest("CN=mc-renewed", next, HashAlgorithmName.SHA256).CreateSigningRequest();
                Assert.True((await device.PublishAsync(Topics.CertificateRequest("mc-renewed"), csr)).IsSuccess);
                await Eventually.TrueAsync(() => !device.Certificates.IsEmpty, $"the renewed certificate came back on the downlink\n{Mosquitto.Log}");
                using var issued = X509CertificateLoader.LoadCertificate(device.Certificates.Single());
                using var withKey = issued.CopyWithPrivateKey(next);
                second = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            }
            using (second)
            {
                await Eventually.TrueAsync(async () => new X509Crl(await File.ReadAllTextAsync(CrlPath, Ct)).Serials.Contains(first.SerialNumber),
                    "the older certificate went into the revocation list once the grace had passed");

                var records = await Cloud.Services.GetRequiredService<IDeviceCredentialStore>().ListCertificatesAsync("mc-renewed", Ct);
                var older = records.Single(c => c.Serial == first.SerialNumber);
                var newer = records.Single(c => c.Serial == second.SerialNumber);
                Assert.Equal("superseded", older.RevocationReason);
                Assert.True(older.RevokedAt >= newer.IssuedAt + TimeSpan.FromSeconds(2), $"superseded at {older.RevokedAt:O}, successor issued at {newer.IssuedAt:O}: before the grace");
                Assert.Null(newer.RevokedAt);
                Assert.DoesNotContain(second.SerialNumber, new X509Crl(await File.ReadAllTextAsync(CrlPath, Ct)).Serials);
                await Mosquitto.ReloadAsync(Ct);
                await AssertCertificateRefusedAsync("mc-renewed", first);
                await using var renewed = await ConnectAsync("mc-renewed", second);
                Assert.True(renewed.IsConnected);
            }
        }
    }

    [Fact]
    public async Task A_certificate_from_another_CA_or_an_expired_one_is_refused()
    {
        await Cloud.RegisterAsync("mc-foreign");
        using var otherCa = TestPki.Authority("Someone else's CA");
        using var foreign = TestPki.Client(otherCa, "mc-foreign");
        // Signed by the device CA, for a registered device, but its dates are over.
        var authority = _deviceCa!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mc-foreign", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1), RandomNumberGenerator.GetBytes(12));
        using var expired = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);

        await AssertCertificateRefusedAsync("mc-foreign", foreign);
        await AssertCertificateRefusedAsync("mc-foreign", expired);
        // And without any certificate at all.
        Assert.NotNull(await RefusedAsync("mc-foreign", null));
    }

    [Fact]
    public async Task The_clouds_account_works_on_its_own_listener_and_nothing_else_does()
    {
        // The cloud is connected and subscribed (InitializeAsync); a wrong password or a device's name is refused there.
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
            await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "intruder", MosquittoWithDeviceCertificates.CloudUser, "wrong-password"));
        var token = await Cloud.RegisterAsync("mc-token-only");
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
            await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "mc-token-only", "mc-token-only", token));
        // The cloud still sends downlinks: a device's event is acked through the broker.
        var (certificate, _) = await DeviceTls.EnrollAsync(Cloud, "mc-cloud-check");
        using (certificate)
        {
            await using var device = await ConnectAsync("mc-cloud-check", certificate);
            var envelope = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 });
            Assert.True((await device.SendAsync(envelope)).IsSuccess);
            await device.WaitForAckAsync(envelope.Sequence);
        }
    }

    /// <summary>A device CA as an operator would bring one: may sign certificates and CRLs, valid from three days ago.</summary>
    private static X509Certificate2 DeviceAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test operator device CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(30));
    }

    private Task<DeviceClient> ConnectAsync(string deviceId, X509Certificate2 certificate) =>
        DeviceClient.ConnectAsync(Mosquitto.DevicePort, deviceId, token: null, tls: DeviceTls.Options(Mosquitto.ServerCaPath, certificate));

    /// <summary>Refused at the TLS handshake because Mosquitto's OpenSSL did not verify the certificate (not for some other reason).</summary>
    private async Task AssertCertificateRefusedAsync(string deviceId, X509Certificate2 certificate)
    {
        const string verifyFailed = "certificate verify failed";
        var before = Mosquitto.LogLines(verifyFailed);
        Assert.NotNull(await RefusedAsync(deviceId, certificate));
        await Eventually.TrueAsync(() => Mosquitto.LogLines(verifyFailed) > before, $"Mosquitto logged why it refused {deviceId}'s certificate\n{Mosquitto.Log}");
    }

    /// <summary>Why the device listener refused the connection (the TLS handshake, or the CONNACK), or null when it was accepted.</summary>
    private async Task<string?> RefusedAsync(string deviceId, X509Certificate2? certificate)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(DeviceClient.Options(Mosquitto.DevicePort, deviceId, deviceId, null,
                tls: DeviceTls.Options(Mosquitto.ServerCaPath, certificate)), Ct);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                return result.ResultCode.ToString();
            // TLS 1.3: the server checks the client's certificate after the client's side of the handshake is done; a refusal then closes the connection.
            await client.PingAsync(Ct);
            return null;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Adapter.MqttConnectingFailedException or OperationCanceledException && !Ct.IsCancellationRequested)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{deviceId} refused: {ex.Message}\n{Mosquitto.Log}");
            return ex.ToString();
        }
    }

    /// <summary>The serial numbers in a PEM CRL, read with .NET's own decoder.</summary>
    private sealed class X509Crl(string pem)
    {
        public IReadOnlyList<string> Serials { get; } = Read(pem);

        private static List<string> Read(string pem)
        {
            var fields = PemEncoding.Find(pem);
            if (pem[fields.Label] != "X509 CRL")
                throw new FormatException("Not a PEM CRL.");
            return ReadSerials(Convert.FromBase64String(pem[fields.Base64Data]));
        }

        private static List<string> ReadSerials(byte[] der)
        {
            // RFC 5280 5.1: CertificateList ::= SEQUENCE { tbsCertList SEQUENCE { version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, ... }? ... } ... }
            var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
            var tbs = reader.ReadSequence().ReadSequence();
            if (tbs.PeekTag().TagValue == (int)System.Formats.Asn1.UniversalTagNumber.Integer)
                tbs.ReadInteger();
            tbs.ReadSequence();
            tbs.ReadSequence();
            ReadTime(tbs);
            if (tbs.HasData && tbs.PeekTag().TagValue is (int)System.Formats.Asn1.UniversalTagNumber.UtcTime or (int)System.Formats.Asn1.UniversalTagNumber.GeneralizedTime)
                ReadTime(tbs);
            var serials = new List<string>();
            if (tbs.HasData && tbs.PeekTag().TagValue == (int)System.Formats.Asn1.UniversalTagNumber.Sequence && tbs.PeekTag().TagClass == System.Formats.Asn1.TagClass.Universal)
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                    serials.Add(Convert.ToHexString(entries.ReadSequence().ReadIntegerBytes().Span));
            }
            return serials;
        }

        private static void ReadTime(System.Formats.Asn1.AsnReader reader)
        {
            if (reader.PeekTag().TagValue == (int)System.Formats.Asn1.UniversalTagNumber.UtcTime)
                reader.ReadUtcTime();
            else
                reader.ReadGeneralizedTime();
        }
    }
}
