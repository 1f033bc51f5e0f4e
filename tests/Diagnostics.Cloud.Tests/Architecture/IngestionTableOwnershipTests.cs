using System.Reflection;
using System.Reflection.Emit;
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
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

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
        from method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything))
        from text in StringsLoadedBy(method)
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

    private static IEnumerable<string> StringsLoadedBy(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var code = OpCodesByValue[value];
            if (code.OperandType == OperandType.InlineString)
            {
                yield return method.Module.ResolveString(BitConverter.ToInt32(il, position));
            }

            position += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
        }
    }
}
