namespace Diagnostics.Cloud.Demo;

/// <summary>A simulated fleet of printers run inside the cloud process, so a newcomer sees a living system at once.</summary>
public sealed class DemoFleetOptions
{
    public const string Section = "Demo";

    /// <summary>How many simulated printers to run; 0 (the default) runs none.</summary>
    public int Devices { get; set; }

    /// <summary>Where each simulated device keeps its outbox and credentials; empty (the default) means <c>demo-fleet</c> beside the cloud's own store.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The full path of <see cref="DataDirectory"/>, beside the store whose file is <paramref name="storagePath"/> unless set.</summary>
    public string ResolveDataDirectory(string storagePath) => DataDirectory.Length > 0
        ? Path.GetFullPath(DataDirectory)
        : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storagePath)) ?? ".", "demo-fleet");

    public string Prefix { get; set; } = "sim";

    public int Seed { get; set; } = 1;

    /// <summary>Simulated seconds per real second: the default 10 lets a newcomer see jams and empty trays come and go within a minute.</summary>
    public double TimeScale { get; set; } = 10;

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Seeds the demo accounts (and prints them) even without a simulated fleet; on whenever <see cref="Devices"/> is above zero.</summary>
    public bool SeedAccounts { get; set; }

    /// <summary>The password of every demo account. Demo accounts are for a closed demo, never for production.</summary>
    public string AccountPassword { get; set; } = "diagnostics-demo";

    /// <summary>Who the ready line at start-up tells a person to sign in as.</summary>
    public Http.DemoSignIns SignIns() => new($"agent@{DemoAccounts.Domain}", $"customer@{DemoAccounts.Domain}", AccountPassword);

    /// <summary>How many of the first simulated printers the demo customer has already paired.</summary>
    public int PairedWithDemoCustomer { get; set; } = 3;

    /// <summary>How long a demo printer must stay healthy on a new version before it commits to it.</summary>
    public TimeSpan UpdateHealthCheckStableFor { get; set; } = TimeSpan.FromSeconds(10);
}
