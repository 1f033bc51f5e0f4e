using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Updates;
using ProtoBuf;

namespace Diagnostics.Cloud.Updates;

public enum PackageInsert
{
    Inserted,
    /// <summary>The same manifest is already in the catalog: publishing again is harmless.</summary>
    AlreadyThere,
    /// <summary>Another manifest has this package id.</summary>
    Conflict,
}

/// <summary>Update packages: the signed manifest as uploaded, a few fields out of it for queries, and the payload's file.</summary>
public sealed class UpdatePackageStore(Database database)
{
    private const string Columns = "signed_manifest, key_id, payload_file, uploaded_at_ms, uploaded_by";

    public async Task<PackageInsert> InsertPackageAsync(UpdatePackage package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        await using var db = await database.BeginAsync(cancellationToken);
        if (await db.QueryFirstOrDefaultAsync<byte[]>("SELECT signed_manifest FROM update_packages WHERE id = @Id;", package, cancellationToken) is { } stored)
            return Decode<SignedManifest>(stored).Manifest.AsSpan().SequenceEqual(package.SignedManifest.Manifest) ? PackageInsert.AlreadyThere : PackageInsert.Conflict;
        var manifest = package.Manifest;
        await db.ExecuteAsync("""
            INSERT INTO update_packages (id, kind, version, models, is_delta, delta_from_version, payload_size, image_size, expires_at_ms, key_id,
                signed_manifest, payload_file, uploaded_at_ms, uploaded_by)
            VALUES (@Id, @kind, @Version, @models, @IsDelta, @DeltaFromVersion, @PayloadSize, @ImageSize, @ExpiresUnixMs, @KeyId, @signed, @PayloadFile, @UploadedAt, @UploadedBy);
            """, new
        {
            package.Id, kind = manifest.Kind, manifest.Version, models = StorageMapping.ToJson(manifest.Models),
            manifest.IsDelta, manifest.DeltaFromVersion, manifest.PayloadSize, manifest.ImageSize, manifest.ExpiresUnixMs, package.KeyId,
            signed = Encode(package.SignedManifest), package.PayloadFile, package.UploadedAt, package.UploadedBy,
        }, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return PackageInsert.Inserted;
    }

    public async Task<UpdatePackage?> GetPackageAsync(string id, CancellationToken cancellationToken) =>
        await WhereAsync("id = @id", new { id }, cancellationToken) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<UpdatePackage>> ListPackagesAsync(CancellationToken cancellationToken) =>
        WhereAsync("1 = 1 ORDER BY uploaded_at_ms DESC", null, cancellationToken);

    /// <summary>Delta packages to <paramref name="version"/>; the caller picks the one for the device's model and version.</summary>
    public Task<IReadOnlyList<UpdatePackage>> DeltasToAsync(string version, CancellationToken cancellationToken) =>
        WhereAsync("version = @version AND is_delta = TRUE", new { version }, cancellationToken);

    private async Task<IReadOnlyList<UpdatePackage>> WhereAsync(string condition, object? parameters, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<PackageRow>($"SELECT {Columns} FROM update_packages WHERE {condition};", parameters, cancellationToken)).Select(row =>
        {
            var signedManifest = Decode<SignedManifest>(row.SignedManifest);
            // Stored only after it verified; decoding it again cannot fail unless the file was edited by hand.
            var manifest = PackageArchive.TryDecodeUnverified(signedManifest, out var error) ?? throw new InvalidDataException($"stored package manifest: {error}");
            return new UpdatePackage(manifest, signedManifest, row.KeyId, row.PayloadFile, row.UploadedAt, row.UploadedBy);
        })];

    private sealed record PackageRow(byte[] SignedManifest, string KeyId, string PayloadFile, DateTimeOffset UploadedAt, string UploadedBy);

    private static byte[] Encode<T>(T value)
    {
        using var stream = new MemoryStream();
        Serializer.Serialize(stream, value);
        return stream.ToArray();
    }

    private static T Decode<T>(byte[] bytes) => Serializer.Deserialize<T>(bytes.AsSpan());
}
