using FluentMigrator;
using FluentMigrator.Builders.Alter.Table;
using FluentMigrator.Builders.Create.Table;
using FluentMigrator.Infrastructure;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// A step in a capability's schema, kept in the capability's folder (<c>Fixes/FixesSchema.cs</c>) and run by
/// <see cref="SchemaMigrations"/> in version order with every other capability's. Versions are the date the step was
/// written and a number (<c>2026_12_06_05</c>), unique across capabilities. Steps only go forward.
/// </summary>
/// <remarks>
/// A capability's first step adopts a database created before migrations existed: it creates each table the database
/// lacks and adds each column a table lacks, as the schema code of the time did at every start, so such a database
/// upgrades in place with its rows.
/// </remarks>
public abstract class SchemaMigration : Migration
{
    private SqlDialect? _dialect;

    /// <summary>What differs between the engines, for the few column types that are not the same on both.</summary>
    protected SqlDialect Dialect => _dialect ?? throw new InvalidOperationException("The dialect is known once the runner asks for the step.");

    public override void GetUpExpressions(IMigrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _dialect = SqlDialect.ForEngine(context.QuerySchema.DatabaseType);
        base.GetUpExpressions(context);
    }

    public override void Down() => throw new NotSupportedException("Schema migrations only go forward; restore a backup to go back.");

    protected bool TableExists(string table) => Schema.Table(table).Exists();

    /// <summary>Creates the table unless the database has it already; answers whether it did.</summary>
    protected bool CreateTableUnlessExists(string table, Action<ICreateTableWithColumnSyntax> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (TableExists(table))
            return false;
        columns(Create.Table(table));
        return true;
    }

    /// <summary>Adds a column an adopted table lacks (a table this step created already has it).</summary>
    protected void AddColumnUnlessExists(string table, string column, Action<IAlterTableColumnAsTypeSyntax> definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!Schema.Table(table).Column(column).Exists())
            definition(Alter.Table(table).AddColumn(column));
    }

    /// <summary>Statements both engines read the same way (<c>CREATE INDEX IF NOT EXISTS … WHERE …</c>).</summary>
    protected void PortableSql(string sql) => Execute.Sql(sql);
}
