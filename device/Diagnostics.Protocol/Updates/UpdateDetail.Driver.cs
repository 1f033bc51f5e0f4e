using Diagnostics.Protocol.Hosts;

namespace Diagnostics.Protocol.Updates;

// The details of a driver package on a host: the host's own check before anything is downloaded (DriverChecks), and the
// installers' results (the agent's CUPS installer and its installer hook). The same discipline as every other code: each
// documents its values' order, and once shipped keeps its meaning. A list among the values is counted: its length first
// (invariant digits), then its items one by one, so a value after it is still found.
public sealed partial record UpdateDetail
{
    // The host's check (DriverChecks.CheckForHost).
    /// <summary>The driver package expired before the host took it. Values: its expiry, the host's clock (Unix ms).</summary>
    public const string DriverExpiredCode = "DriverExpired";
    /// <summary>No platform of the package is this host's. Values: the host's OS, its architecture, the package's platforms (counted, in the text form <c>os[/arch]:format</c>), then the forms the host installs (format keys, the rest).</summary>
    public const string DriverWrongPlatformCode = "DriverWrongPlatform";
    /// <summary>No queue prints to the package's models. Values: the models (counted), then each queue's name and its printer model ("" unknown), in pairs to the end.</summary>
    public const string DriverNoQueueCode = "DriverNoQueue";
    /// <summary>The queues for the models use no PPD, so a PPD would replace their set-up. Values: the models (counted), then each queue's name and its driver (<see cref="QueueDriver"/>'s name), in pairs to the end.</summary>
    public const string DriverQueuesWithoutPpdCode = "DriverQueuesWithoutPpd";
    /// <summary>Every queue already has this driver or a newer one. Values: the package's version, the models (counted), then each queue's name and its driver version ("" none), in pairs to the end.</summary>
    public const string DriverAlreadyNewerCode = "DriverAlreadyNewer";
    /// <summary>The queues' driver is older than the package updates from. Values: the oldest version it updates from, the models (counted), then the queues' driver versions ("" none, the rest).</summary>
    public const string DriverTooOldCode = "DriverTooOld";

    // Refused by an installer before anything changed.
    /// <summary>The agent is not in the host role. No values.</summary>
    public const string DriverNotHostCode = "DriverNotHost";
    /// <summary>The host no longer passes its check when the install begins. Values: the host check's code, then its values.</summary>
    public const string DriverHostChangedCode = "DriverHostChanged";
    /// <summary>The host has no installer for the package's driver form. Values: the form's key (<c>windows-inf</c>).</summary>
    public const string DriverNoInstallerCode = "DriverNoInstaller";
    /// <summary>A CUPS PPD payload larger than one PPD may be. Values: the largest allowed, its size (bytes).</summary>
    public const string DriverPpdTooLargeCode = "DriverPpdTooLarge";
    /// <summary>The package's PPD cannot be used. Values: the agent's reading of it (its words, verbatim).</summary>
    public const string DriverPpdUnusableCode = "DriverPpdUnusable";
    /// <summary>The PPD's <c>*FileVersion</c> is not the manifest's version. Values: the PPD's ("" none), the manifest's.</summary>
    public const string DriverFileVersionCode = "DriverFileVersion";
    /// <summary>cupstestppd refused the PPD. Values: its exit code, its output (verbatim).</summary>
    public const string DriverPpdTestFailedCode = "DriverPpdTestFailed";
    /// <summary>The queues' current drivers could not be saved, so nothing was changed. Values: the queue ("" when the list of queues could not be read), why (<see cref="QueueGone"/>, <see cref="QueueWithoutPpd"/> or <see cref="SchedulerSaid"/>), the scheduler's words ("" unless it said something).</summary>
    public const string DriverNotSavedCode = "DriverNotSaved";
    /// <summary>The installer hook failed. Values: the hook's program, its exit code, its output (verbatim).</summary>
    public const string DriverHookFailedCode = "DriverHookFailed";

