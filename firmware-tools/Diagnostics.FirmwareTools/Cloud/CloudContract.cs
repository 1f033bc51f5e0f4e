using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diagnostics.FirmwareTools.Cloud;

// The cloud's update API as fwtool uses it, in one file so it can be laid beside the server's endpoints and compared.
// JSON names are camelCase (JsonSerializerDefaults.Web); unknown fields are ignored, so the server may add some.

/// <summary><c>POST /api/auth/login</c>; the answer sets the session cookie.</summary>
public sealed record SignInRequest(string Email, string Password);

/// <summary><c>POST /api/updates/packages</c> (body: the .dxpkg as application/octet-stream) answers 201, or 200 for a package already there.</summary>
public sealed record PublishedPackage(
    [property: JsonConverter(typeof(TextOrNumberConverter))] string PackageId,
    string Version,
    [property: JsonConverter(typeof(TextOrNumberConverter))] string Kind,
    bool IsDelta,
    string? DeltaFromVersion,
    long PayloadSize,
    long ImageSize,
    string? KeyId);

/// <summary><c>POST /api/updates/rollouts</c>; durations in seconds, waves as cumulative percentages of the targeted devices.</summary>
public sealed record CreateRolloutRequest(
    string Name,
    string PackageId,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> FromVersions,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> DeviceIds,
    IReadOnlyList<int> Waves,
    long WaveWindowSeconds,
    int FailureThresholdPercent,
    bool RequireApproval,
    long MaxDeferralSeconds,
    long HealthCheckSeconds);

/// <summary>A rollout as <c>/api/updates/rollouts</c> and <c>/api/updates/rollouts/{id}</c> (and its pause, resume, cancel) return it.</summary>
public sealed record RolloutView(
    [property: JsonConverter(typeof(TextOrNumberConverter))] string Id,
    string? Name,
    string PackageId,
    string? Version,
    [property: JsonConverter(typeof(TextOrNumberConverter))] string State,
    string? HaltReason,
    int CurrentWave,
    IReadOnlyList<RolloutWave>? Waves,
    IReadOnlyDictionary<string, int>? Counts)
{
    /// <summary>States after which nothing more happens to the rollout.</summary>
    public bool IsFinished => State.ToLowerInvariant() is "completed" or "halted" or "cancelled" or "canceled";
}

public sealed record RolloutWave(int Index, int Percent, int Devices, int Succeeded, int Failed, int InProgress);

/// <summary>RFC 9457 problem details, as the cloud answers every refusal.</summary>
public sealed record CloudProblem(string? Title, string? Detail, int? Status);

/// <summary>
/// Reads a JSON string or number as text: ids and enum-like fields are strings in this contract, and this keeps the client
/// working if the server sends a numeric id or an enum's number.
/// </summary>
public sealed class TextOrNumberConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => reader.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : reader.GetDouble().ToString(CultureInfo.InvariantCulture),
        _ => throw new JsonException($"expected a string or a number, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
