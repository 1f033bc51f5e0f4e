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

    public static readonly SqlDialect Postgres = new PostgresDialect();

    /// <summary>The dialect of an engine by FluentMigrator's name for it (<c>SQLite</c>, <c>Postgres</c>, <c>Postgres11_0</c>).</summary>
    public static SqlDialect ForEngine(string name) =>
        string.Equals(name, Sqlite.Name, StringComparison.OrdinalIgnoreCase) ? Sqlite
        : name.StartsWith(Postgres.Name, StringComparison.OrdinalIgnoreCase) ? Postgres
        : throw new NotSupportedException($"No SQL dialect for the database engine '{name}'.");

    /// <summary>The engine's name as FluentMigrator's processors know it (<c>SQLite</c>, <c>Postgres</c>).</summary>
    public abstract string Name { get; }

    public abstract StorageProvider Provider { get; }

    /// <summary>Case-insensitive <c>LIKE</c> for the search boxes: SQLite's <c>LIKE</c> already ignores ASCII case, PostgreSQL's does not.</summary>
    public abstract string LikeIgnoringCase { get; }

    /// <summary>
    /// <c>expression IN @list</c>. Dapper expands a list parameter into one parameter per item on SQLite; with Npgsql it
    /// passes the list as one array, which PostgreSQL compares with <c>= ANY</c> (pass an array or a <c>List&lt;T&gt;</c>).
    /// </summary>
    public abstract string InList(string expression, string listParameter);

    /// <summary><c>expression NOT IN @list</c>, with the same list parameter as <see cref="InList"/>; true for an empty list on both.</summary>
    public abstract string NotInList(string expression, string listParameter);

    /// <summary>The larger of two values in one row: SQLite's two-argument <c>MAX</c>, PostgreSQL's <c>GREATEST</c>.</summary>
    public abstract string Greatest(string left, string right);

    /// <summary>
    /// A text column compared and kept unique without regard to case (e-mail addresses): SQLite's <c>NOCASE</c>
    /// collation; plain text on PostgreSQL, compared through <see cref="IgnoringCase"/>.
    /// </summary>
    public abstract string CaseInsensitiveTextType { get; }

    /// <summary>
    /// An expression compared (or indexed) without regard to case: as it is on SQLite, where the column's collation
    /// does it; <c>lower(…)</c> on PostgreSQL, on both sides and in the unique index.
    /// </summary>
    public abstract string IgnoringCase(string expression);

    /// <summary>
    /// A statement that makes the rest of the transaction the only writer appending to <paramref name="table"/> until it
    /// commits (the audit trail numbers and chains each record from the one before). SQLite's write transactions are
    /// already one at a time (<c>BEGIN IMMEDIATE</c>); PostgreSQL takes a table lock that only writers wait for.
    /// </summary>
    public abstract string SerializeAppendsTo(string table);

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Name => "SQLite";

        public override StorageProvider Provider => StorageProvider.Sqlite;

        public override string LikeIgnoringCase => "LIKE";

        public override string InList(string expression, string listParameter) => $"{expression} IN {listParameter}";

        public override string NotInList(string expression, string listParameter) => $"{expression} NOT IN {listParameter}";

        public override string Greatest(string left, string right) => $"MAX({left}, {right})";

        public override string CaseInsensitiveTextType => "TEXT COLLATE NOCASE";

        public override string IgnoringCase(string expression) => expression;

        public override string SerializeAppendsTo(string table) => "";
    }

    private sealed class PostgresDialect : SqlDialect
    {
        public override string Name => "Postgres";

        public override StorageProvider Provider => StorageProvider.PostgreSQL;

        public override string LikeIgnoringCase => "ILIKE";

        public override string InList(string expression, string listParameter) => $"{expression} = ANY({listParameter})";

        public override string NotInList(string expression, string listParameter) => $"{expression} <> ALL({listParameter})";

        public override string Greatest(string left, string right) => $"GREATEST({left}, {right})";

        public override string CaseInsensitiveTextType => "text";

        public override string IgnoringCase(string expression) => $"lower({expression})";

        // SHARE ROW EXCLUSIVE conflicts with itself and with every write, never with reads.
        public override string SerializeAppendsTo(string table) => $"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;";
    }
}