    // What failed after a change (the reason a DriverRolledBack or DriverRollbackFailed carries).
    /// <summary>CUPS did not take the new PPD for a queue. Values: the queue, the scheduler's words (verbatim).</summary>
    public const string DriverPpdNotTakenCode = "DriverPpdNotTaken";
    /// <summary>A queue could not be read back after the install. Values: the queue, why (<see cref="QueueWithoutPpd"/>, <see cref="PpdUnreadable"/>: the agent's reading follows, or <see cref="SchedulerSaid"/>: the scheduler's words follow), those words ("" for none).</summary>
    public const string DriverReadBackFailedCode = "DriverReadBackFailed";
    /// <summary>A queue reports another driver version after the install. Values: the queue, the version it reports ("" none), the package's.</summary>
    public const string DriverReadBackVersionCode = "DriverReadBackVersion";
    /// <summary>A queue refused the test job. Values: the queue, the scheduler's words (verbatim).</summary>
    public const string DriverTestJobRefusedCode = "DriverTestJobRefused";
    /// <summary>The test job could not be followed. Values: the job id, the queue, the scheduler's words (verbatim).</summary>
    public const string DriverTestJobLostCode = "DriverTestJobLost";
    /// <summary>The test job did not print. Values: the job id, the queue, its state (IPP keyword), its message ("" none), then its state reasons (IPP keywords, the rest).</summary>
    public const string DriverTestJobFailedCode = "DriverTestJobFailed";
    /// <summary>The test job did not complete in time. Values: the job id, the queue, the seconds allowed (invariant, "0"), its state (IPP keyword), its message ("" none), then its state reasons (the rest).</summary>
    public const string DriverTestJobTimedOutCode = "DriverTestJobTimedOut";
    /// <summary>The agent stopped while it was installing the driver (found after a restart). No values.</summary>
    public const string DriverAgentStoppedCode = "DriverAgentStopped";

    // How it ended.
    /// <summary>
    /// Every queue has the new PPD and proved it. Values: the new version, who checked the PPD ("cupstestppd", or
    /// "agent" where cupstestppd is not installed), the proof ("print": test jobs completed, "hold": a held job was
    /// accepted and cancelled, "none"), the queues (counted), the drivers they had ("" none, counted), then the test jobs' ids (the rest).
    /// </summary>
    public const string DriverInstalledCode = "DriverInstalled";
    /// <summary>The installer hook installed the package. Values: the form's key, the version, the hook's program, then the queues (the rest).</summary>
    public const string DriverHookInstalledCode = "DriverHookInstalled";
    /// <summary>Something failed after a change and every queue has its saved PPD back. Values: the queues restored (counted), then the reason's code and values.</summary>
    public const string DriverRolledBackCode = "DriverRolledBack";
    /// <summary>Something failed after a change and going back failed too. Values: what failed in going back (counted; the agent's and the scheduler's words, verbatim), then the reason's code and values.</summary>
    public const string DriverRollbackFailedCode = "DriverRollbackFailed";

    /// <summary>Why a queue could not be saved or read back (<see cref="DriverNotSavedCode"/>'s and <see cref="DriverReadBackFailedCode"/>'s second value).</summary>
    public const string QueueGone = "gone";
    public const string QueueWithoutPpd = "no-ppd";
    public const string PpdUnreadable = "unreadable";
    public const string SchedulerSaid = "scheduler";

    /// <summary>Who checked an installed PPD (<see cref="DriverInstalledCode"/>'s second value).</summary>
    public const string CheckedByCupsTestPpd = "cupstestppd";
    public const string CheckedByAgent = "agent";

    /// <summary>How an installed driver proved itself (<see cref="DriverInstalledCode"/>'s third value).</summary>
    public const string ProofPrinted = "print";
    public const string ProofHeld = "hold";
    public const string ProofNone = "none";

    public static UpdateDetail DriverExpired(long expiresUnixMs, DateTimeOffset hostClock) =>
        new(DriverExpiredCode, [Number(expiresUnixMs), Number(hostClock.ToUnixTimeMilliseconds())],
            $"the package expired at {DateTimeOffset.FromUnixTimeMilliseconds(expiresUnixMs):u}; the host's clock says {hostClock:u}");

