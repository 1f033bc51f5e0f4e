using System.Buffers.Binary;
using System.Text;

namespace Diagnostics.Testing;

/// <summary>How much one release changes from the one before it.</summary>
/// <param name="ChangedFunctions">Share of functions whose body is edited (a few instructions replaced, added or removed).</param>
/// <param name="InsertedCode">New code, as a share of the existing code, added as new functions at a few places in the middle.</param>
/// <param name="InsertionPoints">Places the new functions go; every function after the first one moves.</param>
/// <param name="EditedStrings">Share of strings reworded; as many again are added.</param>
/// <param name="ReplacedResources">Resources (images, fonts, compressed blobs) replaced by new content, picked at random.</param>
/// <param name="ReplaceLargestResource">Also replace the largest resource (a new font, a new boot logo).</param>
public sealed record ReleaseChanges(double ChangedFunctions, double InsertedCode, int InsertionPoints, double EditedStrings, int ReplacedResources,
    bool ReplaceLargestResource = false)
{
    /// <summary>A maintenance release: a few fixes, a little new code, one resource replaced.</summary>
    public static ReleaseChanges Minor { get; } = new(0.02, 0.01, 1, 0.01, 1);

    /// <summary>A feature release: much edited and new code in several places, many strings, several resources.</summary>
    public static ReleaseChanges Major { get; } = new(0.15, 0.08, 6, 0.10, 6);

    /// <summary>A small code fix shipped with a new version of the largest resource.</summary>
    public static ReleaseChanges ResourceReplaced { get; } = new(0.01, 0.005, 1, 0.005, 0, ReplaceLargestResource: true);

    /// <summary>Whether the release counts as a new minor version (2.4 → 2.5) rather than a patch (2.4.1 → 2.4.2).</summary>
    public bool IsFeatureRelease => InsertionPoints > 1 || ChangedFunctions >= 0.1;
}

/// <summary>
/// Seeded firmware images that change from release to release the way real ones do, for delta tests and the
/// delta-size measurement. An image is a header, a code section of functions made of 4-byte instruction words with
/// pc-relative branches and calls and literal pools of absolute addresses, a string table, resource blobs that are
/// already compressed (incompressible) and padding between sections. Inserting code moves every later function and
/// the sections after the code, so calls across the insertion and absolute addresses change all over the image, as
/// they do in real releases.
/// </summary>
public sealed class FirmwareImage
{
    internal FirmwareImage(string version, List<Function> functions, List<string> strings, List<byte[]> resources)
    {
        Version = version;
        Functions = functions;
        Strings = strings;
        Resources = resources;
        Bytes = FirmwareImages.Render(this);
    }

    public string Version { get; }

    /// <summary>The image as it is flashed.</summary>
    public byte[] Bytes { get; }

    internal List<Function> Functions { get; }
    internal List<string> Strings { get; }
    internal List<byte[]> Resources { get; }

    internal enum Op : byte
    {
        /// <summary>An arithmetic, load or store word: <see cref="Instruction.Value"/> as it is.</summary>
        Plain,
        /// <summary>A branch inside the function: <see cref="Instruction.Value"/> is the target instruction's index.</summary>
        Branch,
        /// <summary>A call: <see cref="Instruction.Value"/> is the function's index.</summary>
        Call,
        /// <summary>A load from the literal pool: <see cref="Instruction.Value"/> is the literal's index.</summary>
        LoadLiteral,
    }

    internal enum LiteralKind : byte
    {
        Constant,
        FunctionAddress,
        StringAddress,
    }

    internal readonly record struct Instruction(Op Op, uint Value, byte Register);

    internal readonly record struct Literal(LiteralKind Kind, uint Value);

    internal sealed record Function(List<Instruction> Code, List<Literal> Literals);
}

/// <summary>Makes <see cref="FirmwareImage"/>s and their next releases; everything follows from the seeds.</summary>
public static class FirmwareImages
{
    private const uint LoadAddress = 0x0800_0000;
    private const int HeaderBytes = 4096;
    private const int SectionAlignment = 4096;
    private const byte Erased = 0xFF;

    // The same instruction patterns in every release: the compiler did not change.
    private static readonly uint[] Vocabulary = MakeVocabulary();

    private static readonly string[] Words =
    [
        "paper", "jam", "tray", "toner", "cartridge", "fuser", "drum", "door", "cover", "open", "closed", "error", "warning",
        "printer", "scanner", "network", "wifi", "ethernet", "address", "timeout", "retry", "job", "queue", "page", "duplex",
        "sensor", "motor", "temperature", "low", "empty", "replace", "install", "update", "firmware", "version", "failed",
        "ok", "ready", "sleep", "wake", "calibration", "alignment", "color", "black", "cyan", "magenta", "yellow", "waste",
        "feed", "roller", "output", "input", "bin", "full", "service", "code", "check", "power", "restart", "status",
        "%d", "%s", "0x%08x", "settings", "language", "date", "time", "user", "password", "certificate", "expired",
    ];

