using Dapper;
using Diagnostics.Cloud.Demo;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Demo;

/// <summary>The demo accounts seeded by instances that start at the same instant on one empty database.</summary>
public sealed class DemoAccountsTests
{
    [Fact]
    public async Task Two_instances_starting_at_once_on_an_empty_PostgreSQL_database_seed_each_demo_account_once()
    {
        // Several instances on one database is a PostgreSQL deployment; SQLite has one instance.
        await using var database = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        var settings = new Dictionary<string, string?> { ["Demo:SeedAccounts"] = "true" };
        await using var first = new CloudHost(settings: settings, database: database);
        await using var second = new CloudHost(settings: settings, database: database);

        // Each host seeds as it starts (a hosted service): both start at once.
        await Task.WhenAll(Task.Run(() => first.Services), Task.Run(() => second.Services));

        await using var connection = await database.OpenAsync();
        var emails = await connection.QueryAsync<string>("SELECT email FROM accounts;");
        Assert.Equal(DemoAccounts.People.Select(person => person.Email).Order(StringComparer.Ordinal), emails.Order(StringComparer.Ordinal));
        foreach (var host in new[] { first, second })
        {
            Assert.True(host.Logged(DemoEventIds.DemoAccountsReady, $"{DemoAccounts.People.Count} demo accounts ready"));
            // Each instance seeded the same accounts: the demo password signs in on either.
            var customer = await host.Services.GetRequiredService<Diagnostics.Cloud.Accounts.AccountService>()
                .CheckPasswordAsync($"customer@{DemoAccounts.Domain}", new DemoFleetOptions().AccountPassword, TestContext.Current.CancellationToken);
            Assert.NotNull(customer);
        }
    }
}
