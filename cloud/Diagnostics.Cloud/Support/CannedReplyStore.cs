using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>Replies agents keep for what they write often.</summary>
public sealed class CannedReplyStore(Database database)
{
    public Task<IReadOnlyList<CannedReply>> CannedRepliesAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<CannedReply>("SELECT id, title, body, created_by, created_at_ms, language, topic FROM support_canned_replies ORDER BY title;", null, cancellationToken);

    public Task AddCannedReplyAsync(CannedReply reply, CancellationToken cancellationToken) =>
        database.ExecuteAsync("INSERT INTO support_canned_replies (id, title, body, created_by, created_at_ms, language, topic) VALUES (@Id, @Title, @Body, @CreatedBy, @CreatedAt, @Language, @Topic);",
            reply, cancellationToken);

    public async Task<bool> DeleteCannedReplyAsync(string id, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM support_canned_replies WHERE id = @id;", new { id }, cancellationToken) > 0;
}
