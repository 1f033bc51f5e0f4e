using System.Globalization;

namespace Diagnostics.Agent.Collectors.Simulated;

/// <summary>
/// A fault the simulated printer raises at a fixed simulated second, so a test or a demo can make a device jam on
/// cue instead of waiting for chance. Written <c>code@start</c> or <c>code@start/duration</c>, e.g.
/// <c>ipp:media-jam@5s</c> (cleared after the usual person-reaction time) or <c>ipp:door-open@1m/30s</c>;
/// several are separated by commas. Besides condition codes: <c>stubborn-jam</c>, a paper jam (reported as
/// <c>ipp:media-jam</c>) that clear-paper-path cannot clear; and <c>ipp:paused</c>, which resume-printer ends.
/// </summary>
public sealed record ScriptedFault(string Code, int AtSecond, int? ForSeconds)
{
    /// <summary>The faults a script can raise: the ones a person clears.</summary>
    public static IReadOnlyList<string> SupportedCodes { get; } =
    [
        SimulatedPrinter.MediaJamCode,
        SimulatedPrinter.DoorOpenCode,
        SimulatedPrinter.MediaEmptyCode,
        SimulatedPrinter.FuserFaultCode,
        SimulatedPrinter.PausedCode,
        SimulatedPrinter.StubbornJamFault,
    ];

    /// <summary>Parses a script; <paramref name="errors"/> names every part that is not understood.</summary>
    public static IReadOnlyList<ScriptedFault> Parse(string? script, out IReadOnlyList<string> errors)
    {
        var faults = new List<ScriptedFault>();
        var problems = new List<string>();
        foreach (var part in (script ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.LastIndexOf('@');
            var code = at > 0 ? part[..at] : "";
            var timing = at > 0 ? part[(at + 1)..].Split('/') : [];
            if (!SupportedCodes.Contains(code))
            {
                problems.Add($"'{part}': the fault must be one of {string.Join(", ", SupportedCodes)} followed by @start.");
                continue;
            }
            if (timing.Length is < 1 or > 2 || TryParseSeconds(timing[0]) is not { } start)
            {
                problems.Add($"'{part}': write the start as @5s or @2m, optionally followed by /30s for how long it lasts.");
                continue;
            }
            int? duration = null;
            if (timing.Length == 2)
            {
                if (TryParseSeconds(timing[1]) is not { } lasts || lasts < 1)
                {
                    problems.Add($"'{part}': the duration after '/' must be at least 1s.");
                    continue;
                }
                duration = lasts;
            }
            faults.Add(new ScriptedFault(code, start, duration));
        }
        errors = problems;
        return faults;
    }

    private static int? TryParseSeconds(string text)
    {
        var unit = text.EndsWith('m') ? 60 : 1;
        var number = text.TrimEnd('s', 'm');
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= int.MaxValue / unit
            ? value * unit
            : null;
    }
}
