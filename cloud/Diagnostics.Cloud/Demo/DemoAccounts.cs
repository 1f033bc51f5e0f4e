using Diagnostics.Agent.Fleet;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Demo;

/// <summary>
/// Seeds one account per role for the demo and prints them, so a newcomer can sign in to both apps at once; the demo
/// customer already owns the first few simulated printers, and a second customer owns none (to try pairing).
/// </summary>
public sealed partial class DemoAccounts(
    IOptions<DemoFleetOptions> options, AccountService accounts, IAccountStore store, TimeProvider time, ILogger<DemoAccounts> logger)
    : IHostedService
{
    public const string Domain = "demo.test";

    public static readonly IReadOnlyList<(string Email, string Name, AccountRole Role)> People =
    [
        ($"admin@{Domain}", "Ada Admin", AccountRole.Admin),
        ($"supervisor@{Domain}", "Sam Supervisor", AccountRole.Supervisor),
        ($"agent@{Domain}", "Alex Agent", AccountRole.Agent),
        ($"customer@{Domain}", "Chris Customer", AccountRole.Customer),
        ($"customer2@{Domain}", "Casey Customer", AccountRole.Customer),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Devices == 0 && !settings.SeedAccounts)
            return;
        foreach (var (email, name, role) in People)
        {
            var (created, _) = await accounts.CreateAsync(email, name, role, settings.AccountPassword, cancellationToken);
            // Already there from an earlier run: keep it (and whatever it paired since).
            created ??= await accounts.CheckPasswordAsync(email, settings.AccountPassword, cancellationToken);
            LogAccount(email, role, settings.AccountPassword);
            if (created is not null && email.StartsWith("customer@", StringComparison.Ordinal))
                await PairFirstPrintersAsync(created, settings, cancellationToken);
        }
        LogSeeded(People.Count);
    }

    /// <summary>
    /// What the demo customer calls their first printers: the same model three times would otherwise read as three
    /// identical cards and alerts. Printers past these keep no nickname (the app then shows the model and the id).
    /// </summary>
    public static readonly IReadOnlyList<string> Nicknames = ["Office printer", "Reception printer", "Home office printer"];

    private async Task PairFirstPrintersAsync(Account customer, DemoFleetOptions settings, CancellationToken cancellationToken)
    {
        var fleet = new SimulatedFleetOptions { Prefix = settings.Prefix };
        // A name the customer chose in an earlier run stays.
        var named = await store.GetNicknamesAsync(customer.Id, cancellationToken);
        for (var index = 1; index <= Math.Min(settings.PairedWithDemoCustomer, settings.Devices); index++)
        {
            var deviceId = SimulatedFleet.DeviceIdOf(fleet, index);
            await store.ClaimAsync(deviceId, customer.Id, time.GetUtcNow(), cancellationToken);
            if (index <= Nicknames.Count && !named.ContainsKey(deviceId))
                await store.SetNicknameAsync(deviceId, customer.Id, Nicknames[index - 1], cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = DemoEventIds.DemoAccountsSeeded, Level = LogLevel.Information, Message = "Demo account {Email} ({Role}), password {Password}")]
    private partial void LogAccount(string email, AccountRole role, string password);

    [LoggerMessage(EventId = DemoEventIds.DemoAccountsReady, Level = LogLevel.Information, Message = "{Count} demo accounts ready: sign in at /account/login (customers land in the companion app at /app, staff in the dashboard at /dashboard)")]
    private partial void LogSeeded(int count);
}
