using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Audit;

public sealed class AuditCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Verify_passes_an_untouched_trail_and_names_the_record_someone_changed(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        await using (var host = new CloudHost(database: database))
        {
            var device = await host.ConnectDeviceAsync("audit-1", "Acme LaserPro 500");
            await using var _ = device;
            var workflow = host.Services.GetRequiredService<FixWorkflow>();
            await workflow.GrantPolicyAsync("audit-1", Protocol.ConsentAction.Maintenance, TimeSpan.FromDays(1), "test", Ct);
            await workflow.GrantPolicyAsync("audit-1", Protocol.ConsentAction.Diagnostics, TimeSpan.FromDays(1), "test", Ct);
        }
        using var output = new StringWriter();
        using var error = new StringWriter();

        var intact = await AuditCli.RunAsync(["audit", "verify", .. database.CliArguments], output, error, Ct);
        await using (var connection = await database.OpenAsync())
        {
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE audit_log SET details = '{}' WHERE seq = 1;";
            await tamper.ExecuteNonQueryAsync(Ct);
        }
        var broken = await AuditCli.RunAsync(["audit", "verify", .. database.CliArguments], output, error, Ct);
        var usage = await AuditCli.RunAsync(["audit"], output, error, Ct);

        Assert.Equal((0, 1, 2), (intact, broken, usage));
        Assert.Contains("Audit trail intact: 2 records", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("BROKEN at record 1", error.ToString(), StringComparison.Ordinal);
    }
}
