using Diagnostics.Agent.Provisioning;

namespace Diagnostics.Agent.Tests.Provisioning;

public sealed class CredentialStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Provisions_once_and_reuses_the_saved_credentials_on_restart()
    {
        var provisioner = new CountingProvisioner();

        var first = await CredentialStore.LoadOrProvisionAsync(_directory.Path, "dev-1", "M", provisioner, Ct);
        var second = await CredentialStore.LoadOrProvisionAsync(_directory.Path, "dev-1", "M", provisioner, Ct);

        Assert.Equal(first, second);
        Assert.Equal(1, provisioner.Calls);
        Assert.True(File.Exists(Path.Combine(_directory.Path, CredentialStore.FileName)));
    }

    [Fact]
    public async Task Refuses_credentials_saved_for_another_device()
    {
        await CredentialStore.LoadOrProvisionAsync(_directory.Path, "dev-1", "M", new CountingProvisioner(), Ct);

        await Assert.ThrowsAsync<DeviceProvisioningException>(() =>
            CredentialStore.LoadOrProvisionAsync(_directory.Path, "dev-2", "M", new CountingProvisioner(), Ct));
    }

    internal sealed class CountingProvisioner : IDeviceProvisioner
    {
        private int _calls;

        public int Calls => _calls;

        public Task<DeviceCredentials> ProvisionAsync(string deviceId, string model, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            return Task.FromResult(new DeviceCredentials(deviceId, $"token-{deviceId}-{call}"));
        }
    }
}
