using System.Net.Security;
using System.Security.Cryptography;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>IPPS to a real ippeveprinter, whose certificate is self-signed as most printers' are.</summary>
public sealed class IppsCertificatePinTests
{
    [Fact]
    public async Task A_self_signed_printer_is_refused_unless_its_certificate_is_pinned()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        var fingerprint = await PresentedCertificateSha256Async(printer);

        await using (var unpinned = Collector(printer, pin: ""))
            await Assert.ThrowsAsync<IppRequestException>(async () => await unpinned.ReadAsync(TestContext.Current.CancellationToken));

        await using (var wronglyPinned = Collector(printer, pin: new string('A', 64)))
            await Assert.ThrowsAsync<IppRequestException>(async () => await wronglyPinned.ReadAsync(TestContext.Current.CancellationToken));

        await using var pinned = Collector(printer, pin: string.Join(':', Convert.ToHexString(fingerprint).Chunk(2).Select(c => new string(c))));
        var status = await pinned.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Contains("LaserPro", status.Model, StringComparison.Ordinal);
        Assert.NotEqual(DeviceState.Unreachable, status.State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void A_malformed_pin_is_refused_by_validation(string pin)
    {
        var options = new IppCollectorOptions { PrinterUri = new Uri("ipps://printer/ipp/print"), TrustedCertificateSha256 = pin };

        var problems = options.Validate().ToList();

        if (pin.Length == 0)
            Assert.Empty(problems);
        else
            Assert.Contains(problems, p => p.Contains("TrustedCertificateSha256", StringComparison.Ordinal));
    }

    private static IppPrinterCollector Collector(IppEvePrinter printer, string pin)
    {
        var options = new IppCollectorOptions
        {
            PrinterUri = printer.SecureUri,
            TrustedCertificateSha256 = pin,
            Notifications = false,
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        var http = CertificatePin.TryParse(pin) is { } parsed ? parsed.CreateHttpClient() : new HttpClient();
        return new IppPrinterCollector(http, options, TimeProvider.System, NullLogger<IppPrinterCollector>.Instance, ownsHttp: true);
    }

    /// <summary>What a person would read with openssl s_client: the certificate the printer presents, hashed.</summary>
    private static async Task<byte[]> PresentedCertificateSha256Async(IppEvePrinter printer)
    {
        byte[]? seen = null;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = certificate is null ? null : SHA256.HashData(certificate.GetRawCertData());
                    return false;
                },
            },
        });
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"https://localhost:{printer.Port}/"), TestContext.Current.CancellationToken));
        return seen ?? throw new InvalidOperationException("The printer presented no certificate.");
    }
}
