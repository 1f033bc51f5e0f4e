using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Tests.Uplink;

public sealed class BrokerTlsOptionsTests
{
    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678", false)]
    [InlineData("zzcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", false)]
    [InlineData("", false)]
    public void Fingerprint_is_64_hex_digits_of_SHA_256_colons_allowed(string text, bool valid) =>
        Assert.Equal(valid, BrokerTls.ParseFingerprint(text) is { Length: 32 });

    [Fact]
    public void Pins_and_CA_files_need_TLS_and_one_of_them_at_a_time()
    {
        var pin = new string('a', 64);

        Assert.Contains(new BrokerOptions { CertificateFingerprint = pin }.Validate(), e => e.Contains("set Broker:UseTls=true", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { UseTls = true, CaCertificatePath = "/nonexistent/ca.pem" }.Validate(), e => e.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { UseTls = true, CertificateFingerprint = "12:34" }.Validate(), e => e.Contains("64 hex digits", StringComparison.Ordinal));
        Assert.Empty(new BrokerOptions { UseTls = true, CertificateFingerprint = pin }.Validate());
    }

    [Fact]
    public async Task Certificate_authentication_without_TLS_refuses_to_start()
    {
        using var host = Hosting.AgentHosts.Build("--Agent:DeviceId=cert-no-tls", "--Agent:Authentication=Certificate", "--Agent:CloudUrl=https://cloud.example/");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("set Broker:UseTls=true", error.Message, StringComparison.Ordinal);
    }
}
