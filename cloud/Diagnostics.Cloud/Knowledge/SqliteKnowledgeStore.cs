using System.Globalization;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Knowledge;

internal sealed class SqliteKnowledgeStore(SqliteConnectionFactory connections) : IKnowledgeStore
{
    private const string VersionColumns = "article_id, version, markdown, content_hash, author, origin, created_at_ms, published_at_ms";

    public async Task<(ImportOutcome Outcome, int Version)> ImportAsync(
        string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var head = await HeadAsync(connection, transaction, articleId, cancellationToken);
        if (head?.PublishedVersion is { } published
            && await HashOfAsync(connection, transaction, articleId, published, cancellationToken) == contentHash)
        {
            return (ImportOutcome.Unchanged, published);
        }
        var version = await NextVersionAsync(connection, transaction, articleId, cancellationToken);
        await InsertVersionAsync(connection, transaction, articleId, version, markdown, contentHash, author, ArticleOrigin.Import, at, publishedAt: at, cancellationToken);
        await PointAtAsync(connection, transaction, articleId, "published_version", version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (head?.PublishedVersion is null ? ImportOutcome.Created : ImportOutcome.Updated, version);
    }

    public async Task<int> SaveDraftAsync(string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var version = await NextVersionAsync(connection, transaction, articleId, cancellationToken);
        await InsertVersionAsync(connection, transaction, articleId, version, markdown, contentHash, author, ArticleOrigin.Edit, at, publishedAt: null, cancellationToken);
        await PointAtAsync(connection, transaction, articleId, "draft_version", version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    public async Task<int?> PublishDraftAsync(string articleId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (await HeadAsync(connection, transaction, articleId, cancellationToken) is not { DraftVersion: { } draft })
            return null;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE kb_article_versions SET published_at_ms = $at WHERE article_id = $id AND version = $version;
                UPDATE kb_articles SET published_version = $version, draft_version = NULL WHERE id = $id;
                """;
            command.Parameters.AddWithValue("$id", articleId);
            command.Parameters.AddWithValue("$version", draft);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return draft;
    }

    public async Task<IReadOnlyList<ArticleVersion>> PublishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Prefixed("v")} FROM kb_articles a
            JOIN kb_article_versions v ON v.article_id = a.id AND v.version = a.published_version
            ORDER BY a.id;
            """;
        return await ReadVersionsAsync(command, withText: true, cancellationToken);
    }

    public async Task<IReadOnlyList<ArticleHead>> HeadsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, published_version, draft_version FROM kb_articles ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var heads = new List<ArticleHead>();
        while (await reader.ReadAsync(cancellationToken))
            heads.Add(ReadHead(reader));
        return heads;
    }

    public async Task<ArticleHead?> HeadAsync(string articleId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await HeadAsync(connection, null, articleId, cancellationToken);
    }

    public async Task<ArticleVersion?> VersionAsync(string articleId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM kb_article_versions WHERE article_id = $id AND version = $version;";
        command.Parameters.AddWithValue("$id", articleId);
        command.Parameters.AddWithValue("$version", version);
        return (await ReadVersionsAsync(command, withText: true, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<ArticleVersion>> HistoryAsync(string articleId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM kb_article_versions WHERE article_id = $id ORDER BY version DESC;";
        command.Parameters.AddWithValue("$id", articleId);
        return await ReadVersionsAsync(command, withText: false, cancellationToken);
    }

    public async Task RecordOutcomeAsync(string articleId, string model, bool verified, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = verified
            ? "INSERT INTO kb_outcomes (article_id, model, verified) VALUES ($id, $model, 1) ON CONFLICT (article_id, model) DO UPDATE SET verified = verified + 1;"
            : "INSERT INTO kb_outcomes (article_id, model, failed) VALUES ($id, $model, 1) ON CONFLICT (article_id, model) DO UPDATE SET failed = failed + 1;";
        command.Parameters.AddWithValue("$id", articleId);
        command.Parameters.AddWithValue("$model", model);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ArticleOutcomes>> OutcomesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT article_id, model, verified, failed FROM kb_outcomes;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var outcomes = new List<ArticleOutcomes>();
        while (await reader.ReadAsync(cancellationToken))
            outcomes.Add(new ArticleOutcomes(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        return outcomes;
    }

    private static async Task<ArticleHead?> HeadAsync(SqliteConnection connection, SqliteTransaction? transaction, string articleId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, published_version, draft_version FROM kb_articles WHERE id = $id;";
        command.Parameters.AddWithValue("$id", articleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadHead(reader) : null;
    }

    private static ArticleHead ReadHead(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetInt32(1),
        reader.IsDBNull(2) ? null : reader.GetInt32(2));

    /// <summary>Points the article's published or draft version at <paramref name="version"/>, creating the article if it is new.</summary>
    private static async Task PointAtAsync(SqliteConnection connection, SqliteTransaction transaction, string articleId, string pointer, int version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The column name is one of the two literals the callers pass, never input.
        command.CommandText = $"INSERT INTO kb_articles (id, {pointer}) VALUES ($id, $version) ON CONFLICT (id) DO UPDATE SET {pointer} = excluded.{pointer};";
        command.Parameters.AddWithValue("$id", articleId);
        command.Parameters.AddWithValue("$version", version);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string?> HashOfAsync(SqliteConnection connection, SqliteTransaction transaction, string articleId, int version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT content_hash FROM kb_article_versions WHERE article_id = $id AND version = $version;";
        command.Parameters.AddWithValue("$id", articleId);
        command.Parameters.AddWithValue("$version", version);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task<int> NextVersionAsync(SqliteConnection connection, SqliteTransaction transaction, string articleId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) + 1 FROM kb_article_versions WHERE article_id = $id;";
        command.Parameters.AddWithValue("$id", articleId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task InsertVersionAsync(
        SqliteConnection connection, SqliteTransaction transaction, string articleId, int version, string markdown, string contentHash,
        string author, ArticleOrigin origin, DateTimeOffset at, DateTimeOffset? publishedAt, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO kb_article_versions ({VersionColumns})
            VALUES ($id, $version, $markdown, $hash, $author, $origin, $at, $published);
            """;
        command.Parameters.AddWithValue("$id", articleId);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$markdown", markdown);
        command.Parameters.AddWithValue("$hash", contentHash);
        command.Parameters.AddWithValue("$author", author);
        command.Parameters.AddWithValue("$origin", origin.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$published", publishedAt is { } p ? p.ToUnixTimeMilliseconds() : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<ArticleVersion>> ReadVersionsAsync(SqliteCommand command, bool withText, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<ArticleVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new ArticleVersion(
                reader.GetString(0),
                reader.GetInt32(1),
                withText ? reader.GetString(2) : "",
                reader.GetString(3),
                reader.GetString(4),
                Enum.Parse<ArticleOrigin>(reader.GetString(5), ignoreCase: true),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }
        return versions;
    }

    private static string Prefixed(string alias) => Schema.Qualified(VersionColumns, alias);
}
