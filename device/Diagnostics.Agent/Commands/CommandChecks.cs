using System.Collections.Frozen;
using System.Globalization;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Commands;

/// <summary>Why a command does not run: <see cref="CommandOutcome.Refused"/> or <see cref="CommandOutcome.Expired"/>, and the words why.</summary>
public sealed record CommandRefusal(CommandOutcome Outcome, string Detail);

/// <summary>The consent rules a command or an update offer can break, in the order they are checked.</summary>
public enum ConsentRule
{
    Missing,
    OtherAction,
    OtherSubject,
    NoExpiry,
    Expired,
    Revoked,
}

/// <summary>
/// Why a consent does not cover an action: the rule, its values (ids; the action's lower-case names; times as Unix ms,
/// invariant) and the words the device has always written.
/// </summary>
public sealed record ConsentProblem(ConsentRule Rule, IReadOnlyList<string> Values, string Detail);

/// <summary>
/// The checks a command passes before the device acts, by the device's own rules and clock (the cloud checked too;
/// the device does not take its word for it). Pure: a command, the latest consent set and the time in; a refusal or
/// the command's parameters out.
/// </summary>
public static class CommandChecks
{
    /// <summary>
    /// The parameters each command accepts, with the values allowed. A command not listed takes none.
    /// <c>identify</c>'s <c>action</c> is IPP's identify-actions keyword.
    /// </summary>
    public static readonly FrozenDictionary<string, FrozenDictionary<string, FrozenSet<string>>> AcceptedParameters =
        new Dictionary<string, FrozenDictionary<string, FrozenSet<string>>>
        {
            [DeviceCommands.Identify] = new Dictionary<string, FrozenSet<string>>
            {
                ["action"] = new[] { "display", "flash", "sound", "speak" }.ToFrozenSet(StringComparer.Ordinal),
            }.ToFrozenDictionary(StringComparer.Ordinal),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, FrozenSet<string>> NoParameters = FrozenDictionary<string, FrozenSet<string>>.Empty;

    /// <summary>
    /// Null when the command may run now (<paramref name="parameters"/> then holds them by name); otherwise why not.
    /// Order: unknown name, parameters, no or past expiry, then the consent (missing, wrong action, bound to another
    /// command, no or past expiry, revoked).
    /// </summary>
    /// <param name="latestConsents">The newest consent set received, or null when none ever was.</param>
    public static CommandRefusal? Check(Command command, ConsentSet? latestConsents, long nowUnixMs, out IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(command);
        parameters = FrozenDictionary<string, string>.Empty;
        if (!DeviceCommands.ConsentNeeded.TryGetValue(command.Name, out var needed))
            return Refused($"unknown command '{command.Name}'");
        if (CheckParameters(command, out parameters) is { } badParameters)
            return Refused(badParameters);
        if (command.ExpiresUnixMs <= 0)
            return Refused("the command has no expiry");
        if (nowUnixMs > command.ExpiresUnixMs)
            return new CommandRefusal(CommandOutcome.Expired, $"the command expired at {Time(command.ExpiresUnixMs)} (device clock {Time(nowUnixMs)})");
        return CheckConsent(command, needed, latestConsents, nowUnixMs);
    }

    private static string? CheckParameters(Command command, out IReadOnlyDictionary<string, string> parameters)
    {
        parameters = FrozenDictionary<string, string>.Empty;
        var accepted = AcceptedParameters.GetValueOrDefault(command.Name, NoParameters);
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in command.Parameters)
        {
            if (!accepted.TryGetValue(parameter.Name, out var values))
            {
                return accepted.Count == 0
                    ? $"parameter '{parameter.Name}' is not accepted by {command.Name}: it takes no parameters"
                    : $"parameter '{parameter.Name}' is not accepted by {command.Name}: it accepts {string.Join(", ", accepted.Keys.Order(StringComparer.Ordinal))}";
            }
            if (!given.TryAdd(parameter.Name, parameter.Value))
                return $"parameter '{parameter.Name}' is given twice";
            if (!values.Contains(parameter.Value))
                return $"parameter '{parameter.Name}' of {command.Name} must be one of {string.Join(", ", values.Order(StringComparer.Ordinal))} (was '{parameter.Value}')";
        }
        parameters = given;
        return null;
    }

