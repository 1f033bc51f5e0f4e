using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Messaging;

namespace Diagnostics.Cloud.Tests.Architecture;

/// <summary>
/// Ingestion stores uplinks and hands each one stored now to the capabilities that take it
/// (<see cref="IStoredUplinkHandOff"/>); it never writes their tables itself. Read from the compiled assembly: every
/// string the Ingestion folder's code loads (SQL constants are compiled into the methods that send them), so comments
/// do not count and a table name passed as an argument does.
/// </summary>
public sealed partial class IngestionTableOwnershipTests
{
    [Fact]
    public void Ingestion_names_no_table_another_capability_owns()
    {
        var named = StringsLoadedIn("Ingestion")
            .SelectMany(loaded => OtherCapabilitiesTables().Matches(loaded.Text).Select(match => $"{loaded.Method} names {match.Value}"))
            .Distinct()
            .ToList();

        Assert.True(named.Count == 0, "Ingestion writes another capability's table instead of handing it the uplink: " + string.Join("; ", named));
    }

    [Fact]
    public void The_check_sees_the_sql_a_folder_sends()
    {
        // The fix inbox's SQL is compiled into the Fixes folder's writer, and ingestion's own into Ingestion.
        Assert.Contains(StringsLoadedIn("Fixes"), loaded => loaded.Method.StartsWith(nameof(FixInboxWriter), StringComparison.Ordinal)
            && OtherCapabilitiesTables().Match(loaded.Text).Value == "fix_inbox");
        Assert.Contains(StringsLoadedIn("Ingestion"), loaded => loaded.Text.Contains("INSERT INTO telemetry", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\b(fix_inbox|update_inbox|host_inbox|notifications)\b")]
    private static partial Regex OtherCapabilitiesTables();

    private static IEnumerable<(string Method, string Text)> StringsLoadedIn(string folder) =>
        from type in typeof(AccountStore).Assembly.GetTypes()
        where CloudFolderGraph.FolderOf(type) == folder
        from method in MethodBodyTokens.BodiesOf(type)
        from text in MethodBodyTokens.StringsLoadedBy(method)
        select ($"{OuterName(type)}.{method.Name}", text);

    /// <summary>The declared type a compiler-generated one (a lambda's closure, an async state machine) belongs to.</summary>
    private static string OuterName(Type type)
    {
        var name = type.Name;
        while (type.DeclaringType is { } outer)
        {
            type = outer;
            name = $"{type.Name}+{name}";
        }

        return name;
    }
}
