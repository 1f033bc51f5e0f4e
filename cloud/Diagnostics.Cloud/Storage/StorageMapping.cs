using System.Data;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using Dapper;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// How values travel between the stores' records and their columns, set once per process for every store: instants
/// as Unix milliseconds (<c>*_ms</c> columns) and durations as milliseconds, enums as lower-case names (or their
/// <see cref="EnumMemberAttribute"/> value; a few protocol enums as named), device sequence numbers as signed 64-bit
/// integers, lists and maps of text and chosen types as JSON text, and records built from their columns by name.
/// Null and <see cref="DBNull"/> are Dapper's own business.
/// </summary>
public static class StorageMapping
{
    /// <summary>Makes sure the mapping is in place; the first call (in any thread) does it before any returns.</summary>
    public static void Register() => Registration.Done();

    private static class Registration
    {
        // The runtime runs a static constructor once, and every other caller waits for it to finish.
        static Registration() => RegisterOnce();

        public static void Done()
        {
        }
    }

    private static void RegisterOnce()
    {
        // Without this Dapper writes an enum as its number and never asks the handler.
        SqlMapper.Settings.PreferTypeHandlersForEnums = true;
        // Dapper has its own idea of these types; removing them lets the handlers below decide.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.RemoveTypeMap(typeof(ulong));
        SqlMapper.RemoveTypeMap(typeof(ulong?));
        SqlMapper.RemoveTypeMap(typeof(TimeSpan));
        SqlMapper.RemoveTypeMap(typeof(TimeSpan?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
        SqlMapper.AddTypeHandler(new MillisecondsHandler());
        // Lists and maps of text that records carry (a proposal's reasons and parameters) are JSON columns. Being handled,
        // these two types are no longer expanded for IN @list: pass arrays or List<T> there.
        SqlMapper.AddTypeHandler(new JsonHandler<IReadOnlyList<string>>());
        SqlMapper.AddTypeHandler(new JsonHandler<IReadOnlyDictionary<string, string>>());
        SqlMapper.AddTypeHandler(new UnsignedSequenceHandler());
        foreach (var assembly in new[] { typeof(StorageMapping).Assembly, typeof(Protocol.Envelope).Assembly })
        {
            foreach (var type in assembly.GetTypes().Where(t => t.IsEnum))
                SqlMapper.AddTypeHandler(type, (SqlMapper.ITypeHandler)Activator.CreateInstance(typeof(StoredEnumHandler<>).MakeGenericType(type))!);
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.TypeMapProvider = type => new ColumnNameTypeMap(type);
    }

    /// <summary>Enums of the wire protocol that ingestion has stored as the protocol names them ("Error", "Raised") since the first version.</summary>
    private static readonly HashSet<Type> StoredAsNamed =
        [typeof(Protocol.Severity), typeof(Protocol.EventKind), typeof(Protocol.CommandOutcome), typeof(Protocol.DeviceState), typeof(Protocol.UplinkKind)];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores <typeparamref name="T"/> as JSON text wherever it is a parameter or a property. Not for collections,
    /// which Dapper expands for <c>IN @list</c>: write those with <see cref="ToJson{T}"/>.
    /// </summary>
    public static void AddJson<T>()
    {
        Register();
        SqlMapper.AddTypeHandler(new JsonHandler<T>());
    }

    /// <summary>The JSON text a JSON column holds (web defaults: camelCase names).</summary>
    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    public static T? FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, JsonOptions);

    /// <summary>The stored text of an enum value: its <see cref="EnumMemberAttribute"/> value, else its name in lower case.</summary>
    public static string ToStorage<T>(T value) where T : struct, Enum => StoredEnumHandler<T>.Names[value];

    /// <summary>The enum value stored as <paramref name="text"/> (any case).</summary>
    public static T FromStorage<T>(string text) where T : struct, Enum =>
        StoredEnumHandler<T>.Values.TryGetValue(text, out var value) ? value : Enum.Parse<T>(text, ignoreCase: true);

    private sealed class UnixMillisecondsHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }

        public override DateTimeOffset Parse(object value) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value));
    }

    /// <summary>Durations (a fix's verification window) as whole milliseconds.</summary>
    private sealed class MillisecondsHandler : SqlMapper.TypeHandler<TimeSpan>
    {
        public override void SetValue(IDbDataParameter parameter, TimeSpan value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = (long)value.TotalMilliseconds;
        }

        public override TimeSpan Parse(object value) => TimeSpan.FromMilliseconds(Convert.ToInt64(value));
    }

    /// <summary>Devices number their messages with unsigned 64-bit integers; neither engine has that type, so the bits go as signed.</summary>
    private sealed class UnsignedSequenceHandler : SqlMapper.TypeHandler<ulong>
    {
        public override void SetValue(IDbDataParameter parameter, ulong value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = unchecked((long)value);
        }

        public override ulong Parse(object value) => unchecked((ulong)Convert.ToInt64(value));
    }

    private sealed class StoredEnumHandler<T> : SqlMapper.TypeHandler<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> Names = Enum.GetValues<T>().Distinct().ToDictionary(v => v, NameOf);

        public static readonly Dictionary<string, T> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

        public override void SetValue(IDbDataParameter parameter, T value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = Names[value];
        }

        public override T Parse(object value) => FromStorage<T>((string)value);

        private static string NameOf(T value)
        {
            var name = value.ToString();
            return typeof(T).GetField(name)?.GetCustomAttribute<EnumMemberAttribute>()?.Value
                ?? (StoredAsNamed.Contains(typeof(T)) ? name : name.ToLowerInvariant());
        }
    }

    private sealed class JsonHandler<T> : SqlMapper.TypeHandler<T>
    {
        public override void SetValue(IDbDataParameter parameter, T? value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = ToJson(value);
        }

        public override T? Parse(object value) => FromJson<T>((string)value);
    }

    /// <summary>
    /// Builds records from columns by name rather than by position: the record is made with its primary constructor's
    /// defaults and each column sets the property of its name (<c>customer_id</c> → <c>CustomerId</c>; a <c>*_ms</c>
    /// column the instant without the suffix, <c>opened_at_ms</c> → <c>OpenedAt</c>). A column no property takes is
    /// ignored; a property no column names keeps its default.
    /// </summary>
    private sealed class ColumnNameTypeMap(Type type) : SqlMapper.ITypeMap
    {
        private readonly DefaultTypeMap _byName = new(type);

        private readonly ConstructorInfo? _primary = type.GetMethod("<Clone>$") is null
            ? null
            : type.GetConstructors().Where(c => c.GetParameters() is not [{ } only] || only.ParameterType != type)
                .MaxBy(c => c.GetParameters().Length);

        public ConstructorInfo? FindConstructor(string[] names, Type[] types) => _byName.FindConstructor(names, types);

        public ConstructorInfo? FindExplicitConstructor() => _byName.FindExplicitConstructor() ?? _primary;

        public SqlMapper.IMemberMap? GetConstructorParameter(ConstructorInfo constructor, string columnName) =>
            _byName.GetConstructorParameter(constructor, columnName);

        public SqlMapper.IMemberMap? GetMember(string columnName) =>
            _byName.GetMember(columnName)
            ?? (columnName.EndsWith("_ms", StringComparison.OrdinalIgnoreCase) ? _byName.GetMember(columnName[..^3]) : null);
    }
}
