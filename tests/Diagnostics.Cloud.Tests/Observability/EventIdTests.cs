using System.Reflection;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Tests.Observability;

/// <summary>Each capability keeps its own event ids; together they must still name each log event once.</summary>
public sealed class EventIdTests
{
    private static readonly IReadOnlyList<(Type Owner, string Name, int Id)> Ids =
        [.. from type in typeof(AccountStore).Assembly.GetTypes()
            where type.IsAbstract && type.IsSealed && type.Name.EndsWith("EventIds", StringComparison.Ordinal)
            from field in type.GetFields(BindingFlags.Public | BindingFlags.Static)
            where field.IsLiteral && field.FieldType == typeof(int)
            select (type, field.Name, (int)field.GetRawConstantValue()!)];

    [Fact]
    public void No_two_capabilities_share_an_event_id()
    {
        var clashes = Ids.GroupBy(id => id.Id).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(id => $"{id.Owner.Name}.{id.Name}"))}").ToList();
        Assert.True(clashes.Count == 0, string.Join("; ", clashes));
    }

    [Fact]
    public void Each_capability_keeps_its_ids_in_its_own_folder()
    {
        Assert.True(Ids.Select(id => id.Owner).Distinct().Count() >= 10, "the per-capability EventIds classes were not found");
        foreach (var owner in Ids.Select(id => id.Owner).Distinct())
        {
            Assert.Equal($"Diagnostics.Cloud.{owner.Name[..^"EventIds".Length]}", owner.Namespace);
        }
    }

    [Fact]
    public void Ids_kept_their_numbers_from_before_the_split()
    {
        // A sample across blocks, numbers as they were in the single EventIds file: logs stay comparable over the change.
        Assert.Equal(100, global::Diagnostics.Cloud.Devices.DevicesEventIds.DeviceRegistered);
        Assert.Equal(210, global::Diagnostics.Cloud.Broker.BrokerEventIds.AuthRefused);
        Assert.Equal(300, global::Diagnostics.Cloud.Ingestion.IngestionEventIds.UplinkRejected);
        Assert.Equal(270, global::Diagnostics.Cloud.Broker.BrokerEventIds.PlainListener);
    }
}