    /// <summary>An image of about <paramref name="sizeBytes"/> bytes (at least 64 KiB), version 1.0.0.</summary>
    public static FirmwareImage Create(int sizeBytes, int seed)
    {
        sizeBytes = Math.Max(sizeBytes, 64 * 1024);
        var random = new Random(seed);
        var vocabulary = Vocabulary;
        // A real image's share of each: mostly code, then resources, then strings.
        var codeBytes = sizeBytes * 55L / 100;
        var stringBytes = sizeBytes * 10L / 100;
        var resourceBytes = sizeBytes * 30L / 100;

        var strings = new List<string>();
        for (long total = 0; total < stringBytes;)
        {
            var text = Sentence(random);
            strings.Add(text);
            total += text.Length + 1;
        }
        var resources = new List<byte[]>();
        for (long total = 0; total < resourceBytes;)
        {
            var blob = new byte[(int)Math.Min(resourceBytes - total, random.Next(8 * 1024, Math.Max(16 * 1024, (int)(resourceBytes / 6))))];
            random.NextBytes(blob);
            resources.Add(blob);
            total += blob.Length;
        }
        var functions = new List<FirmwareImage.Function>();
        var estimatedFunctions = (int)(codeBytes / 4 / 60);
        for (long total = 0; total < codeBytes;)
        {
            var function = NewFunction(random, vocabulary, estimatedFunctions, strings.Count);
            functions.Add(function);
            total += (function.Code.Count + function.Literals.Count) * 4;
        }
        // Calls and addresses were drawn from the estimated number of functions; point the few beyond the real one back in.
        foreach (var function in functions)
        {
            for (var i = 0; i < function.Code.Count; i++)
            {
                if (function.Code[i] is { Op: FirmwareImage.Op.Call } call && call.Value >= functions.Count)
                    function.Code[i] = call with { Value = call.Value % (uint)functions.Count };
            }
            for (var i = 0; i < function.Literals.Count; i++)
            {
                if (function.Literals[i] is { Kind: FirmwareImage.LiteralKind.FunctionAddress } literal && literal.Value >= functions.Count)
                    function.Literals[i] = literal with { Value = literal.Value % (uint)functions.Count };
            }
        }
        return new FirmwareImage("1.0.0", functions, strings, resources);
    }

    /// <summary>The release after <paramref name="image"/>: <see cref="ReleaseChanges.Minor"/> unless told otherwise.</summary>
    public static FirmwareImage NextRelease(FirmwareImage image, int seed, ReleaseChanges? changes = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        changes ??= ReleaseChanges.Minor;
        var random = new Random(seed);
        var vocabulary = Vocabulary;
        var functions = image.Functions.Select(f => new FirmwareImage.Function([.. f.Code], [.. f.Literals])).ToList();
        var strings = new List<string>(image.Strings);
        var resources = new List<byte[]>(image.Resources);

        var changed = (int)Math.Ceiling(functions.Count * changes.ChangedFunctions);
        for (var i = 0; i < changed; i++)
            EditFunction(random, vocabulary, functions[random.Next(functions.Count)], functions.Count, strings.Count);

        var existingWords = functions.Sum(f => (long)f.Code.Count + f.Literals.Count);
        var newWords = (long)(existingWords * changes.InsertedCode);
        for (var point = 0; point < changes.InsertionPoints && newWords > 0; point++)
        {
            // New code lands in the middle half of the image, where a feature's module sits between old ones.
            var at = functions.Count / 4 + random.Next(Math.Max(1, functions.Count / 2));
            var inserted = new List<FirmwareImage.Function>();
            for (long words = 0; words < newWords / changes.InsertionPoints;)
            {
                var function = NewFunction(random, vocabulary, functions.Count, strings.Count);
                inserted.Add(function);
                words += function.Code.Count + function.Literals.Count;
            }
            // Calls name functions by index: shift the ones after the insertion so they still call what they called.
            foreach (var function in functions.Concat(inserted))
                RenumberCalls(function, at, inserted.Count);
            functions.InsertRange(at, inserted);
        }

        var edited = (int)Math.Ceiling(strings.Count * changes.EditedStrings);
        for (var i = 0; i < edited; i++)
        {
            strings[random.Next(strings.Count)] = Sentence(random);
            strings.Add(Sentence(random));
        }

        if (changes.ReplaceLargestResource && resources.Count > 0)
        {
            var largest = resources.IndexOf(resources.MaxBy(r => r.Length)!);
            resources[largest] = NewBlob(random, resources[largest].Length);
        }
        for (var i = 0; i < Math.Min(changes.ReplacedResources, resources.Count); i++)
        {
            var which = random.Next(resources.Count);
            // A new picture or font is rarely the same size as the old one.
            resources[which] = NewBlob(random, Math.Max(1024, (int)(resources[which].Length * (0.8 + random.NextDouble() * 0.4))));
        }

        return new FirmwareImage(NextVersion(image.Version, changes), functions, strings, resources);
    }

