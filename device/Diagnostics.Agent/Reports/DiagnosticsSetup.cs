using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace Diagnostics.Agent.Reports;

/// <summary>
/// What an <see cref="AgentRuntime"/> needs from its host to answer <c>collect-diagnostics</c>.
/// </summary>
/// <param name="Http">The host's shared client (the one that provisions); not owned.</param>
/// <param name="Log">The host's log ring; null leaves the report's log section empty.</param>
/// <param name="SoleDevice">
/// True when this process watches one device only: then lines that name no device (a collector's, the host's) are
/// this device's too. In a gateway or fleet only lines carrying this device's id are included.
/// </param>
/// <param name="CollectorSettings">The collector's settings as flat <c>Section:Key</c> pairs (Ipp, Snmp, Simulator ...).</param>
public sealed record DiagnosticsSetup(
    HttpClient Http, AgentLogRing? Log, bool SoleDevice, IReadOnlyList<KeyValuePair<string, string?>>? CollectorSettings = null)
{
    /// <summary>An options object's simple properties as <c>{section}:{Name}</c> pairs, as configuration would spell them.</summary>
    /// <remarks>By the declared type, whose public properties the trimmer then keeps (the agent is published trimmed).</remarks>
    public static IEnumerable<KeyValuePair<string, string?>> Flatten<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        string section, TOptions options) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsSimple(property.PropertyType))
                continue;
            var value = property.GetValue(options);
            yield return new($"{section}:{property.Name}", Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(decimal);
    }
}
