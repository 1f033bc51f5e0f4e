namespace Diagnostics.Cloud.Demo;

public static class DemoFleetExtensions
{
    /// <summary>The simulated fleet, off unless <c>Demo:Devices</c> is above zero.</summary>
    public static IHostApplicationBuilder AddDemoFleet(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DemoFleetOptions>()
            .BindConfiguration(DemoFleetOptions.Section)
            .Validate(o => o.Devices is >= 0 and <= 10_000, "Demo:Devices must be 0..10000.")
            .Validate(o => o.TimeScale > 0, "Demo:TimeScale must be above 0.")
            .Validate(o => Accounts.PasswordPolicy.Check(o.AccountPassword, email: null) == Accounts.PasswordWeakness.None,
                $"Demo:AccountPassword must pass the password policy (at least {Accounts.PasswordPolicy.MinimumLength} characters, not a common password).")
            .ValidateOnStart();
        // The demo's release key is trusted like a maker's: the cloud takes its packages and the simulated printers pin it.
        if (builder.Configuration.GetValue<int>($"{DemoFleetOptions.Section}:{nameof(DemoFleetOptions.Devices)}") > 0)
        {
            var storage = builder.Configuration.GetSection(Storage.StorageOptions.SectionName).Get<Storage.StorageOptions>() ?? new();
            var directory = (builder.Configuration.GetSection(DemoFleetOptions.Section).Get<DemoFleetOptions>() ?? new()).ResolveDataDirectory(storage.Path);
            builder.Services.PostConfigure<Updates.UpdateOptions>(updates => updates.TrustedKeys.Add(DemoReleases.EnsureKey(directory)));
        }
        // After the broker in registration order: hosted services start in order, so the broker listens first.
        builder.Services.AddHostedService<DemoAccounts>();
        builder.Services.AddHostedService<DemoFleetHost>();
        return builder;
    }
}
