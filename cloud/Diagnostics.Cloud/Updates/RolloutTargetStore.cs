using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Updates;

/// <summary>A device a rollout may target.</summary>
public sealed record UpdateCandidate(string DeviceId, string Model, string Firmware);

/// <summary>What a rollout can target: devices by model, tag or id, and the labels staff give devices ("pilot", "site-berlin").</summary>
public sealed class RolloutTargetStore(Database database)
{
    /// <summary>Devices of the given models (all when empty, any case), with their firmware, optionally limited to tags or ids.</summary>
    public Task<IReadOnlyList<UpdateCandidate>> CandidatesAsync(
        IReadOnlyCollection<string> models, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(deviceIds);
        var where = new List<string> { "1 = 1" };
        if (models.Count > 0)
            where.Add(database.Dialect.InList("lower(model)", "@models"));
        if (tags.Count > 0)
            where.Add($"id IN (SELECT device_id FROM device_tags WHERE {database.Dialect.InList("tag", "@tags")})");
        if (deviceIds.Count > 0)
            where.Add(database.Dialect.InList("id", "@deviceIds"));
        return database.QueryAsync<UpdateCandidate>($"SELECT id AS device_id, model, firmware FROM devices WHERE {string.Join(" AND ", where)} ORDER BY id;",
            new { models = models.Select(m => m.ToLowerInvariant()).ToArray(), tags = tags.ToArray(), deviceIds = deviceIds.ToArray() }, cancellationToken);
    }

    public async Task<UpdateCandidate?> CandidateAsync(string deviceId, CancellationToken cancellationToken) =>
        await CandidatesAsync([], [], [deviceId], cancellationToken) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<string>> TagsAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QueryAsync<string>("SELECT tag FROM device_tags WHERE device_id = @deviceId ORDER BY tag;", new { deviceId }, cancellationToken);

    public async Task SetTagsAsync(string deviceId, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        await using var db = await database.BeginAsync(cancellationToken);
        await db.ExecuteAsync("DELETE FROM device_tags WHERE device_id = @deviceId;", new { deviceId }, cancellationToken);
        // Dapper runs the statement once per tag.
        await db.ExecuteAsync("INSERT INTO device_tags (device_id, tag) VALUES (@deviceId, @tag) ON CONFLICT DO NOTHING;",
            tags.Select(tag => new { deviceId, tag }).ToList(), cancellationToken);
        await db.CommitAsync(cancellationToken);
    }
}