    internal static byte[] Render(FirmwareImage image)
    {
        // Lay out first: calls and literal addresses need every function's and string's final address.
        var functionOffsets = new int[image.Functions.Count];
        var offset = HeaderBytes;
        for (var i = 0; i < image.Functions.Count; i++)
        {
            functionOffsets[i] = offset;
            offset = Align(offset + (image.Functions[i].Code.Count + image.Functions[i].Literals.Count) * 4, 16);
        }
        var codeEnd = offset;
        var stringsStart = Align(codeEnd, SectionAlignment);
        var stringOffsets = new int[image.Strings.Count];
        offset = stringsStart;
        for (var i = 0; i < image.Strings.Count; i++)
        {
            stringOffsets[i] = offset;
            offset = Align(offset + Encoding.UTF8.GetByteCount(image.Strings[i]) + 1, 4);
        }
        var resourceOffsets = new int[image.Resources.Count];
        offset = Align(offset, SectionAlignment);
        var resourcesStart = offset;
        for (var i = 0; i < image.Resources.Count; i++)
        {
            resourceOffsets[i] = offset;
            offset = Align(offset + image.Resources[i].Length, SectionAlignment);
        }
        var bytes = new byte[offset];
        bytes.AsSpan().Fill(Erased);

        var header = bytes.AsSpan(0, HeaderBytes);
        header[..64].Clear();
        "DXFW"u8.CopyTo(header);
        Encoding.ASCII.GetBytes(image.Version, header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)codeEnd);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)stringsStart);
        BinaryPrimitives.WriteUInt32LittleEndian(header[32..], (uint)resourcesStart);
        BinaryPrimitives.WriteUInt32LittleEndian(header[36..], (uint)image.Functions.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)image.Resources.Count);
        // The resource directory: offset and length of each, as a boot loader would read them.
        var directory = header[64..];
        for (var i = 0; i < image.Resources.Count && (i + 1) * 8 <= directory.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(directory[(i * 8)..], (uint)resourceOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(directory[(i * 8 + 4)..], (uint)image.Resources[i].Length);
        }

        for (var f = 0; f < image.Functions.Count; f++)
        {
            var function = image.Functions[f];
            var start = functionOffsets[f];
            var literalsStart = start + function.Code.Count * 4;
            for (var i = 0; i < function.Code.Count; i++)
            {
                var at = start + i * 4;
                var instruction = function.Code[i];
                var word = instruction.Op switch
                {
                    FirmwareImage.Op.Plain => instruction.Value,
                    // Like ARM's B and BL: the opcode and a signed word offset from the instruction.
                    FirmwareImage.Op.Branch => 0x1A00_0000u | (instruction.Register & 0xFu) << 20 | ((uint)((int)instruction.Value - i) & 0xFFFFF),
                    FirmwareImage.Op.Call => 0xEB00_0000u | ((uint)((functionOffsets[(int)instruction.Value] - at) / 4) & 0xFF_FFFF),
                    _ => 0xE59F_0000u | (instruction.Register & 0xFu) << 12 | (uint)(literalsStart + (int)instruction.Value * 4 - at - 8) & 0xFFF,
                };
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), word);
            }
            for (var i = 0; i < function.Literals.Count; i++)
            {
                var literal = function.Literals[i];
                var value = literal.Kind switch
                {
                    FirmwareImage.LiteralKind.FunctionAddress => LoadAddress + (uint)functionOffsets[(int)literal.Value],
                    FirmwareImage.LiteralKind.StringAddress => LoadAddress + (uint)stringOffsets[(int)literal.Value],
                    _ => literal.Value,
                };
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(literalsStart + i * 4), value);
            }
        }
        for (var i = 0; i < image.Strings.Count; i++)
        {
            var length = Encoding.UTF8.GetBytes(image.Strings[i], bytes.AsSpan(stringOffsets[i]));
            bytes.AsSpan(stringOffsets[i] + length, Align(length + 1, 4) - length).Clear();
        }
        for (var i = 0; i < image.Resources.Count; i++)
            image.Resources[i].CopyTo(bytes.AsSpan(resourceOffsets[i]));
        return bytes;
    }

    private static FirmwareImage.Function NewFunction(Random random, uint[] vocabulary, int functionCount, int stringCount)
    {
        // Most functions are short, a few are long, as compiled code is.
        var length = 8 + (int)(random.NextDouble() * random.NextDouble() * 200);
        var literals = new List<FirmwareImage.Literal>();
        var code = new List<FirmwareImage.Instruction>(length);
        for (var i = 0; i < length; i++)
            code.Add(NewInstruction(random, vocabulary, length, functionCount, stringCount, literals));
        return new FirmwareImage.Function(code, literals);
    }

    private static FirmwareImage.Instruction NewInstruction(Random random, uint[] vocabulary, int length, int functionCount, int stringCount, List<FirmwareImage.Literal> literals)
    {
        var roll = random.Next(100);
        if (roll < 8)
            return new(FirmwareImage.Op.Branch, (uint)random.Next(length), (byte)random.Next(15));
        if (roll < 14 && functionCount > 0)
            return new(FirmwareImage.Op.Call, (uint)random.Next(functionCount), 0);
        if (roll < 20 && literals.Count < 1000)
        {
            var kind = random.Next(3) switch
            {
                0 when functionCount > 0 => FirmwareImage.LiteralKind.FunctionAddress,
                1 when stringCount > 0 => FirmwareImage.LiteralKind.StringAddress,
                _ => FirmwareImage.LiteralKind.Constant,
            };
            var value = kind switch
            {
                FirmwareImage.LiteralKind.FunctionAddress => (uint)random.Next(functionCount),
                FirmwareImage.LiteralKind.StringAddress => (uint)random.Next(stringCount),
                _ => (uint)random.Next(),
            };
            literals.Add(new(kind, value));
            return new(FirmwareImage.Op.LoadLiteral, (uint)(literals.Count - 1), (byte)random.Next(13));
        }
        // Compilers use few instruction patterns a lot and many rarely: skew the choice towards the first ones.
        var pick = random.NextDouble();
        return new(FirmwareImage.Op.Plain, vocabulary[(int)(pick * pick * pick * vocabulary.Length)], 0);
    }

    private static void EditFunction(Random random, uint[] vocabulary, FirmwareImage.Function function, int functionCount, int stringCount)
    {
        var edits = 1 + random.Next(6);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(function.Code.Count);
            switch (random.Next(3))
            {
                case 0:
                    function.Code[at] = NewInstruction(random, vocabulary, function.Code.Count, functionCount, stringCount, function.Literals);
                    break;
                case 1:
                    for (var i = random.Next(1, 8); i > 0; i--)
                        function.Code.Insert(at, NewInstruction(random, vocabulary, function.Code.Count, functionCount, stringCount, function.Literals));
                    break;
                default:
                    if (function.Code.Count > 4)
                        function.Code.RemoveAt(at);
                    break;
            }
        }
        // Branches name instructions by index; keep them inside the edited function.
        for (var i = 0; i < function.Code.Count; i++)
        {
            if (function.Code[i] is { Op: FirmwareImage.Op.Branch } branch && branch.Value >= function.Code.Count)
                function.Code[i] = branch with { Value = (uint)(function.Code.Count - 1) };
        }
    }

    private static void RenumberCalls(FirmwareImage.Function function, int at, int inserted)
    {
        for (var i = 0; i < function.Code.Count; i++)
        {
            if (function.Code[i] is { Op: FirmwareImage.Op.Call } call && call.Value >= at)
                function.Code[i] = call with { Value = call.Value + (uint)inserted };
        }
        for (var i = 0; i < function.Literals.Count; i++)
        {
            if (function.Literals[i] is { Kind: FirmwareImage.LiteralKind.FunctionAddress } literal && literal.Value >= at)
                function.Literals[i] = literal with { Value = literal.Value + (uint)inserted };
        }
    }

    private static uint[] MakeVocabulary()
    {
        var random = new Random(4096);
        var words = new uint[4096];
        for (var i = 0; i < words.Length; i++)
            words[i] = (uint)random.Next() << 1 | (uint)random.Next(2);
        return words;
    }

    private static string Sentence(Random random)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(3, 12); i > 0; i--)
        {
            if (builder.Length > 0)
                builder.Append(' ');
            builder.Append(Words[random.Next(Words.Length)]);
        }
        return builder.ToString();
    }

    private static byte[] NewBlob(Random random, int length)
    {
        var blob = new byte[length];
        random.NextBytes(blob);
        return blob;
    }

    private static string NextVersion(string version, ReleaseChanges changes)
    {
        var parts = version.Split('.').Select(part => int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return changes.IsFeatureRelease
            ? $"{parts[0]}.{parts[1] + 1}.0"
            : $"{parts[0]}.{parts[1]}.{parts[2] + 1}";
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
