using Diagnostics.Agent.Tests.Hosting;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Tests.Updates;

public sealed class UpdateOptionsTests
{
    [Fact]
    public async Task The_agent_refuses_to_start_with_an_unreadable_release_key_or_an_installer_without_its_command()
    {
        using var host = AgentHosts.Build("--Agent:DeviceId=dev-1", "--Agent:Token=t",
            "--Updates:TrustedKeys:0=/nowhere/release.pub.pem", "--Updates:Installer=Command");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Updates:TrustedKeys:0 is neither a PEM public key nor the path of a file holding one", error.Message, StringComparison.Ordinal);
        Assert.Contains("Updates:InstallCommand must be set with Installer=Command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_keys_are_read_from_pem_text_or_from_a_pem_file()
    {
        using var directory = new TestDirectory();
        using var first = ManifestSigning.CreateKey();
        using var second = ManifestSigning.CreateKey();
        var file = Path.Combine(directory.Path, "release-2.pub.pem");
        File.WriteAllText(file, second.ExportSubjectPublicKeyInfoPem());
        var options = new UpdateOptions { TrustedKeys = [first.ExportSubjectPublicKeyInfoPem(), file] };

        Assert.Empty(options.Validate());
        var keys = options.LoadTrustedKeys();
        try
        {
            Assert.Equal([ManifestSigning.KeyId(first), ManifestSigning.KeyId(second)], keys.Select(k => k.KeyId));
        }
        finally
        {
            foreach (var key in keys)
                key.Dispose();
        }
    }

    [Fact]
    public void Bound_from_configuration_the_options_keep_their_defaults()
    {
        using var host = AgentHosts.Build("--Agent:DeviceId=dev-1", "--Agent:Token=t", "--Updates:HardwareRevision=B");

        var options = host.Services.GetRequiredService<IOptions<UpdateOptions>>().Value;

        Assert.Equal(("B", UpdateInstallerKind.Slots, 300), (options.HardwareRevision, options.Installer, options.HealthCheckSeconds));
    }
}
