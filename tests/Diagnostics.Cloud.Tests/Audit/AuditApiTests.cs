using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Audit;

/// <summary>The audit endpoints read the trail through <see cref="IAuditLog"/>: staff a device's records, supervisors the chain's check, a customer neither.</summary>
public sealed class AuditApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Staff_read_a_devices_records_supervisors_check_the_chain_and_a_customer_gets_neither(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "au-1", "ADAD1111");
        await using var _ = device;
        Assert.True(await host.Registry.RevokeAsync("au-1", "audit test", Ct));
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);

        var records = await agent.GetJsonAsync<List<AuditRecord>>("/api/devices/au-1/audit");
        var check = await supervisor.GetJsonAsync<AuditVerification>("/api/audit/verify");

        var revoked = Assert.Single(records, r => r.Action == CredentialAuditActions.Revoked);
        Assert.Equal(("audit test", "au-1"), (revoked.Actor, revoked.DeviceId));
        Assert.True(check.Intact, check.Problem);
        Assert.True(check.Records >= records.Count, $"{check.Records} records checked, {records.Count} about the device");
        foreach (var (client, url) in new[] { (owner, "/api/devices/au-1/audit"), (owner, "/api/audit/verify"), (agent, "/api/audit/verify") })
        {
            using var refused = await client.GetAsync(new Uri(url, UriKind.Relative), Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"GET {url} -> {(int)refused.StatusCode}");
        }
    }
}
