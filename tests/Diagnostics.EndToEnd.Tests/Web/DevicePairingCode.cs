using System.Text.RegularExpressions;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// The code a device shows its owner, as a person would read it off the device: from the agent's log line
/// ("Device X pairing code: XXXX-XXXX"). A customer can pair with it only once the cloud has it too (it arrives with
/// the device's heartbeat), so reading it waits for that.
/// </summary>
public static partial class DevicePairingCode
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <param name="printedBy">The agent process, or the cloud process for its in-process demo fleet.</param>
    public static async Task<string> ReadAsync(ChildProcess printedBy, CloudProcess cloud, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(printedBy);
        ArgumentNullException.ThrowIfNull(cloud);
        var line = await printedBy.WaitForLineAsync(l => l.Contains($"Device {deviceId} pairing code:", StringComparison.Ordinal), Patience, cancellationToken);
        var shown = InLogLine().Match(line).Groups["code"].Value;
        var normalized = PairingCodes.Normalize(shown);
        await Eventually.TrueAsync(() => KnownToCloud(cloud, deviceId) == normalized,
            $"the cloud to learn {deviceId}'s pairing code {shown} from its heartbeat", Patience);
        return shown;
    }

    private static string? KnownToCloud(CloudProcess cloud, string deviceId)
    {
        if (!File.Exists(cloud.DatabasePath))
            return null;
        // Read-only beside the live writer: WAL lets a reader see the last committed state.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = cloud.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pairing_code FROM devices WHERE id = $id";
        command.Parameters.AddWithValue("$id", deviceId);
        return command.ExecuteScalar() as string;
    }

    [GeneratedRegex(@"pairing code: (?<code>[0-9A-Za-z-]+)")]
    private static partial Regex InLogLine();
}
