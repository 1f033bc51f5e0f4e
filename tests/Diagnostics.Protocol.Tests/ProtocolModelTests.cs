using System.Collections;
using System.Reflection;
using Diagnostics.Protocol.Updates;
using ProtoBuf;
using ProtoBuf.Meta;

namespace Diagnostics.Protocol.Tests;

/// <summary>
/// The compile-time model (<see cref="ProtocolModel"/>, what the Native AOT agent and the cloud use) against protobuf-net's
/// runtime model built by reflection from the same attributes (what both sides used before): every contract, with
/// every field set, must give the same bytes, and each must read the other's.
/// </summary>
public sealed class ProtocolModelTests
{
    /// <summary>The contracts listed in <see cref="ProtocolModel"/>: everything <see cref="WireCodec"/> may be asked to write.</summary>
    private static readonly Type[] Listed =
    [
        typeof(Envelope), typeof(DeviceStatus), typeof(DeviceEvent), typeof(Heartbeat), typeof(CommandResult), typeof(Ack),
        typeof(Presence), typeof(Command), typeof(ConsentSet), typeof(UpdateManifest), typeof(ManifestSignature),
        typeof(SignedManifest), typeof(UpdateOffer), typeof(UpdateReport),
    ];

    public static TheoryData<Type> Contracts() => new(Listed);

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Both_models_write_the_same_bytes_and_read_each_other(Type contract)
    {
        var message = Filled(contract, depth: 0);
        var runtime = RuntimeTypeModel.Create();

        var generatedBytes = Write(ProtocolModel.Instance, message);
        var runtimeBytes = Write(runtime, message);

        Assert.NotEmpty(generatedBytes);
        Assert.Equal(runtimeBytes, generatedBytes);
        Assert.Equal(runtimeBytes, Write(runtime, Read(ProtocolModel.Instance, contract, runtimeBytes)));
        Assert.Equal(generatedBytes, Write(ProtocolModel.Instance, Read(runtime, contract, generatedBytes)));
    }

    [Fact]
    public void Every_contract_that_can_be_sent_alone_is_in_the_model()
    {
        // Contracts only ever nested inside another (a condition inside a status, a queue inside a host report inside an
        // envelope, ...) need no entry of their own.
        var nested = new HashSet<Type>();
        var toVisit = new Queue<Type>(Listed);
        while (toVisit.TryDequeue(out var contract))
        {
            foreach (var inner in NestedContracts(contract).Where(nested.Add))
                toVisit.Enqueue(inner);
        }
        var roots = typeof(Envelope).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<ProtoContractAttribute>() is not null && !nested.Contains(t));

        Assert.Empty(roots.Except(Listed));
    }

    private static IEnumerable<Type> NestedContracts(Type contract) => ContractProperties(contract)
        .Select(p => p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments()[0] : Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)
        .Where(t => t.GetCustomAttribute<ProtoContractAttribute>() is not null);

    private static IEnumerable<PropertyInfo> ContractProperties(Type contract) =>
        contract.GetProperties().Where(p => p.GetCustomAttribute<ProtoMemberAttribute>() is not null);

    private static byte[] Write(TypeModel model, object message)
    {
        using var buffer = new MemoryStream();
        model.Serialize(buffer, message);
        return buffer.ToArray();
    }

    private static object Read(TypeModel model, Type contract, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return model.Deserialize(stream, null, contract);
    }

    /// <summary>An instance with every field set to a value unlike its default, lists of two, nested contracts filled too.</summary>
    private static object Filled(Type type, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in ContractProperties(type))
            property.SetValue(instance, Value(property.PropertyType, property.Name, depth));
        return instance;
    }

    private static object? Value(Type type, string name, int depth)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (plain == typeof(string)) return $"{name}-värde";
        if (plain == typeof(bool)) return true;
        if (plain == typeof(int)) return name.Contains("Percent", StringComparison.Ordinal) ? -2 : 300;
        if (plain == typeof(long)) return 1_790_000_000_123L;
        if (plain == typeof(ulong)) return 1_790_000_000_000_001UL;
        if (plain == typeof(double)) return 21.5;
        if (plain == typeof(byte[])) return new byte[] { 0, 1, 254, 255 };
        if (plain.IsEnum) return Enum.GetValues(plain).Cast<object>().Last();
        if (plain.IsGenericType && plain.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(plain)!;
            list.Add(Value(plain.GetGenericArguments()[0], name + "1", depth + 1));
            list.Add(Value(plain.GetGenericArguments()[0], name + "2", depth + 1));
            return list;
        }
        if (plain.GetCustomAttribute<ProtoContractAttribute>() is not null)
            return depth > 3 ? null : Filled(plain, depth + 1);
        throw new NotSupportedException($"No test value for {plain} ({name}).");
    }
}