    public static UpdateDetail DriverWrongPlatform(IReadOnlyList<DriverPlatform> platforms, string os, string architecture, IReadOnlyCollection<DriverFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(formats);
        var installs = formats.Count == 0 ? "installs no drivers" : "installs " + string.Join(", ", formats.Select(HostPlatforms.FormatName));
        return new(DriverWrongPlatformCode, [os, architecture, .. Counted([.. platforms.Select(HostPlatforms.ToText)]), .. formats.Select(HostPlatforms.FormatKey)],
            $"the package is for {string.Join("; ", platforms)}; this host is {os}/{architecture} and {installs}");
    }

    public static UpdateDetail DriverNoQueue(IReadOnlyList<string> models, IReadOnlyList<PrintQueue> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var described = queues.Count == 0 ? "it has no print queues" : "its queues: " + string.Join(", ", queues.Select(q => $"{q.Name} → {(q.PrinterModel.Length > 0 ? q.PrinterModel : "an unknown model")}"));
        return new(DriverNoQueueCode, [.. Counted(models), .. queues.SelectMany(q => new[] { q.Name, q.PrinterModel })],
            $"no print queue on this host prints to {string.Join(", ", models)} ({described})");
    }

    public static UpdateDetail DriverQueuesWithoutPpd(IReadOnlyList<string> models, IReadOnlyList<PrintQueue> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        return new(DriverQueuesWithoutPpdCode, [.. Counted(models), .. queues.SelectMany(q => new[] { q.Name, q.Driver.ToString() })],
            $"the queues for {string.Join(", ", models)} use no PPD ({string.Join(", ", queues.Select(q => $"{q.Name}: {Describe(q.Driver)}"))}); a PPD would replace that");
    }

    public static UpdateDetail DriverAlreadyNewer(string version, IReadOnlyList<string> models, IReadOnlyList<PrintQueue> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        return new(DriverAlreadyNewerCode, [version, .. Counted(models), .. queues.SelectMany(q => new[] { q.Name, q.DriverVersion })],
            $"every queue for {string.Join(", ", models)} already has driver {version} or newer ({string.Join(", ", queues.Select(q => $"{q.Name}: {DriverVersion(q.DriverVersion)}"))})");
    }

    public static UpdateDetail DriverTooOld(string minimumFromVersion, IReadOnlyList<string> models, IReadOnlyList<string> queueVersions)
    {
        ArgumentNullException.ThrowIfNull(queueVersions);
        return new(DriverTooOldCode, [minimumFromVersion, .. Counted(models), .. queueVersions],
            $"the queues for {string.Join(", ", models)} have driver {string.Join(", ", queueVersions.Select(DriverVersion))}; this package updates from {minimumFromVersion} or later");
    }

    /// <summary>A host check's refusal: coded when the check names its problem, else its words.</summary>
    public static UpdateDetail Of(DriverCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Problem ?? Words(check.Detail);
    }

    public static UpdateDetail DriverNotHost() => new(DriverNotHostCode, [], "this agent is not in the host role");

    public static UpdateDetail DriverHostChanged(UpdateDetail hostCheck)
    {
        ArgumentNullException.ThrowIfNull(hostCheck);
        return new(DriverHostChangedCode, [hostCheck.Code, .. hostCheck.Values], "the host changed before the install: " + hostCheck.Text);
    }

    public static UpdateDetail DriverNoInstaller(DriverFormat format) =>
        new(DriverNoInstallerCode, [HostPlatforms.FormatKey(format)], $"this host has no installer for {HostPlatforms.FormatName(format)}");

    public static UpdateDetail DriverPpdTooLarge(long maxBytes, long size) =>
        new(DriverPpdTooLargeCode, [Number(maxBytes), Number(size)], $"a CUPS PPD package's payload is one PPD of at most {Number(maxBytes)} bytes; this one is {Number(size)}");

    public static UpdateDetail DriverPpdUnusable(string problem) =>
        new(DriverPpdUnusableCode, [problem], "the package's PPD cannot be used: " + problem);

    public static UpdateDetail DriverFileVersion(string ppdVersion, string manifestVersion) =>
        new(DriverFileVersionCode, [ppdVersion, manifestVersion], $"the package's PPD says *FileVersion {DriverVersion(ppdVersion, "(none)")}; the manifest says {manifestVersion}");

