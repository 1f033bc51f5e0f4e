namespace Diagnostics.Cloud.Storage;

/// <summary>Helpers for the SQL the stores write; the tables themselves are each capability's <see cref="SchemaMigration"/>s.</summary>
internal static class Schema
{
    /// <summary>A store's column list ("a, b") with a table alias on each ("t.a, t.b"), for joins.</summary>
    public static string Qualified(string columns, string alias) => string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));
}
