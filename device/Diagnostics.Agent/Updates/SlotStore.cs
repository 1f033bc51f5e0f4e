using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Diagnostics.Agent.Updates;

/// <summary>What a slot holds: written last, so a slot without it is empty or half written and never booted.</summary>
public sealed record SlotInfo(string Version, string PackageId, long Size, string Sha256, long WrittenUnixMs);

/// <summary>
/// Which slot boots: <see cref="Active"/>; <see cref="Previous"/> is the one it replaced. <see cref="Trial"/> while the
/// active slot has not passed its health check yet (the boot loader's "try once" flag).
/// </summary>
public sealed record BootPointer(string Active, string Previous, bool Trial, long SwitchedUnixMs);

/// <summary>
/// Two firmware slots under <c>{dataDirectory}/slots</c> (<c>a/</c>, <c>b/</c>: <c>image.bin</c> and <c>slot.json</c>)
/// and the pointer <c>boot.json</c> that names the one to boot. An image goes to the slot that is not active (written,
/// flushed, then described), and only then does the pointer switch, atomically: a crash at any moment leaves a pointer
/// to a complete slot. The replaced slot is kept for the rollback.
/// </summary>
public sealed partial class SlotStore
{
    public const string DirectoryName = "slots";
    public const string PointerFileName = "boot.json";
    public const string ImageFileName = "image.bin";
    public const string InfoFileName = "slot.json";
    public const string SlotA = "a";
    public const string SlotB = "b";

    private SlotStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string PointerPath => Path.Combine(Root, PointerFileName);

    public static SlotStore Open(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, DirectoryName);
        Directory.CreateDirectory(Path.Combine(root, SlotA));
        Directory.CreateDirectory(Path.Combine(root, SlotB));
        return new SlotStore(root);
    }

    public static string Other(string slot) => slot == SlotA ? SlotB : SlotA;

    public string ImagePath(string slot) => Path.Combine(Root, slot, ImageFileName);

    /// <summary>The pointer as on disk, or null before the first image was stored.</summary>
    public BootPointer? ReadPointer() => ReadJson(PointerPath, SlotJson.Default.BootPointer) is { Active: SlotA or SlotB } pointer ? pointer : null;

    public SlotInfo? ReadInfo(string slot) => ReadJson(Path.Combine(Root, slot, InfoFileName), SlotJson.Default.SlotInfo);

    /// <summary>The slot an image is written to now: the one not booted.</summary>
    public string Inactive() => ReadPointer() is { } pointer ? Other(pointer.Active) : SlotA;

    /// <summary>
    /// Stores <paramref name="image"/> in <paramref name="slot"/>: the old description goes first (the slot is empty
    /// from then on), the image is written and flushed, then described. The pointer is not touched.
    /// </summary>
    public async Task WriteSlotAsync(string slot, Stream image, SlotInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(info);
        File.Delete(Path.Combine(Root, slot, InfoFileName));
        await AtomicFile.WriteAsync(ImagePath(slot), (target, token) => image.CopyToAsync(target, token), cancellationToken);
        await AtomicFile.WriteAsync(Path.Combine(Root, slot, InfoFileName), JsonSerializer.SerializeToUtf8Bytes(info, SlotJson.Default.SlotInfo), cancellationToken);
    }

    /// <summary>Makes <paramref name="boot"/> what the next boot reads, atomically.</summary>
    public Task SwitchAsync(BootPointer boot, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(PointerPath, JsonSerializer.SerializeToUtf8Bytes(boot, SlotJson.Default.BootPointer), cancellationToken);

    /// <summary>
    /// Whether <paramref name="slot"/> holds a complete image: described, and the image's size and SHA-256 as
    /// described. Null when it does; otherwise why not (a Slot* detail).
    /// </summary>
    public async Task<Protocol.Updates.UpdateDetail?> CheckSlotAsync(string slot, CancellationToken cancellationToken)
    {
        if (ReadInfo(slot) is not { } info)
            return Protocol.Updates.UpdateDetail.SlotIncomplete(slot, InfoFileName);
        if (!File.Exists(ImagePath(slot)))
            return Protocol.Updates.UpdateDetail.SlotNoImage(slot, ImageFileName);
        await using var image = File.OpenRead(ImagePath(slot));
        var (size, sha256) = await Protocol.Updates.ManifestChecks.HashAsync(image, cancellationToken);
        if (size != info.Size || Convert.ToHexStringLower(sha256) != info.Sha256)
            return Protocol.Updates.UpdateDetail.SlotImageAltered(slot, size, Convert.ToHexStringLower(sha256), info.Size, info.Sha256, InfoFileName);
        return null;
    }

    private static T? ReadJson<T>(string path, JsonTypeInfo<T> contract) where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), contract) : null;
        }
        catch (JsonException)
        {
            // Written atomically, so only a person or a broken disk makes this; the caller treats it as missing.
            return null;
        }
    }

    // Generated at compile time: the agent is published trimmed, with Native AOT.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(SlotInfo))]
    [JsonSerializable(typeof(BootPointer))]
    private sealed partial class SlotJson : JsonSerializerContext;
}
