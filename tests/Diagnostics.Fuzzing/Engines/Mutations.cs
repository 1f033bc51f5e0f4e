using System.Buffers.Binary;
using CsCheck;

namespace Diagnostics.Fuzzing.Engines;

/// <summary>
/// Inputs made the way AFL's havoc stage makes them, as a CsCheck generator: a real input (a seed) with one to eight
/// mutations stacked (bit flips, random and boundary bytes and integers, deleted, duplicated and inserted runs, a cut,
/// a splice with another seed), and now and then plain noise. Deterministic for a given PCG seed, and CsCheck shrinks
/// a failing one towards fewer, smaller mutations.
/// </summary>
public static class Mutations
{
    private static readonly byte[] BoundaryBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF];
    private static readonly ushort[] BoundaryShorts = [0x0000, 0x0080, 0x00FF, 0x7FFF, 0x8000, 0xFFFF];
    private static readonly uint[] BoundaryInts = [0, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];

    private readonly record struct Mutation(int Kind, uint Position, uint Amount, byte Value);

    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
            throw new ArgumentException("fuzzing starts from at least one real input", nameof(seeds));
        var mutation = Gen.Select(Gen.Int[0, 10], Gen.UInt, Gen.UInt, Gen.Byte, (kind, position, amount, value) => new Mutation(kind, position, amount, value));
        var mutated = Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[1, 8], (index, mutations) => Apply(seeds, index, mutations));
        return Gen.Frequency((19, mutated), (1, Gen.Byte.Array[0, 512]));
    }

    private static byte[] Apply(IReadOnlyList<byte[]> seeds, int index, Mutation[] mutations)
    {
        var bytes = new List<byte>(seeds[index]);
        foreach (var m in mutations)
        {
            if (bytes.Count == 0)
            {
                bytes.Add(m.Value);
                continue;
            }
            var at = (int)(m.Position % (uint)bytes.Count);
            var run = 1 + (int)(m.Amount % (uint)Math.Min(bytes.Count - at, 64));
            switch (m.Kind)
            {
                case 0:
                    bytes[at] ^= (byte)(1 << (m.Value & 7));
                    break;
                case 1:
                    bytes[at] = m.Value;
                    break;
                case 2:
                    bytes[at] = BoundaryBytes[m.Amount % (uint)BoundaryBytes.Length];
                    break;
                case 3:
                    WriteAt(bytes, at, BoundaryShorts[m.Amount % (uint)BoundaryShorts.Length], 2, bigEndian: (m.Value & 1) == 0);
                    break;
                case 4:
                    WriteAt(bytes, at, BoundaryInts[m.Amount % (uint)BoundaryInts.Length], 4, bigEndian: (m.Value & 1) == 0);
                    break;
                case 5:
                    bytes.RemoveRange(at, run);
                    break;
                case 6:
                    bytes.InsertRange(at, bytes.GetRange(at, run));
                    break;
                case 7:
                    bytes.InsertRange(at, Enumerable.Repeat(m.Value, run));
                    break;
                case 8:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 9:
                    var other = seeds[(int)(m.Amount % (uint)seeds.Count)];
                    var from = other.Length == 0 ? 0 : (int)(m.Position % (uint)other.Length);
                    bytes.RemoveRange(at, bytes.Count - at);
                    bytes.AddRange(other.AsSpan(from).ToArray());
                    break;
                default:
                    // Adds or subtracts a little from a byte: lengths and counts one off.
                    bytes[at] = (byte)(bytes[at] + (sbyte)((m.Value % 35) - 17));
                    break;
            }
        }
        return [.. bytes];
    }

    private static void WriteAt(List<byte> bytes, int at, uint value, int width, bool bigEndian)
    {
        Span<byte> encoded = stackalloc byte[4];
        if (bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(encoded, value << (8 * (4 - width)));
        else
            BinaryPrimitives.WriteUInt32LittleEndian(encoded, value);
        for (var i = 0; i < width && at + i < bytes.Count; i++)
            bytes[at + i] = encoded[i];
    }
}
