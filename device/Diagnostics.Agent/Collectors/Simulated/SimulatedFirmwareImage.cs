using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diagnostics.Agent.Collectors.Simulated;

/// <summary>
/// The firmware image a simulated printer boots: the line <c>DXSIMFW1</c>, one line of JSON
/// (<c>{"version":"2.3.0","model":"Acme LaserPro 400","faults":["engine-error"]}</c>), then filler bytes that look like
/// code. The cloud's demo and tests make releases with <see cref="Create"/>, sign them like real firmware, and the
/// printer behaves as the header says once it has rebooted into the image (see <see cref="KnownFaults"/>).
/// </summary>
/// <remarks>
/// The filler depends on the seed and the offset only, so two versions made with the same seed differ in their first
/// bytes alone: a delta between them is tiny, as between two builds of one code base.
/// </remarks>
public sealed partial record SimulatedFirmwareImage(string Version, string Model, IReadOnlyList<string> Faults)
{
    public const string Magic = "DXSIMFW1";

    /// <summary>The header (magic and JSON line) is at most this long; the rest of an image is filler.</summary>
    public const int MaxHeaderBytes = 4096;

    /// <summary>The new firmware's fuser bug: the printer raises <c>acme:50.1</c> FUSER_FAULT again and again (it passes a short health check).</summary>
    public const string FuserFault = "fuser-fault";

    /// <summary>The engine controller rejects the firmware: <c>acme:10.1</c> HARDWARE_FAULT from boot on, so the health check fails.</summary>
    public const string EngineError = "engine-error";

    /// <summary>The printer stops answering after booting it: every read fails, so the health check fails.</summary>
    public const string Unresponsive = "unresponsive";

    public static readonly FrozenSet<string> KnownFaults = new[] { FuserFault, EngineError, Unresponsive }.ToFrozenSet(StringComparer.Ordinal);


    // A few 32-bit words a Thumb-2 compiler emits a lot of (push/pop, mov, bl, ldr, nop): filler made of them
    // compresses and diffs like code, not like noise.
    private static readonly uint[] CodeWords = [0xB5F0B082, 0xBDF0B002, 0x46684619, 0xF000F800, 0x68004770, 0xBF00BF00, 0x2000E7FE, 0x4B024A01, 0x60186819, 0xE92D4FF0];

    /// <summary>
    /// The seed of the factory image a simulated printer of <paramref name="model"/> starts from (the same on every
    /// run): releases made with it differ from the factory image only in their header, so deltas to them are small.
    /// </summary>
    public static int FactorySeed(string model) => CollectorCatalog.StableSeed(model);

    public bool Has(string fault) => Faults.Contains(fault, StringComparer.Ordinal);

    /// <summary>An image of exactly <paramref name="size"/> bytes for <paramref name="model"/> running <paramref name="version"/>, with planted faults.</summary>
    /// <param name="faults">Any of <see cref="KnownFaults"/>; empty for a good release.</param>
    /// <param name="seed">Chooses the filler; keep it across versions to get small deltas.</param>
    public static byte[] Create(string version, string model, IEnumerable<string> faults, int size, int seed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(faults);
        var planted = faults.ToList();
        if (planted.FirstOrDefault(f => !KnownFaults.Contains(f)) is { } unknown)
            throw new ArgumentException($"unknown fault '{unknown}' (known: {string.Join(", ", KnownFaults.Order(StringComparer.Ordinal))})", nameof(faults));
        var header = Encoding.UTF8.GetBytes(Magic + "\n" + JsonSerializer.Serialize(new Header(version, model, planted), HeaderJson.Default.Header) + "\n");
        if (header.Length > MaxHeaderBytes)
            throw new ArgumentException($"the header is {header.Length} bytes; at most {MaxHeaderBytes}", nameof(faults));
        ArgumentOutOfRangeException.ThrowIfLessThan(size, header.Length);
        var image = new byte[size];
        WriteFiller(image, seed);
        header.CopyTo(image, 0);
        return image;
    }

    /// <summary>Reads the header of an image, or explains why the bytes are not a simulated firmware image.</summary>
    public static SimulatedFirmwareImage? TryRead(ReadOnlySpan<byte> image, out string? error)
    {
        var magic = Encoding.ASCII.GetBytes(Magic + "\n");
        if (!image.StartsWith(magic))
        {
            error = $"not a simulated firmware image: it does not start with {Magic}";
            return null;
        }
        var rest = image[magic.Length..Math.Min(image.Length, MaxHeaderBytes)];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            error = $"the image's header line is missing or longer than {MaxHeaderBytes} bytes";
            return null;
        }
        try
        {
            var header = JsonSerializer.Deserialize(rest[..end], HeaderJson.Default.Header);
            if (header is null || string.IsNullOrWhiteSpace(header.Version) || string.IsNullOrWhiteSpace(header.Model))
            {
                error = "the image's header names no version or model";
                return null;
            }
            error = null;
            return new SimulatedFirmwareImage(header.Version, header.Model, header.Faults ?? []);
        }
        catch (JsonException ex)
        {
            error = "the image's header is not JSON: " + ex.Message;
            return null;
        }
    }

    /// <summary>Reads the header from the start of a stream (an image file); throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static async Task<SimulatedFirmwareImage> ReadAsync(Stream image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await image.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            filled += read;
        return TryRead(buffer.AsSpan(0, filled), out var error) ?? throw new InvalidDataException(error);
    }

    private static void WriteFiller(byte[] image, int seed)
    {
        var random = new Random(seed);
        const int Block = 4096;
        for (var block = 0; block * Block < image.Length; block++)
        {
            var start = block * Block;
            var length = Math.Min(Block, image.Length - start);
            var span = image.AsSpan(start, length);
            for (var i = 0; i + 4 <= span.Length; i += 4)
            {
                // Mostly code words, now and then a literal (an address or a constant).
                var word = random.Next(8) == 0 ? (uint)random.Next() : CodeWords[random.Next(CodeWords.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(span[i..], word);
            }
            var label = Encoding.ASCII.GetBytes($"ACMEFW.sect{block:D5}\0");
            label.AsSpan(0, Math.Min(label.Length, span.Length)).CopyTo(span);
        }
    }

    private sealed record Header(string Version, string Model, List<string>? Faults);

    // Generated at compile time: the agent is published trimmed, with Native AOT.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(Header))]
    private sealed partial class HeaderJson : JsonSerializerContext;
}
