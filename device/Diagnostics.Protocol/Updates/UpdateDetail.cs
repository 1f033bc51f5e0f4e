using System.Globalization;

namespace Diagnostics.Protocol.Updates;

/// <summary>
/// What the agent says about one step of an update, in a form a reader of any language can be told: a stable
/// <see cref="Code"/> and the <see cref="Values"/> it names (invariant text, in the order the code documents: times as
/// Unix milliseconds, numbers in invariant digits, an external tool's output or an exception's message verbatim, since
/// those are the tool's words, not ours), and <see cref="Text"/>, the same in English as the agent has always written it
/// (the report's <see cref="UpdateReport.Detail"/>, the agent's log, and what a cloud without a text for the code shows).
/// An empty code is the agent's own words with nothing to word again (an older agent, or a detail not coded yet). The
/// codes are part of the protocol: once shipped, a code keeps its meaning and its values' order.
/// </summary>
public sealed record UpdateDetail(string Code, IReadOnlyList<string> Values, string Text)
{
    /// <summary>The rollout stopped before the device began installing. No values.</summary>
    public const string WithdrawnCode = "Withdrawn";
    /// <summary>A newer offer replaced this one before the device began installing. Values: the newer offer's id.</summary>
    public const string SupersededCode = "Superseded";
    /// <summary>The offer expired before it was started. Values: its expiry, the device's clock (Unix ms).</summary>
    public const string OfferExpiredCode = "OfferExpired";
    /// <summary>The offer expired while the device waited (pacing, maintenance window). Values: its expiry, the device's clock (Unix ms).</summary>
    public const string OfferExpiredWaitingCode = "OfferExpiredWaiting";
    /// <summary>The offer carries no package. No values.</summary>
    public const string NoPackageCode = "NoPackage";
    /// <summary>The payload's address is not http(s) and there is no cloud address to resolve it against. Values: the address.</summary>
    public const string PayloadUrlUnusableCode = "PayloadUrlUnusable";
    /// <summary>A delta offered to a device whose installer does not let the agent read the running image. No values.</summary>
    public const string DeltaNeedsRunningImageCode = "DeltaNeedsRunningImage";
    /// <summary>Applying the delta to the running image failed. Values: the reason (an exception's message, verbatim).</summary>
    public const string DeltaNotAppliedCode = "DeltaNotApplied";
    /// <summary>The verified image disappeared before it was installed. No values.</summary>
    public const string ImageGoneCode = "ImageGone";
    /// <summary>The agent could not carry on (disk full, files gone). Values: the exception's message, verbatim.</summary>
    public const string AgentFailedCode = "AgentFailed";
    /// <summary>A driver package offered to an agent that watches a device instead of a host. No values.</summary>
    public const string NotHostRoleCode = "NotHostRole";
    /// <summary>
    /// The package's manifest breaks a packaging rule or does not fit this device: the rule's <see cref="ManifestProblem"/>
    /// code first, then its values. The cloud words it as it words the rules of an uploaded package.
    /// </summary>
    public const string ManifestRuleCode = "ManifestRule";

    /// <summary>Words the agent wrote that have no code (yet): a cloud shows them as the device's words.</summary>
    public static UpdateDetail Words(string text) => new("", [], text ?? "");

    public static UpdateDetail None { get; } = Words("");

    public static UpdateDetail Withdrawn() =>
        new(WithdrawnCode, [], "withdrawn by the cloud before the device began installing it");

    public static UpdateDetail Superseded(string newerOfferId) =>
        new(SupersededCode, [newerOfferId], $"superseded by offer {newerOfferId} before the device began installing it");

    public static UpdateDetail OfferExpired(long expiresUnixMs, long deviceClockUnixMs) =>
        new(OfferExpiredCode, [Number(expiresUnixMs), Number(deviceClockUnixMs)],
            $"the offer expired at {Time(expiresUnixMs)} (device clock {Time(deviceClockUnixMs)})");

    public static UpdateDetail OfferExpiredWaiting(long expiresUnixMs, long deviceClockUnixMs) =>
        new(OfferExpiredWaitingCode, [Number(expiresUnixMs), Number(deviceClockUnixMs)],
            $"the offer expired at {Time(expiresUnixMs)} while the device waited to start it (device clock {Time(deviceClockUnixMs)})");

    public static UpdateDetail NoPackage() => new(NoPackageCode, [], "the offer carries no package");

    public static UpdateDetail PayloadUrlUnusable(string payloadUrl) =>
        new(PayloadUrlUnusableCode, [payloadUrl],
            $"the payload URL \"{payloadUrl}\" is not an http(s) address, and no cloud address (Agent:CloudUrl) to resolve it against");

    public static UpdateDetail DeltaNeedsRunningImage() =>
        new(DeltaNeedsRunningImageCode, [], "a delta needs the running image, and this device's installer keeps it to itself: offer the full image");

    public static UpdateDetail DeltaNotApplied(string reason) =>
        new(DeltaNotAppliedCode, [reason], "the delta could not be applied to the running image: " + reason);

    public static UpdateDetail ImageGone() => new(ImageGoneCode, [], "the verified image is gone from the device: offer the update again");

    public static UpdateDetail AgentFailed(string message) => new(AgentFailedCode, [message], "the agent failed: " + message);

    public static UpdateDetail NotHostRole() =>
        new(NotHostRoleCode, [], "this agent watches a device, not a host: driver packages install on agents in the host role (Agent:Collectors=host)");

    /// <summary>A manifest check's refusal: coded when the check names the rule it broke, else its words.</summary>
    public static UpdateDetail Of(ManifestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Problem is { } problem ? new(ManifestRuleCode, [problem.Code, .. problem.Values], check.Detail) : Words(check.Detail);
    }

    /// <summary>The <see cref="ManifestProblem"/> a <see cref="ManifestRuleCode"/> detail carries; null for any other detail.</summary>
    public ManifestProblem? AsManifestProblem() =>
        Code == ManifestRuleCode && Values.Count > 0 ? new ManifestProblem(Values[0], [.. Values.Skip(1)], Text) : null;

    public override string ToString() => Text;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>As the agent has always written times in its details (and as <c>CommandChecks.Time</c> writes them).</summary>
    private static string Time(long unixMs) => unixMs is >= 0 and <= 253_402_300_799_999
        ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : Number(unixMs) + " (Unix ms)";
}
