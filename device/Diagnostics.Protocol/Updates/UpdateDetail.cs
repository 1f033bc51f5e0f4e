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
public sealed partial record UpdateDetail(string Code, IReadOnlyList<string> Values, string Text)
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

    /// <summary>Not enough free space for the download and the image. Values: bytes free, the directory, bytes needed, bytes kept free (invariant digits).</summary>
    public const string NoSpaceCode = "NoSpace";

    // The health check after booting a new version. Each reason is a detail of its own, carried inside the rollback's
    // detail (see RolledBack): the reason's code, then its values, after the rollback's own value.
    /// <summary>The new version ran healthy for long enough. Values: the new version, the old one, the seconds required (invariant, "0.#").</summary>
    public const string HealthyCode = "Healthy";
    /// <summary>After booting it the device reports a new error. Values: the version, the condition's code, its kind, the device's message (verbatim).</summary>
    public const string HealthNewErrorCode = "HealthNewError";
    /// <summary>Healthy, but not for long enough when the window closed. Values: the version, seconds healthy, seconds required (invariant, "0.#"), the window's end (Unix ms).</summary>
    public const string HealthNotLongEnoughCode = "HealthNotLongEnough";
    /// <summary>The agent was not connected to the cloud when the window closed. Values: the version, the window's end (Unix ms).</summary>
    public const string HealthNotConnectedCode = "HealthNotConnected";
    /// <summary>The device had not been read when the window closed. Values: the version, the window's end (Unix ms).</summary>
    public const string HealthNotReadCode = "HealthNotRead";
    /// <summary>The device did not answer when the window closed. Values: the version, the window's end (Unix ms), the collector's message (verbatim).</summary>
    public const string HealthNoAnswerCode = "HealthNoAnswer";
    /// <summary>The device reported another version when the window closed. Values: the version, the window's end (Unix ms), the version it reports.</summary>
    public const string HealthWrongVersionCode = "HealthWrongVersion";
    /// <summary>The installer could not mark the new version good. Values: the installer's words (verbatim).</summary>
    public const string CommitFailedCode = "CommitFailed";
    /// <summary>The health check failed and the device is back on the old version. Values: the old version, then the reason's code and values.</summary>
    public const string RolledBackCode = "RolledBack";
    /// <summary>The health check failed and going back failed too. Values: the installer's words (verbatim), then the reason's code and values.</summary>
    public const string RollbackFailedCode = "RollbackFailed";

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

    public static UpdateDetail NoSpace(long freeBytes, string directory, long neededBytes, long keptFreeBytes) =>
        new(NoSpaceCode, [Number(freeBytes), directory, Number(neededBytes), Number(keptFreeBytes)],
            $"{Number(freeBytes)} bytes free under {directory}; the download and the image need {Number(neededBytes)} (with {Number(keptFreeBytes)} kept free)");

    public static UpdateDetail Healthy(string version, string fromVersion, TimeSpan stableFor) =>
        new(HealthyCode, [version, fromVersion, Seconds(stableFor)],
            $"running {version} (was {fromVersion}); connected and healthy for {Seconds(stableFor)} s after booting it");

    public static UpdateDetail HealthNewError(string version, string conditionCode, string condition, string message) =>
        new(HealthNewErrorCode, [version, conditionCode, condition, message],
            $"after booting {version} the device reports {conditionCode} ({condition}): {message}");

    public static UpdateDetail HealthNotLongEnough(string version, TimeSpan healthyFor, TimeSpan stableFor, DateTimeOffset windowEnd) =>
        new(HealthNotLongEnoughCode, [version, Seconds(healthyFor), Seconds(stableFor), Number(windowEnd.ToUnixTimeMilliseconds())],
            $"the device was healthy on {version} for {Seconds(healthyFor)} s of the {Seconds(stableFor)} s required when the window closed at {WindowEnd(windowEnd)}");

    public static UpdateDetail HealthNotConnected(string version, DateTimeOffset windowEnd) =>
        NotHealthyBy(HealthNotConnectedCode, version, windowEnd, [], "the agent is not connected to the cloud");

    public static UpdateDetail HealthNotRead(string version, DateTimeOffset windowEnd) =>
        NotHealthyBy(HealthNotReadCode, version, windowEnd, [], "the device has not been read yet");

    public static UpdateDetail HealthNoAnswer(string version, DateTimeOffset windowEnd, string stateMessage) =>
        NotHealthyBy(HealthNoAnswerCode, version, windowEnd, [stateMessage], $"the device does not answer: {stateMessage}");

    public static UpdateDetail HealthWrongVersion(string version, DateTimeOffset windowEnd, string reportedVersion) =>
        NotHealthyBy(HealthWrongVersionCode, version, windowEnd, [reportedVersion], $"the device reports version {reportedVersion}, not {version}");

    public static UpdateDetail CommitFailed(string problem) =>
        new(CommitFailedCode, [problem], "marking the new version good failed: " + problem);

    /// <summary>Back on <paramref name="fromVersion"/> after <paramref name="reason"/> (a health-check reason or any other detail).</summary>
    public static UpdateDetail RolledBack(UpdateDetail reason, string fromVersion)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new(RolledBackCode, [fromVersion, reason.Code, .. reason.Values], $"health check failed: {reason.Text}; back on {fromVersion}");
    }

    public static UpdateDetail RollbackFailed(UpdateDetail reason, string problem)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new(RollbackFailedCode, [problem, reason.Code, .. reason.Values], $"health check failed: {reason.Text}; going back failed too: {problem}");
    }

    /// <summary>
    /// The reason a <see cref="RolledBackCode"/> or <see cref="RollbackFailedCode"/> detail carries after its own value
    /// (without its English text, which only the whole sentence keeps); null for any other detail.
    /// </summary>
    public UpdateDetail? AsRollbackReason() =>
        Code is RolledBackCode or RollbackFailedCode && Values.Count > 1 ? new UpdateDetail(Values[1], [.. Values.Skip(2)], "") : null;

    /// <summary>A manifest check's refusal: coded when the check names the rule it broke or the bytes it refused, else its words.</summary>
    public static UpdateDetail Of(ManifestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Problem is { } problem ? new(ManifestRuleCode, [problem.Code, .. problem.Values], check.Detail) : check.Coded ?? Words(check.Detail);
    }

    /// <summary>The <see cref="ManifestProblem"/> a <see cref="ManifestRuleCode"/> detail carries; null for any other detail.</summary>
    public ManifestProblem? AsManifestProblem() =>
        Code == ManifestRuleCode && Values.Count > 0 ? new ManifestProblem(Values[0], [.. Values.Skip(1)], Text) : null;

    public override string ToString() => Text;

    private static UpdateDetail NotHealthyBy(string code, string version, DateTimeOffset windowEnd, IReadOnlyList<string> values, string problem) =>
        new(code, [version, Number(windowEnd.ToUnixTimeMilliseconds()), .. values],
            $"the device was not healthy on {version} by {WindowEnd(windowEnd)}: {problem}");

    /// <summary>Seconds as the agent has always written them in these details ("0.#").</summary>
    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    private static string WindowEnd(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>As the agent has always written times in its details (and as <c>CommandChecks.Time</c> writes them).</summary>
    /// <summary>A device time as the device's English words write it (UTC, ISO 8601; an out-of-range value as its Unix ms).</summary>
    public static string Time(long unixMs) => unixMs is >= 0 and <= 253_402_300_799_999
        ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : Number(unixMs) + " (Unix ms)";
}