    public static UpdateDetail DriverPpdTestFailed(int exitCode, string output) =>
        new(DriverPpdTestFailedCode, [Number(exitCode), output], $"cupstestppd refused the package's PPD (exit code {Number(exitCode)}): {output}");

    /// <summary>Nothing saved, nothing changed: <paramref name="words"/> is the scheduler's, or empty when the queue is gone (<paramref name="gone"/>) or has no PPD.</summary>
    public static UpdateDetail DriverNotSaved(string queue, string words, bool gone = false)
    {
        var problem = words.Length > 0 ? words : gone ? $"queue {queue} is gone" : $"queue {queue} has no PPD any more";
        return new(DriverNotSavedCode, [queue, words.Length > 0 ? SchedulerSaid : gone ? QueueGone : QueueWithoutPpd, words],
            "the queues' current drivers could not be saved, so nothing was changed: " + problem);
    }

    public static UpdateDetail DriverHookFailed(string tool, int exitCode, string output) =>
        new(DriverHookFailedCode, [tool, Number(exitCode), output], $"the driver install command ({tool}) exited with code {Number(exitCode)}: {output}");

    public static UpdateDetail DriverPpdNotTaken(string queue, string words) =>
        new(DriverPpdNotTakenCode, [queue, words], $"CUPS did not take the new PPD for {queue}: {words}");

    /// <summary>A queue not read back: <paramref name="unreadable"/> is the agent's reading of its PPD, <paramref name="words"/> the scheduler's; both empty when it has no PPD.</summary>
    public static UpdateDetail DriverReadBackFailed(string queue, string words, string unreadable = "") =>
        new(DriverReadBackFailedCode, [queue, words.Length > 0 ? SchedulerSaid : unreadable.Length > 0 ? PpdUnreadable : QueueWithoutPpd, words.Length > 0 ? words : unreadable],
            words.Length > 0 ? $"{queue} could not be read back after the install: {words}"
            : unreadable.Length > 0 ? $"after the install {queue}'s PPD cannot be read: {unreadable}"
            : $"after the install {queue} has no PPD");

    public static UpdateDetail DriverReadBackVersion(string queue, string reported, string version) =>
        new(DriverReadBackVersionCode, [queue, reported, version], $"after the install {queue} reports driver {DriverVersion(reported, "(none)")}, not {version}");

    public static UpdateDetail DriverTestJobRefused(string queue, string words) =>
        new(DriverTestJobRefusedCode, [queue, words], $"{queue} refused the test job: {words}");

    public static UpdateDetail DriverTestJobLost(int jobId, string queue, string words) =>
        new(DriverTestJobLostCode, [Number(jobId), queue, words], $"the test job {Number(jobId)} on {queue} could not be followed: {words}");

    public static UpdateDetail DriverTestJobFailed(int jobId, string queue, string state, string message, IReadOnlyList<string> reasons) =>
        new(DriverTestJobFailedCode, [Number(jobId), queue, state, message, .. reasons], $"the test job {Number(jobId)} on {queue} did not print: {JobState(state, message, reasons)}");

    public static UpdateDetail DriverTestJobTimedOut(int jobId, string queue, TimeSpan allowed, string state, string message, IReadOnlyList<string> reasons)
    {
        var seconds = allowed.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        return new(DriverTestJobTimedOutCode, [Number(jobId), queue, seconds, state, message, .. reasons],
            $"the test job {Number(jobId)} on {queue} did not complete within {seconds} s ({JobState(state, message, reasons)})");
    }

    public static UpdateDetail DriverAgentStopped() => new(DriverAgentStoppedCode, [], "the agent stopped while it was installing the driver");

