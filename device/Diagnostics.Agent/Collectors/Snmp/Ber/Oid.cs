using System.Globalization;
using System.Text;

namespace Diagnostics.Agent.Collectors.Snmp.Ber;

/// <summary>An ASN.1 OBJECT IDENTIFIER: sub-identifiers of 32 bits each (RFC 2578), compared in lexicographic (MIB walk) order.</summary>
public sealed class Oid : IEquatable<Oid>, IComparable<Oid>
{
    /// <summary>RFC 2578: at most 128 sub-identifiers.</summary>
    public const int MaxLength = 128;

    private readonly uint[] _parts;

    public Oid(ReadOnlySpan<uint> parts)
    {
        if (parts.Length is < 2 or > MaxLength)
            throw new ArgumentException($"An OID has 2 to {MaxLength} sub-identifiers (got {parts.Length}).", nameof(parts));
        if (parts[0] > 2 || (parts[0] < 2 && parts[1] >= 40) || (parts[0] == 2 && parts[1] > uint.MaxValue - 80))
            throw new ArgumentException("The first two arcs must be 0.0-39, 1.0-39 or 2.x.", nameof(parts));
        _parts = parts.ToArray();
    }

    public ReadOnlySpan<uint> Parts => _parts;

    public int Length => _parts.Length;

    public static Oid Parse(string dotted)
    {
        ArgumentNullException.ThrowIfNull(dotted);
        var text = dotted.StartsWith('.') ? dotted[1..] : dotted;
        var parts = text.Split('.').Select(p => uint.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        return new Oid(parts);
    }

    public Oid Append(params ReadOnlySpan<uint> more)
    {
        var parts = new uint[_parts.Length + more.Length];
        _parts.CopyTo(parts, 0);
        more.CopyTo(parts.AsSpan(_parts.Length));
        return new Oid(parts);
    }

    /// <summary>True when this OID lies strictly below <paramref name="root"/> in the MIB tree.</summary>
    public bool IsUnder(Oid root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return _parts.Length > root._parts.Length && _parts.AsSpan(0, root._parts.Length).SequenceEqual(root._parts);
    }

    /// <summary>The sub-identifiers after <paramref name="root"/>: a table row's index.</summary>
    public ReadOnlySpan<uint> SuffixAfter(Oid root) =>
        IsUnder(root) ? _parts.AsSpan(root._parts.Length) : throw new ArgumentException($"{this} is not under {root}.", nameof(root));

    public int CompareTo(Oid? other) => other is null ? 1 : _parts.AsSpan().SequenceCompareTo(other._parts);

    public bool Equals(Oid? other) => other is not null && _parts.AsSpan().SequenceEqual(other._parts);

    public override bool Equals(object? obj) => Equals(obj as Oid);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var part in _parts)
            hash.Add(part);
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var part in _parts)
            text.Append(text.Length == 0 ? "" : ".").Append(part.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    public static bool operator ==(Oid? left, Oid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Oid? left, Oid? right) => !(left == right);

    public static bool operator <(Oid left, Oid right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(Oid left, Oid right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(Oid left, Oid right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(Oid left, Oid right) => left is null ? right is null : left.CompareTo(right) >= 0;
}
