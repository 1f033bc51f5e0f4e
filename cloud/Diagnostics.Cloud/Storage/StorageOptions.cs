using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Storage;

/// <summary>The database engine every store keeps its tables in.</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file (WAL): the single-machine default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, for many cloud instances on one store.</summary>
    PostgreSQL,
}

/// <summary>Which database the cloud stores in and where it is. Section <c>Storage</c>.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// Where the cloud keeps what it stores on disk when nothing says otherwise: the user's local application data
    /// (<c>~/.local/share/diagnostics</c> on Linux, <c>%LOCALAPPDATA%\diagnostics</c> on Windows), so <c>dotnet run</c>
    /// finds the same data from whichever directory it is started.
    /// </summary>
    public static string DefaultDataFolder { get; } = System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } local
            ? local
            : AppContext.BaseDirectory,
        "diagnostics");

    /// <summary>
    /// Path of the SQLite file (default <c>diagnostics.db</c> in <see cref="DefaultDataFolder"/>); a relative path given
    /// here is relative to the working directory. With PostgreSQL it still places what the cloud keeps beside its store
    /// on disk (certificates, packages, the demo fleet) unless those have paths of their own.
    /// </summary>
    [Required]
    public string Path { get; set; } = System.IO.Path.Combine(DefaultDataFolder, "diagnostics.db");

    /// <summary>The folder of <see cref="Path"/>: where certificates, packages and the demo fleet go by default.</summary>
    public string DataFolder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".";

    /// <summary>The Npgsql connection string of the PostgreSQL database (<c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// PostgreSQL: the telemetry table is partitioned by device time into ranges of this many days (aligned to the Unix
    /// epoch). Set it before the first start; partitions already made keep their width.
    /// </summary>
    [Range(1, 366)]
    public int TelemetryPartitionDays { get; set; } = 7;

    /// <summary>
    /// PostgreSQL: telemetry older than this many days is dropped a whole partition at a time; 0 keeps everything.
    /// SQLite keeps all telemetry (a setting here is refused at start).
    /// </summary>
    [Range(0, 36500)]
    public int TelemetryRetentionDays { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == StorageProvider.Sqlite && TelemetryRetentionDays > 0)
            yield return new ValidationResult("Storage:TelemetryRetentionDays drops PostgreSQL partitions; SQLite keeps all telemetry.", [nameof(TelemetryRetentionDays)]);
        if (Provider == StorageProvider.PostgreSQL && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Storage:Provider=PostgreSQL needs Storage:ConnectionString.", [nameof(ConnectionString)]);
        if (!Enum.IsDefined(Provider))
            yield return new ValidationResult("Storage:Provider is Sqlite or PostgreSQL.", [nameof(Provider)]);
    }
}