    /// <param name="jobIds">The test jobs that completed (<see cref="ProofPrinted"/>), else empty.</param>
    public static UpdateDetail DriverInstalled(string version, string checkedBy, string proof, IReadOnlyList<string> queues, IReadOnlyList<string> fromVersions, IReadOnlyList<int> jobIds)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var how = checkedBy == CheckedByCupsTestPpd ? "passed cupstestppd" : "read by the agent (cupstestppd is not installed here)";
        var proved = proof switch
        {
            ProofPrinted => $"test job{(jobIds.Count > 1 ? "s" : "")} {string.Join(", ", jobIds.Select(j => Number(j)))} completed",
            ProofHeld => "a held test job was accepted and cancelled",
            _ => "no test job (Host:TestJob=None)",
        };
        return new(DriverInstalledCode, [version, checkedBy, proof, .. Counted(queues), .. Counted(fromVersions), .. jobIds.Select(j => Number(j))],
            $"{string.Join(", ", queues)}: driver {string.Join(", ", fromVersions.Select(v => DriverVersion(v, "(none)")))} → {version} (the PPD {how}); read back {version}; {proved}");
    }

    public static UpdateDetail DriverHookInstalled(DriverFormat format, string version, string tool, IReadOnlyList<string> queues) =>
        new(DriverHookInstalledCode, [HostPlatforms.FormatKey(format), version, tool, .. queues],
            $"{HostPlatforms.FormatName(format)} {version} installed by {tool} for {string.Join(", ", queues)}");

    /// <param name="restored">Each queue restored, as the English words name it (with the start of the PPD's SHA-256); the values carry the names.</param>
    public static UpdateDetail DriverRolledBack(UpdateDetail reason, IReadOnlyList<string> queues, string restored)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new(DriverRolledBackCode, [.. Counted(queues), reason.Code, .. reason.Values], $"{reason.Text}; the previous PPD is back byte for byte on {restored}");
    }

    public static UpdateDetail DriverRollbackFailed(UpdateDetail reason, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new(DriverRollbackFailedCode, [.. Counted(problems), reason.Code, .. reason.Values], $"{reason.Text}; going back failed: {string.Join("; ", problems)}");
    }

    /// <summary>
    /// The detail a <see cref="DriverRolledBackCode"/>, <see cref="DriverRollbackFailedCode"/> or
    /// <see cref="DriverHostChangedCode"/> detail carries after its own (counted) values, without its English text;
    /// null for any other detail or when the values do not fit.
    /// </summary>
    public UpdateDetail? AsDriverReason()
    {
        var start = Code switch
        {
            DriverHostChangedCode => 0,
            DriverRolledBackCode or DriverRollbackFailedCode => SkipCounted(Values, 0),
            _ => -1,
        };
        return start >= 0 && start < Values.Count ? new UpdateDetail(Values[start], [.. Values.Skip(start + 1)], "") : null;
    }

    /// <summary>A counted list among <paramref name="values"/> at <paramref name="index"/>: its items, and the index after it; null when the values do not fit.</summary>
    public static (IReadOnlyList<string> Items, int Next)? ReadCounted(IReadOnlyList<string> values, int index)
    {
        ArgumentNullException.ThrowIfNull(values);
        var next = SkipCounted(values, index);
        return next < 0 ? null : ([.. values.Skip(index + 1).Take(next - index - 1)], next);
    }

    private static int SkipCounted(IReadOnlyList<string> values, int index) =>
        index < values.Count && int.TryParse(values[index], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
        && count <= values.Count - index - 1 ? index + 1 + count : -1;

    private static IEnumerable<string> Counted(IReadOnlyCollection<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [Number(items.Count), .. items];
    }

    private static string DriverVersion(string version) => DriverVersion(version, "without a version");

    private static string DriverVersion(string version, string none) => version.Length > 0 ? version : none;

    /// <summary>A print job's state as IPP names it, its reasons and its message, as the driver details write it ("aborted, job-canceled-by-system: Filter failed").</summary>
    public static string JobState(string state, string message, IEnumerable<string> reasons) =>
        JobState(state, message, (IReadOnlyList<string>)[.. reasons]);

    private static string JobState(string state, string message, IReadOnlyList<string> reasons) =>
        $"{state}{(reasons.Count > 0 ? ", " + string.Join(", ", reasons) : "")}{(message.Length > 0 ? ": " + message : "")}";

    private static string Describe(QueueDriver driver) => driver switch
    {
        QueueDriver.Driverless => "driverless (IPP Everywhere)",
        QueueDriver.Raw => "raw",
        _ => "unknown",
    };
}
