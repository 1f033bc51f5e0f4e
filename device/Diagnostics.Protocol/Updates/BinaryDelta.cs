using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Security.Cryptography;

namespace Diagnostics.Protocol.Updates;

/// <summary>
/// A binary delta from one firmware image to the next: bsdiff's method, with a hash index of the source instead of a
/// suffix array, so that making one for images of a few hundred MB takes both images plus three quarters of the source
/// in memory (a suffix array would take four to eight times the source), and applying one takes a frame.
/// </summary>
/// <remarks>
/// <para>
/// Releases differ in ways exact matching handles badly: code inserted in the middle moves everything after it, so
/// every call and absolute address across the insertion changes by a few bytes. Like bsdiff, the delta therefore
/// stores "approximate matches": a run of the new image is written as the byte-wise difference (new − old) against
/// a run of the old image. Where only addresses changed that difference is almost all zeros and compresses to nearly
/// nothing; what has no counterpart in the old image is stored as it is ("extra" bytes).
/// </para>
/// <para>Format (integers little-endian):</para>
/// <list type="bullet">
/// <item><c>"DXDELTA1"</c> (8 ASCII bytes).</item>
/// <item>Header: source size (int64), source SHA-256 (32 bytes), target size (int64), target SHA-256 (32 bytes).</item>
/// <item>
/// Frames, until their target bytes add up to the target size. Each frame: target bytes (uint32, 1 to
/// <see cref="MaxFrameBytes"/>); control, diff and extra lengths decoded (3 × uint32); the same three compressed
/// (3 × uint32; 0 when the decoded length is 0); then the three Brotli blocks. Frames are independent, so a device
/// applies a delta of any size holding one frame in memory.
/// </item>
/// <item>
/// Control: entries of three LEB128 varints until the block ends: seek (zigzag-signed, added to the source position,
/// which starts at 0), diff length (that many target bytes are source bytes from the source position plus the next
/// diff bytes, and the source position moves past them), extra length (that many target bytes are the next extra
/// bytes). The diff lengths and extra lengths of a frame add up to its target bytes.
/// </item>
/// </list>
/// <para>Nothing follows the last frame. The source is checked before anything is written, the target after.</para>
/// </remarks>
public static class BinaryDelta
{
    /// <summary>Target bytes per frame: what a device holds in memory (twice, decoded and compressed) while applying.</summary>
    public const int MaxFrameBytes = 8 << 20;

    private static ReadOnlySpan<byte> Magic => "DXDELTA1"u8;
    private const int HeaderBytes = 8 + 8 + 32 + 8 + 32;
    private const int FrameHeaderBytes = 7 * 4;

    // Quality 11 made deltas of 16 MiB images about 13 % smaller but took 40 times as long (a minute instead of under
    // two seconds); images of hundreds of MB need the faster one. The window covers a whole frame.
    internal const int BrotliQuality = 9;
    internal const int BrotliWindow = 24;

    // Source positions are indexed every BlockStep bytes by a hash of the WindowBytes there, so every common run of
    // WindowBytes + BlockStep - 1 bytes or more is found, and the index takes 8 to 12 bytes per block: at most three
    // quarters of the source's size. Shorter runs between changed addresses are covered by the approximate extension around the
    // matches that are found (indexing every 8 bytes made deltas of shifted code under 1 % smaller).
    private const int WindowBytes = 16;
    private const int BlockStep = 16;
    private const int MaxCandidates = 16;
    private const int LongMatch = 64;

    /// <summary>
    /// The largest image either side may be: positions are 32-bit, and the creator holds both images (the device, when
    /// applying, holds neither).
    /// </summary>
    public const int MaxImageBytes = int.MaxValue - 64;