    private static CommandRefusal? CheckConsent(Command command, ConsentAction needed, ConsentSet? latestConsents, long nowUnixMs) =>
        CheckConsent(command.Consent, needed, command.Name, "command", command.CommandId, latestConsents, nowUnixMs) is { } refusal ? Refused(refusal) : null;

    /// <summary>
    /// Why <paramref name="consent"/> does not cover acting on <paramref name="subject"/> now, or null when it does:
    /// missing, for another action, a one-time approval of something else, no or past expiry, revoked. Commands and
    /// update offers (whose one-time approvals name the offer id) are held to the same rules.
    /// </summary>
    /// <param name="subject">How the refusal names what needs the consent (<c>clear-paper-path</c>, <c>update offer-7</c>).</param>
    /// <param name="subjectKind">What a one-time approval is bound to: <c>command</c> or <c>update offer</c>.</param>
    /// <param name="subjectId">The id a one-time approval must name (the command id, the offer id).</param>
    public static string? CheckConsent(
        ConsentGrant? consent, ConsentAction needed, string subject, string subjectKind, string subjectId, ConsentSet? latestConsents, long nowUnixMs) =>
        FindConsentProblem(consent, needed, subject, subjectKind, subjectId, latestConsents, nowUnixMs)?.Detail;

    /// <summary><see cref="CheckConsent"/> with the rule broken and its values (invariant), for a report a cloud words again.</summary>
    public static ConsentProblem? FindConsentProblem(
        ConsentGrant? consent, ConsentAction needed, string subject, string subjectKind, string subjectId, ConsentSet? latestConsents, long nowUnixMs)
    {
        if (consent is null || consent.ConsentId.Length == 0)
            return new(ConsentRule.Missing, [], $"no consent: {subject} needs a {Name(needed)} consent");
        var id = consent.ConsentId;
        if (consent.Action != needed)
            return new(ConsentRule.OtherAction, [id, Name(consent.Action), Name(needed)], $"consent {id} is for {Name(consent.Action)}, but {subject} needs {Name(needed)}");
        if (consent.CommandId.Length > 0 && consent.CommandId != subjectId)
            return new(ConsentRule.OtherSubject, [id, consent.CommandId], $"consent {id} is a one-time approval of {subjectKind} {consent.CommandId}, not of this one");
        if (consent.ExpiresUnixMs <= 0)
            return new(ConsentRule.NoExpiry, [id], $"consent {id} has no expiry");
        if (nowUnixMs > consent.ExpiresUnixMs)
            return new(ConsentRule.Expired, [id, Invariant(consent.ExpiresUnixMs), Invariant(nowUnixMs)],
                $"consent {id} expired at {Time(consent.ExpiresUnixMs)} (device clock {Time(nowUnixMs)})");
        // A consent set lists the standing consents only (a one-time approval lives and dies with its command), so
        // only a standing consent can be revoked by its absence from a newer set.
        if (consent.CommandId.Length == 0 && latestConsents is { } set && set.IssuedUnixMs > consent.GrantedUnixMs
            && !set.Grants.Exists(g => g.ConsentId == consent.ConsentId))
            return new(ConsentRule.Revoked, [id, Invariant(set.IssuedUnixMs)], $"consent {id} was revoked (absent from the consent set of {Time(set.IssuedUnixMs)})");
        return null;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static CommandRefusal Refused(string detail) => new(CommandOutcome.Refused, detail);

    private static string Name(ConsentAction action) => action.ToString().ToLowerInvariant();

    /// <summary>A Unix time in milliseconds as the device's refusals show it. The cloud's numbers are not trusted to be dates: one outside DateTimeOffset's range is shown as it came.</summary>
    internal static string Time(long unixMs) => Diagnostics.Protocol.Updates.UpdateDetail.Time(unixMs);
}
