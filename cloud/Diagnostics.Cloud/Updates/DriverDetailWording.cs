using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// What a host said about a driver package (its own check, and its installers' results: the <c>Driver*</c> codes of
/// <see cref="UpdateDetail"/>), in the reader's language from <c>Resources/Updates/DriverDetails{,.zh-Hans,.ja}.resx</c>;
/// reached through <see cref="UpdateExplanations.Device"/>. Queue names, versions, IPP keywords and the tools' own
/// output are the host's and stay as sent; numbers and times are written in the reader's culture.
/// </summary>
internal static class DriverDetailWording
{
    private static readonly LocalizedTexts Texts = new("Updates.DriverDetails");

    /// <summary>The detail in the reader's words; null when it is no driver detail, or its values do not fit (then the device's words are shown).</summary>
    public static string? Device(UpdateDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        if (!detail.Code.StartsWith("Driver", StringComparison.Ordinal))
            return null;
        try
        {
            return Word(detail, detail.Values);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // Fewer values than the code documents (a damaged row): the device's words rather than a broken line.
            return null;
        }
    }

    private static string? Word(UpdateDetail detail, IReadOnlyList<string> v) => detail.Code switch
    {
        UpdateDetail.DriverExpiredCode => Text(detail.Code, Time(v[0]), Time(v[1])),
        UpdateDetail.DriverWrongPlatformCode => WrongPlatform(v),
        UpdateDetail.DriverNoQueueCode => Counted(v, 0) is { } models
            ? models.Next == v.Count
                ? Text(detail.Code + ".NoQueues", List(models.Items))
                : Text(detail.Code, List(models.Items), List(Pairs(v, models.Next).Select(q => Text("QueueTo", q.A, q.B.Length > 0 ? q.B : Text("UnknownModel")))))
            : null,
        UpdateDetail.DriverQueuesWithoutPpdCode => Counted(v, 0) is { } models
            ? Text(detail.Code, List(models.Items), List(Pairs(v, models.Next).Select(q => Text("QueueIs", q.A, Text("QueueDriver." + QueueDriverName(q.B))))))
            : null,
        UpdateDetail.DriverAlreadyNewerCode => Counted(v, 1) is { } models
            ? Text(detail.Code, v[0], List(models.Items), List(Pairs(v, models.Next).Select(q => Text("QueueIs", q.A, Version(q.B)))))
            : null,
        UpdateDetail.DriverTooOldCode => Counted(v, 1) is { } models
            ? Text(detail.Code, v[0], List(models.Items), List(v.Skip(models.Next).Select(Version)))
            : null,
        UpdateDetail.DriverHostChangedCode or UpdateDetail.DriverRolledBackCode or UpdateDetail.DriverRollbackFailedCode => Nested(detail, v),
        UpdateDetail.DriverNoInstallerCode => Text(detail.Code, HostPlatforms.FormatNameOfKey(v[0])),
        UpdateDetail.DriverPpdTooLargeCode => Text(detail.Code, Number(v[0]), Number(v[1])),
        UpdateDetail.DriverFileVersionCode => Text(detail.Code, Version(v[0]), v[1]),
        UpdateDetail.DriverNotSavedCode or UpdateDetail.DriverReadBackFailedCode => Text($"{detail.Code}.{v[1]}", v[0], v[2]),
        UpdateDetail.DriverReadBackVersionCode => Text(detail.Code, v[0], Version(v[1]), v[2]),
        UpdateDetail.DriverTestJobFailedCode => Text(detail.Code, v[0], v[1], JobState(v[2], v[3], v.Skip(4))),
        UpdateDetail.DriverTestJobTimedOutCode => Text(detail.Code, v[0], v[1], Number(v[2]), JobState(v[3], v[4], v.Skip(5))),
        UpdateDetail.DriverInstalledCode => Installed(v),
        UpdateDetail.DriverHookInstalledCode => Text(detail.Code, HostPlatforms.FormatNameOfKey(v[0]), v[1], v[2], List(v.Skip(3))),
        // The rest name their values in the order they travel (no values, or the host's words).
        _ => Text(detail.Code, [.. v]),
    };

