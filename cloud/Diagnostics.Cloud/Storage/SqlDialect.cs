namespace Diagnostics.Cloud.Storage;

/// <summary>
/// What the stores' SQL cannot say the same way on SQLite and PostgreSQL. Everything else in a store is one portable
/// statement: <c>@name</c> parameters, <c>ON CONFLICT … DO UPDATE SET x = excluded.x</c> and <c>DO NOTHING</c>,
/// <c>RETURNING</c>, <c>LIMIT</c>, <c>TRUE</c>/<c>FALSE</c>, <c>IS DISTINCT FROM</c> and <c>COALESCE</c> mean the
/// same on both (SQLite 3.39 or later; Microsoft.Data.Sqlite ships a newer one).
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();

    /// <summary>The dialect of an engine by FluentMigrator's name for it.</summary>
    public static SqlDialect ForEngine(string name) =>
        string.Equals(name, Sqlite.Name, StringComparison.OrdinalIgnoreCase)
            ? Sqlite
            : throw new NotSupportedException($"No SQL dialect for the database engine '{name}'.");

    /// <summary>The engine's name as FluentMigrator's processors know it (<c>SQLite</c>, <c>Postgres</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Case-insensitive <c>LIKE</c> for the search boxes: SQLite's <c>LIKE</c> already ignores ASCII case, PostgreSQL's does not.</summary>
    public abstract string LikeIgnoringCase { get; }

    /// <summary>The larger of two values in one row: SQLite's two-argument <c>MAX</c>, PostgreSQL's <c>GREATEST</c>.</summary>
    public abstract string Greatest(string left, string right);

    /// <summary>A text column compared and kept unique without regard to ASCII case (e-mail addresses).</summary>
    public abstract string CaseInsensitiveTextType { get; }

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Name => "SQLite";

        public override string LikeIgnoringCase => "LIKE";

        public override string Greatest(string left, string right) => $"MAX({left}, {right})";

        public override string CaseInsensitiveTextType => "TEXT COLLATE NOCASE";
    }
}
