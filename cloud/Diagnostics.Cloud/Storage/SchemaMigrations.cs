using FluentMigrator.Runner;
using FluentMigrator.Runner.VersionTableInfo;

namespace Diagnostics.Cloud.Storage;

/// <summary>A step of the schema: its version and what it does.</summary>
public sealed record SchemaStep(long Version, string Description);

/// <summary>What a run of the migrations found and did.</summary>
public sealed record SchemaReport(IReadOnlyList<SchemaStep> Applied, IReadOnlyList<SchemaStep> AlreadyThere)
{
    public long Version => Applied.Concat(AlreadyThere).Select(s => s.Version).DefaultIfEmpty(0).Max();
}

/// <summary>
/// Runs every capability's <see cref="SchemaMigration"/>s (FluentMigrator) that the database has not had yet, in
/// version order, each in its own transaction; records them in <c>schema_versions</c>. Runs at start and from
/// <c>storage migrate</c>.
/// </summary>
public static class SchemaMigrations
{
    /// <param name="upToVersion">The last step to run; the newest when null (a test brings a database to an older schema with it).</param>
    public static SchemaReport MigrateUp(SqlDialect dialect, string connectionString, long? upToVersion = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        using var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => (dialect.Provider == StorageProvider.PostgreSQL ? runner.AddPostgres11_0() : runner.AddSQLite())
                .WithGlobalConnectionString(connectionString)
                .WithVersionTable(new SchemaVersionTable())
                .ScanIn(typeof(SchemaMigration).Assembly).For.Migrations())
            .BuildServiceProvider(validateScopes: false);
        using var scope = services.CreateScope();
        var runner = scope.ServiceProvider.GetRequiredService<IMigrationRunner>();
        var versions = scope.ServiceProvider.GetRequiredService<IVersionLoader>();
        var steps = runner.MigrationLoader.LoadMigrations().Values
            .Select(m => new SchemaStep(m.Version, m.Description ?? ""))
            .Where(s => upToVersion is not { } last || s.Version <= last)
            .ToList();
        var before = steps.Where(s => versions.VersionInfo.HasAppliedMigration(s.Version)).ToList();
        if (upToVersion is { } target)
            runner.MigrateUp(target);
        else
            runner.MigrateUp();
        return new SchemaReport([.. steps.Except(before)], before);
    }

    /// <summary>Where the applied steps are recorded: lower-case names, the same on both engines.</summary>
    private sealed class SchemaVersionTable : IVersionTableMetaData
    {
        public bool OwnsSchema => true;

        public string SchemaName => "";

        public string TableName => "schema_versions";

        public string ColumnName => "version";

        public string DescriptionColumnName => "description";

        public string UniqueIndexName => "ux_schema_versions_version";

        public string AppliedOnColumnName => "applied_on";

        public bool CreateWithPrimaryKey => false;
    }
}