    private static string? WrongPlatform(IReadOnlyList<string> v)
    {
        if (Counted(v, 2) is not { } platforms)
            return null;
        var named = List(platforms.Items.Select(p => HostPlatforms.TryParse(p, out _)?.ToString() ?? p));
        var forms = v.Skip(platforms.Next).Select(HostPlatforms.FormatNameOfKey).ToList();
        return forms.Count == 0
            ? Text(UpdateDetail.DriverWrongPlatformCode + ".NoForms", named, v[0], v[1])
            : Text(UpdateDetail.DriverWrongPlatformCode, named, v[0], v[1], List(forms));
    }

    private static string? Installed(IReadOnlyList<string> v)
    {
        if (Counted(v, 3) is not { } queues || Counted(v, queues.Next) is not { } from)
            return null;
        var proof = v[2] switch
        {
            UpdateDetail.ProofPrinted => Text("Proof.print", List(v.Skip(from.Next))),
            UpdateDetail.ProofHeld => Text("Proof.hold"),
            _ => Text("Proof.none"),
        };
        var checkedBy = Text(v[1] == UpdateDetail.CheckedByCupsTestPpd ? "CheckedBy.cupstestppd" : "CheckedBy.agent");
        return Text(UpdateDetail.DriverInstalledCode, List(queues.Items), List(from.Items.Select(Version)), v[0], checkedBy, proof);
    }

    /// <summary>A detail that carries another (the host check's refusal, what failed before going back): that one worded in turn, or null.</summary>
    private static string? Nested(UpdateDetail detail, IReadOnlyList<string> v)
    {
        if (detail.AsDriverReason() is not { } reason || UpdateExplanations.Device(reason) is not { } reasonWords)
            return null;
        return detail.Code switch
        {
            UpdateDetail.DriverRolledBackCode => Text(detail.Code, reasonWords, List(Counted(v, 0)!.Value.Items)),
            // What failed in going back is the host's and the scheduler's words, quoted as they came.
            UpdateDetail.DriverRollbackFailedCode => Text(detail.Code, reasonWords, string.Join("; ", Counted(v, 0)!.Value.Items)),
            _ => Text(detail.Code, reasonWords),
        };
    }

    private static string Text(string code, params object?[] args)
    {
        var name = code.StartsWith("Driver", StringComparison.Ordinal) ? "Device." + code : code;
        return Texts.Manager.GetString(name, CultureInfo.InvariantCulture) is null
            ? throw new FormatException($"no text {name}")
            : Texts.Format(name, args);
    }

    private static (IReadOnlyList<string> Items, int Next)? Counted(IReadOnlyList<string> values, int index) => UpdateDetail.ReadCounted(values, index);

    private static IEnumerable<(string A, string B)> Pairs(IReadOnlyList<string> values, int from)
    {
        for (var i = from; i + 1 < values.Count; i += 2)
            yield return (values[i], values[i + 1]);
    }

    private static string List(IEnumerable<string> items) => LocalizedTexts.List(items);

    private static string Version(string version) => version.Length > 0 ? version : Text("NoVersion");

    private static string QueueDriverName(string name) => Enum.TryParse<QueueDriver>(name, out var driver) && Enum.IsDefined(driver) ? driver.ToString() : nameof(QueueDriver.Unknown);

    // IPP's own keywords (job state, its reasons) and the printer's message, as the host said them.
    private static string JobState(string state, string message, IEnumerable<string> reasons) => UpdateDetail.JobState(state, message, reasons);

    private static object Number(string value) => UpdateExplanations.NumberOrAsSent(value);

    private static string Time(string unixMs) => UpdateExplanations.TimeOrAsSent(unixMs);
}