    /// <summary>The delta turning <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static byte[] Create(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        using var delta = new MemoryStream();
        Create(source, target, delta, progress, cancellationToken);
        return delta.ToArray();
    }

    /// <summary>Writes the delta turning <paramref name="source"/> into <paramref name="target"/> to <paramref name="delta"/>.</summary>
    /// <param name="progress">The share of the target covered so far, 0 to 1.</param>
    public static void Create(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, Stream delta, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (source.Length > MaxImageBytes || target.Length > MaxImageBytes)
            throw new ArgumentException($"images up to {MaxImageBytes} bytes are supported");

        Span<byte> header = stackalloc byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], source.Length);
        SHA256.HashData(source, header[16..48]);
        BinaryPrimitives.WriteInt64LittleEndian(header[48..], target.Length);
        SHA256.HashData(target, header[56..88]);
        delta.Write(header);

        var index = new SourceIndex(source);
        var frames = new FrameWriter(delta);
        Scan(source, target, index, frames, progress, cancellationToken);
        frames.Finish();
        progress?.Report(1.0);
    }

    /// <summary>
    /// Writes to <paramref name="target"/> the image the delta makes from <paramref name="source"/>, reading the source
    /// where the delta points (it must be seekable) and the delta once from start to end.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The delta is not one, is damaged or cut short, was made for another source image, or does not produce the image
    /// it promises. Whatever was written to <paramref name="target"/> by then must be discarded.
    /// </exception>
    public static async Task ApplyAsync(Stream source, Stream delta, Stream target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(target);
        if (!source.CanSeek)
            throw new ArgumentException("the source image must be seekable: a delta reads it out of order", nameof(source));

        var header = new byte[HeaderBytes];
        await ReadDeltaAsync(delta, header, "header", cancellationToken);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException("not a binary delta: it does not start with DXDELTA1");
        var sourceSize = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        var sourceSha256 = header.AsSpan(16, 32).ToArray();
        var targetSize = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(48));
        var targetSha256 = header.AsSpan(56, 32).ToArray();
        if (sourceSize is < 0 or > MaxImageBytes || targetSize is < 0 or > MaxImageBytes)
            throw new InvalidDataException($"the delta's header gives impossible image sizes ({sourceSize} and {targetSize} bytes)");

        source.Position = 0;
        var (actualSize, actualSha256) = await ManifestChecks.HashAsync(source, cancellationToken);
        if (actualSize != sourceSize || !actualSha256.AsSpan().SequenceEqual(sourceSha256))
        {
            throw new InvalidDataException(
                $"the delta applies to an image of {sourceSize} bytes with SHA-256 {Convert.ToHexStringLower(sourceSha256)}; " +
                $"this image is {actualSize} bytes with SHA-256 {Convert.ToHexStringLower(actualSha256)}");
        }

        using var targetHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var frameHeader = new byte[FrameHeaderBytes];
        long written = 0;
        long sourcePosition = 0;
        var frameNumber = 0;
        while (written < targetSize)
        {
            frameNumber++;
            await ReadDeltaAsync(delta, frameHeader, $"frame {frameNumber}", cancellationToken);
            var frame = FrameHeader.Read(frameHeader, frameNumber, targetSize - written);
            var control = await ReadBlockAsync(delta, frame.ControlBytes, frame.ControlCompressed, "control", frameNumber, cancellationToken);
            var diff = await ReadBlockAsync(delta, frame.DiffBytes, frame.DiffCompressed, "diff", frameNumber, cancellationToken);
            var extra = await ReadBlockAsync(delta, frame.ExtraBytes, frame.ExtraCompressed, "extra", frameNumber, cancellationToken);

            var output = new byte[frame.TargetBytes];
            sourcePosition = await ApplyFrameAsync(source, sourceSize, sourcePosition, frameNumber, control, diff, extra, output, cancellationToken);
            targetHash.AppendData(output);
            await target.WriteAsync(output, cancellationToken);
            written += output.Length;
        }

        var probe = new byte[1];
        if (await delta.ReadAsync(probe, cancellationToken) != 0)
            throw new InvalidDataException($"the delta goes on after its last frame ({targetSize} target bytes): it is not one delta");
        var producedSha256 = targetHash.GetHashAndReset();
        if (!producedSha256.AsSpan().SequenceEqual(targetSha256))
        {
            throw new InvalidDataException(
                $"the delta produced an image with SHA-256 {Convert.ToHexStringLower(producedSha256)}; it promises {Convert.ToHexStringLower(targetSha256)} (the delta is damaged)");
        }
    }

    /// <summary>What a delta's header says, or null when the bytes do not start like a delta.</summary>
    public static DeltaHeader? TryReadHeader(ReadOnlySpan<byte> delta)
    {
        if (delta.Length < HeaderBytes || !delta[..8].SequenceEqual(Magic))
            return null;
        return new DeltaHeader(
            BinaryPrimitives.ReadInt64LittleEndian(delta[8..]), delta.Slice(16, 32).ToArray(),
            BinaryPrimitives.ReadInt64LittleEndian(delta[48..]), delta.Slice(56, 32).ToArray());
    }

    /// <summary>The header's length: how many bytes <see cref="TryReadHeader"/> needs.</summary>
    public static int HeaderLength => HeaderBytes;

    // bsdiff 4.3's scan: find an exact match, then decide whether it continues the current alignment (skip ahead) or
    // is clearly better than it (more than 8 bytes); then extend the previous match forwards and the new one backwards
    // as far as at least half the bytes agree, and emit the previous match as diff bytes and the gap as extra bytes.
    private static void Scan(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, SourceIndex index, FrameWriter frames,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        int scan = 0, length = 0, lastScan = 0, lastPosition = 0, lastOffset = 0, position = 0;
        var nextReport = 0;
        while (scan < target.Length)
        {
            var oldScore = 0;
            var scoreEnd = scan += length;
            for (; scan < target.Length; scan++)
            {
                if (scan >= nextReport)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report((double)scan / target.Length);
                    nextReport = scan + (1 << 20);
                }
                length = index.LongestMatch(source, target, scan, scan + lastOffset, out position);
                // oldScore counts the bytes of [scan, scoreEnd) that the current alignment already explains.
                if (scoreEnd < scan)
                    scoreEnd = scan;
                for (; scoreEnd < scan + length; scoreEnd++)
                {
                    if (AgreeAt(source, target, scoreEnd, lastOffset))
                        oldScore++;
                }
                if ((length == oldScore && length != 0) || length > oldScore + 8)
                    break;
                // A long exact match elsewhere that the current alignment explains all but a few bytes of: keep the
                // alignment (as bsdiff would end up doing) instead of re-searching the same long match at every byte.
                if (length >= LongMatch && length <= oldScore + 8)
                {
                    oldScore = length;
                    break;
                }
                if (scoreEnd > scan && AgreeAt(source, target, scan, lastOffset))
                    oldScore--;
            }

            if (length == oldScore && scan != target.Length)
                continue;

            var forward = 0;
            for (int i = 0, agree = 0, best = 0; lastScan + i < scan && lastPosition + i < source.Length;)
            {
                if (source[lastPosition + i] == target[lastScan + i])
                    agree++;
                i++;
                if (agree * 2 - i > best * 2 - forward)
                {
                    best = agree;
                    forward = i;
                }
            }

            var backward = 0;
            if (scan < target.Length)
            {
                for (int i = 1, agree = 0, best = 0; scan >= lastScan + i && position >= i; i++)
                {
                    if (source[position - i] == target[scan - i])
                        agree++;
                    if (agree * 2 - i > best * 2 - backward)
                    {
                        best = agree;
                        backward = i;
                    }
                }
            }

            if (lastScan + forward > scan - backward)
            {
                var overlap = lastScan + forward - (scan - backward);
                int score = 0, bestScore = 0, split = 0;
                for (var i = 0; i < overlap; i++)
                {
                    if (target[lastScan + forward - overlap + i] == source[lastPosition + forward - overlap + i])
                        score++;
                    if (target[scan - backward + i] == source[position - backward + i])
                        score--;
                    if (score > bestScore)
                    {
                        bestScore = score;
                        split = i + 1;
                    }
                }
                forward += split - overlap;
                backward -= split;
            }

            frames.Add(target.Slice(lastScan, forward), source.Slice(lastPosition, forward), target[(lastScan + forward)..(scan - backward)]);
            if (scan < target.Length)
                frames.Seek(position - backward - (lastPosition + forward));

            lastScan = scan - backward;
            lastPosition = position - backward;
            lastOffset = position - scan;
        }
    }

    private static bool AgreeAt(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, int targetIndex, int offset)
    {
        var sourceIndex = (long)targetIndex + offset;
        return sourceIndex >= 0 && sourceIndex < source.Length && source[(int)sourceIndex] == target[targetIndex];
    }

    private static async Task ReadDeltaAsync(Stream delta, byte[] buffer, string what, CancellationToken cancellationToken)
    {
        var read = await delta.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read < buffer.Length)
            throw new InvalidDataException($"the delta ends inside its {what} (cut short)");
    }

    private static async Task<byte[]> ReadBlockAsync(Stream delta, int decodedBytes, int compressedBytes, string what, int frameNumber, CancellationToken cancellationToken)
    {
        var decoded = new byte[decodedBytes];
        if (decodedBytes == 0)
            return decoded;
        var compressed = new byte[compressedBytes];
        await ReadDeltaAsync(delta, compressed, $"frame {frameNumber}'s {what} block", cancellationToken);
        if (!BrotliDecoder.TryDecompress(compressed, decoded, out var written) || written != decodedBytes)
            throw new InvalidDataException($"frame {frameNumber}'s {what} block does not decompress to the {decodedBytes} bytes its header gives (the delta is damaged)");
        return decoded;
    }

    private static async Task<long> ApplyFrameAsync(Stream source, long sourceSize, long sourcePosition, int frameNumber,
        byte[] control, byte[] diff, byte[] extra, byte[] output, CancellationToken cancellationToken)
    {
        int controlAt = 0, diffAt = 0, extraAt = 0, outputAt = 0;
        while (controlAt < control.Length)
        {
            var seek = ReadZigZag(control, ref controlAt, frameNumber);
            var diffLength = ReadVarint(control, ref controlAt, frameNumber);
            var extraLength = ReadVarint(control, ref controlAt, frameNumber);
            sourcePosition += seek;
            if (diffLength > diff.Length - diffAt || extraLength > extra.Length - extraAt)
                throw new InvalidDataException($"frame {frameNumber}'s control asks for more diff or extra bytes than the frame holds (the delta is damaged)");
            if (sourcePosition < 0 || sourcePosition + diffLength > sourceSize)
                throw new InvalidDataException($"frame {frameNumber}'s control reads source bytes {sourcePosition} to {sourcePosition + diffLength}, outside the {sourceSize}-byte image (the delta is damaged)");

            if (diffLength > 0)
            {
                var run = output.AsMemory(outputAt, (int)diffLength);
                source.Position = sourcePosition;
                await source.ReadExactlyAsync(run, cancellationToken);
                AddBytes(run.Span, diff.AsSpan(diffAt, (int)diffLength));
                diffAt += (int)diffLength;
                outputAt += (int)diffLength;
                sourcePosition += diffLength;
            }
            extra.AsSpan(extraAt, (int)extraLength).CopyTo(output.AsSpan(outputAt));
            extraAt += (int)extraLength;
            outputAt += (int)extraLength;
        }
        if (diffAt != diff.Length || extraAt != extra.Length)
            throw new InvalidDataException($"frame {frameNumber}'s control leaves diff or extra bytes unused (the delta is damaged)");
        return sourcePosition;
    }

    private static void AddBytes(Span<byte> run, ReadOnlySpan<byte> diff)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= run.Length; i += Vector<byte>.Count)
                (new Vector<byte>(run[i..]) + new Vector<byte>(diff[i..])).CopyTo(run[i..]);
        }
        for (; i < run.Length; i++)
            run[i] += diff[i];
    }

    private static long ReadVarint(byte[] control, ref int at, int frameNumber)
    {
        long value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (at >= control.Length)
                throw new InvalidDataException($"frame {frameNumber}'s control ends inside an entry (the delta is damaged)");
            var next = control[at++];
            value |= (long)(next & 0x7F) << shift;
            if (next < 0x80)
                return value;
        }
        throw new InvalidDataException($"frame {frameNumber}'s control holds an impossible number (the delta is damaged)");
    }

    private static long ReadZigZag(byte[] control, ref int at, int frameNumber)
    {
        var value = ReadVarint(control, ref at, frameNumber);
        return (value >>> 1) ^ -(value & 1);
    }

    private readonly record struct FrameHeader(int TargetBytes, int ControlBytes, int DiffBytes, int ExtraBytes, int ControlCompressed, int DiffCompressed, int ExtraCompressed)
    {
        // Each entry covers at least one target byte and takes at most 5 + 4 + 4 bytes (a seek within 32-bit positions,
        // two lengths within a frame); compressed blocks are never much larger than what they hold.
        private const int MaxControlBytes = MaxFrameBytes * 13;

        public static FrameHeader Read(ReadOnlySpan<byte> bytes, int frameNumber, long targetLeft)
        {
            Span<uint> fields = stackalloc uint[7];
            for (var i = 0; i < fields.Length; i++)
                fields[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
            var damaged = $"frame {frameNumber}'s header is impossible (the delta is damaged)";
            if (fields[0] is 0 or > MaxFrameBytes || fields[0] > targetLeft || fields[1] > MaxControlBytes || fields[2] > fields[0] || fields[3] > fields[0]
                || fields[2] + fields[3] != fields[0])
                throw new InvalidDataException(damaged);
            for (var block = 1; block <= 3; block++)
            {
                var decoded = fields[block];
                var compressed = fields[block + 3];
                if ((decoded == 0) != (compressed == 0) || compressed > BrotliEncoder.GetMaxCompressedLength((int)decoded))
                    throw new InvalidDataException(damaged);
            }
            return new FrameHeader((int)fields[0], (int)fields[1], (int)fields[2], (int)fields[3], (int)fields[4], (int)fields[5], (int)fields[6]);
        }
    }

    /// <summary>Hash index of the source: block positions by the hash of their first <see cref="WindowBytes"/> bytes.</summary>
    private sealed class SourceIndex
    {
        private readonly int[] _heads;
        private readonly int[] _next;
        private readonly int _shift;

        public SourceIndex(ReadOnlySpan<byte> source)
        {
            var blocks = source.Length < WindowBytes ? 0 : (source.Length - WindowBytes) / BlockStep + 1;
            var bits = Math.Max(10, BitOperations.Log2((uint)Math.Max(blocks, 1)) + 1);
            _heads = new int[1 << bits];
            _next = new int[blocks];
            _shift = 64 - bits;
            // Later blocks are found first; walking the positions backwards makes the first (earliest) ones found first,
            // which keeps repeated content (padding, tables) pointing at one place and the seeks short.
            for (var block = blocks - 1; block >= 0; block--)
            {
                var bucket = Bucket(source, block * BlockStep);
                _next[block] = _heads[bucket];
                _heads[bucket] = block + 1;
            }
        }

        /// <summary>
        /// The longest source match for the target at <paramref name="scan"/> among the indexed candidates and the
        /// position the current alignment predicts (<paramref name="aligned"/>), which wins ties.
        /// </summary>
        public int LongestMatch(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, int scan, int aligned, out int position)
        {
            var bestLength = 0;
            position = 0;
            var rest = target[scan..];
            if (aligned >= 0 && aligned < source.Length)
            {
                bestLength = source[aligned..].CommonPrefixLength(rest);
                position = aligned;
            }
            if (rest.Length < WindowBytes || _next.Length == 0)
                return bestLength;
            var checkedCandidates = 0;
            for (var entry = _heads[Bucket(target, scan)]; entry != 0 && checkedCandidates < MaxCandidates; entry = _next[entry - 1], checkedCandidates++)
            {
                var candidate = (entry - 1) * BlockStep;
                if (candidate == aligned)
                    continue;
                var length = source[candidate..].CommonPrefixLength(rest);
                if (length > bestLength)
                {
                    bestLength = length;
                    position = candidate;
                }
            }
            return bestLength;
        }

        private int Bucket(ReadOnlySpan<byte> bytes, int at)
        {
            var first = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
            var second = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(at + 8)..]);
            var mixed = (first * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(second * 0xC2B2AE3D27D4EB4FUL, 31);
            return (int)((mixed * 0x165667B19E3779F9UL) >> _shift);
        }
    }

    /// <summary>Cuts the diff/extra/seek sequence into frames of at most <see cref="MaxFrameBytes"/> target bytes.</summary>
    private sealed class FrameWriter(Stream delta)
    {
        private readonly ArrayBufferWriter<byte> _control = new();
        private readonly byte[] _diff = new byte[MaxFrameBytes];
        private readonly byte[] _extra = new byte[MaxFrameBytes];
        private int _diffLength;
        private int _extraLength;
        private long _pendingSeek;
        private int _entryDiff;
        private int _entryExtra;

        private int Room => MaxFrameBytes - _diffLength - _extraLength;

        public void Seek(long seek) => _pendingSeek += seek;

        public void Add(ReadOnlySpan<byte> diffTarget, ReadOnlySpan<byte> diffSource, ReadOnlySpan<byte> extra)
        {
            while (!diffTarget.IsEmpty)
            {
                // A diff cut at a frame's end continues in the next frame where it stopped, so the cut needs no seek.
                var take = Math.Min(diffTarget.Length, Room);
                var into = _diff.AsSpan(_diffLength, take);
                for (var i = 0; i < take; i++)
                    into[i] = (byte)(diffTarget[i] - diffSource[i]);
                _diffLength += take;
                _entryDiff += take;
                diffTarget = diffTarget[take..];
                diffSource = diffSource[take..];
                if (Room == 0)
                    Flush();
            }
            while (!extra.IsEmpty)
            {
                var take = Math.Min(extra.Length, Room);
                extra[..take].CopyTo(_extra.AsSpan(_extraLength));
                _extraLength += take;
                _entryExtra += take;
                extra = extra[take..];
                if (Room == 0)
                    Flush();
            }
            EndEntry();
        }

        public void Finish()
        {
            if (_diffLength + _extraLength > 0)
                Flush();
        }

        private void EndEntry()
        {
            if (_entryDiff == 0 && _entryExtra == 0)
                return;
            WriteVarint((ulong)((_pendingSeek << 1) ^ (_pendingSeek >> 63)));
            WriteVarint((ulong)_entryDiff);
            WriteVarint((ulong)_entryExtra);
            _pendingSeek = 0;
            _entryDiff = 0;
            _entryExtra = 0;
        }

        private void Flush()
        {
            EndEntry();
            var control = Compress(_control.WrittenSpan);
            var diff = Compress(_diff.AsSpan(0, _diffLength));
            var extra = Compress(_extra.AsSpan(0, _extraLength));
            Span<byte> header = stackalloc byte[FrameHeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(_diffLength + _extraLength));
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)_control.WrittenCount);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)_diffLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)_extraLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)control.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)diff.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)extra.Length);
            delta.Write(header);
            delta.Write(control);
            delta.Write(diff);
            delta.Write(extra);
            _control.ResetWrittenCount();
            _diffLength = 0;
            _extraLength = 0;
        }

        private void WriteVarint(ulong value)
        {
            var span = _control.GetSpan(10);
            var length = 0;
            while (value >= 0x80)
            {
                span[length++] = (byte)(value | 0x80);
                value >>= 7;
            }
            span[length++] = (byte)value;
            _control.Advance(length);
        }

        private static byte[] Compress(ReadOnlySpan<byte> block)
        {
            if (block.IsEmpty)
                return [];
            var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(block.Length)];
            if (!BrotliEncoder.TryCompress(block, buffer, out var written, BrotliQuality, BrotliWindow))
                throw new InvalidOperationException("Brotli could not compress a block into its own worst-case size");
            return buffer.AsSpan(0, written).ToArray();
        }
    }
}

/// <summary>What a delta's header promises: the source it applies to and the target it makes.</summary>
public sealed record DeltaHeader(long SourceSize, byte[] SourceSha256, long TargetSize, byte[] TargetSha256);
