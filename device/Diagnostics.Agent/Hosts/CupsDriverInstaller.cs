using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Hosts;

/// <summary>
/// Installs a PPD driver package on CUPS queues: checks the PPD (the agent's own reading, its <c>*FileVersion</c>
/// against the manifest, and <c>cupstestppd</c> where installed), saves each queue's current PPD (to disk first, so a
/// restart can go back), gives each queue the new PPD (CUPS-Add-Modify-Printer), reads each queue back for the new
/// version, and proves each accepts work with a test job. On any failure after the first change every queue gets its
/// saved PPD back, checked byte for byte, and is started again if the test stopped it.
/// </summary>
public sealed partial class CupsDriverInstaller(CupsScheduler cups, HostOptions options, TimeProvider time, ILogger logger) : IDriverInstaller
{
    public const string TestJobName = "Diagnostics driver check";

    /// <summary>What a restart needs to go back: each queue's PPD as it was, and whether it was taking jobs.</summary>
    public const string SavedFileName = "saved-queues.json";

    /// <summary>One page of PostScript: every CUPS PPD queue takes it (through its filters to the printer's language).</summary>
    public static readonly byte[] TestPage = Encoding.ASCII.GetBytes("""
        %!PS-Adobe-3.0
        %%Title: Diagnostics driver check
        %%Pages: 1
        %%EndComments
        %%Page: 1 1
        /Helvetica findfont 14 scalefont setfont
        72 720 moveto (Diagnostics: this printer's new driver works.) show
        showpage
        %%EOF

        """.Replace("\r\n", "\n", StringComparison.Ordinal));

    private static readonly TimeSpan JobPollInterval = TimeSpan.FromMilliseconds(250);

    public DriverFormat Format => DriverFormat.CupsPpd;

    public async Task<DriverInstallResult> InstallAsync(DriverInstallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manifest = request.Manifest;
        var queues = request.Queues.Select(q => q.Name).ToList();
        var payload = await File.ReadAllBytesAsync(request.PayloadPath, cancellationToken);
        if (await CheckAsync(request.PayloadPath, payload, manifest, cancellationToken) is { } refused)
        {
            Log.Refused(logger, manifest.PackageId, refused.Detail.Text);
            return refused;
        }
        var checkedBy = FindTool(options.CupsTestPpd) is null ? UpdateDetail.CheckedByAgent : UpdateDetail.CheckedByCupsTestPpd;

        // Saved before anything changes, and on disk: a restart in the middle goes back from here.
        var (saved, notSaved) = await SaveAsync(queues, cancellationToken);
        if (notSaved is not null)
            return DriverInstallResult.Failed(UpdateFailure.InstallFailed, notSaved);
        Directory.CreateDirectory(request.WorkDirectory);
        await AtomicFile.WriteAsync(Path.Combine(request.WorkDirectory, SavedFileName), JsonSerializer.SerializeToUtf8Bytes(saved, SavedQueuesJson.Default.ListQueueBeforeInstall), cancellationToken);

        var testJobs = new List<(string Queue, int JobId)>();
        UpdateDetail? failure = null;
        var failureKind = UpdateFailure.InstallFailed;
        foreach (var queue in queues)
        {
            try
            {
                await cups.SetPpdAsync(queue, payload, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                failure = UpdateDetail.DriverPpdNotTaken(queue, ex.Message);
                break;
            }
            var readBack = await ReadVersionAsync(queue, cancellationToken);
            if (readBack.Problem is not null || FirmwareVersion.Compare(readBack.Version, manifest.Version) != 0)
            {
                failure = readBack.Problem ?? UpdateDetail.DriverReadBackVersion(queue, readBack.Version, manifest.Version);
                failureKind = UpdateFailure.HealthCheckFailed;
                break;
            }
            Log.Installed(logger, queue, manifest.Version);
            var test = await TestAsync(queue, testJobs, cancellationToken);
            if (test is not null)
            {
                failure = test;
                failureKind = UpdateFailure.HealthCheckFailed;
                break;
            }
        }
        if (failure is null)
        {
            Directory.Delete(request.WorkDirectory, recursive: true);
            var proof = options.TestJob switch
            {
                TestJobMode.Print => UpdateDetail.ProofPrinted,
                TestJobMode.Hold => UpdateDetail.ProofHeld,
                _ => UpdateDetail.ProofNone,
            };
            return DriverInstallResult.Installed(UpdateDetail.DriverInstalled(manifest.Version, checkedBy, proof, queues,
                [.. request.Queues.Select(q => q.DriverVersion).Distinct()], proof == UpdateDetail.ProofPrinted ? [.. testJobs.Select(j => j.JobId)] : []));
        }
        return await RollBackAsync(saved, testJobs, failureKind, failure, request.WorkDirectory, cancellationToken);
    }

    public async Task<DriverInstallResult?> RecoverAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(workDirectory, SavedFileName);
        if (!File.Exists(path))
            return null;
        var saved = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken), SavedQueuesJson.Default.ListQueueBeforeInstall) ?? [];
        return await RollBackAsync(saved, [], UpdateFailure.InstallFailed, UpdateDetail.DriverAgentStopped(), workDirectory, cancellationToken);
    }

    /// <summary>The package's PPD before any queue is touched; the refusal, or null when it may be installed.</summary>
    private async Task<DriverInstallResult?> CheckAsync(string path, byte[] payload, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        if (payload.Length > CupsScheduler.MaxPpdBytes)
            return DriverInstallResult.Failed(UpdateFailure.DriverInvalid, UpdateDetail.DriverPpdTooLarge(CupsScheduler.MaxPpdBytes, payload.Length));
        if (PpdFile.TryRead(payload, out var problem) is not { } ppd)
            return DriverInstallResult.Failed(UpdateFailure.DriverInvalid, UpdateDetail.DriverPpdUnusable(problem ?? ""));
        if (FirmwareVersion.Compare(ppd.FileVersion, manifest.Version) != 0)
            return DriverInstallResult.Failed(UpdateFailure.DriverInvalid, UpdateDetail.DriverFileVersion(ppd.FileVersion, manifest.Version));
        if (FindTool(options.CupsTestPpd) is not { } cupstestppd)
            return null;
        // cupstestppd judges the file by its name's extension (.gz is read compressed): give it a .ppd of its own.
        var copy = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + ".ppd");
        await File.WriteAllBytesAsync(copy, payload, cancellationToken);
        try
        {
            var environment = options.CupsServerBin.Length > 0 ? new Dictionary<string, string> { ["CUPS_SERVERBIN"] = options.CupsServerBin } : null;
            var result = await InstallerHook.RunAsync($"\"{cupstestppd}\" \"{copy}\"", new Dictionary<string, string>(), options.RequestTimeout * 3, cancellationToken, environment);
            Log.Checked(logger, manifest.PackageId, result.ExitCode);
            return result.Succeeded ? null : DriverInstallResult.Failed(UpdateFailure.DriverInvalid, UpdateDetail.DriverPpdTestFailed(result.ExitCode, result.Output));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>Each queue's PPD and state as they are now; or why they could not be saved (then nothing may change).</summary>
    private async Task<(List<QueueBeforeInstall> Saved, UpdateDetail? Problem)> SaveAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var saved = new List<QueueBeforeInstall>();
        var queue = "";
        try
        {
            var now = (await cups.GetQueuesAsync(cancellationToken)).ToDictionary(q => q.Name, StringComparer.Ordinal);
            foreach (var name in queues)
            {
                queue = name;
                if (!now.TryGetValue(queue, out var attributes))
                    return (saved, UpdateDetail.DriverNotSaved(queue, "", gone: true));
                if (await cups.GetPpdAsync(queue, cancellationToken) is not { } ppd)
                    return (saved, UpdateDetail.DriverNotSaved(queue, ""));
                saved.Add(new QueueBeforeInstall(queue, ppd, attributes.AcceptingJobs, attributes.State == (int)Protocol.DeviceState.Stopped));
            }
        }
        catch (IppRequestException ex)
        {
            return (saved, UpdateDetail.DriverNotSaved(queue, ex.Message));
        }
        return (saved, null);
    }

    private async Task<(string Version, UpdateDetail? Problem)> ReadVersionAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            var ppd = await cups.GetPpdAsync(queue, cancellationToken);
            if (ppd is null)
                return ("", UpdateDetail.DriverReadBackFailed(queue, ""));
            return PpdFile.TryRead(ppd, out var problem) is { } read ? (read.FileVersion, null) : ("", UpdateDetail.DriverReadBackFailed(queue, "", problem ?? ""));
        }
        catch (IppRequestException ex)
        {
            return ("", UpdateDetail.DriverReadBackFailed(queue, ex.Message));
        }
    }

    /// <summary>The test job on one queue: null when the queue proved it accepts work, else what went wrong.</summary>
    private async Task<UpdateDetail?> TestAsync(string queue, List<(string Queue, int JobId)> jobs, CancellationToken cancellationToken)
    {
        if (options.TestJob == TestJobMode.None)
            return null;
        var hold = options.TestJob == TestJobMode.Hold;
        int jobId;
        try
        {
            jobId = await cups.PrintAsync(queue, TestJobName, "application/postscript", TestPage, hold, cancellationToken);
        }
        catch (IppRequestException ex)
        {
            return UpdateDetail.DriverTestJobRefused(queue, ex.Message);
        }
        jobs.Add((queue, jobId));
        var deadline = time.GetUtcNow() + options.TestJobTimeout;
        while (true)
        {
            CupsJobState job;
            try
            {
                job = await cups.GetJobStateAsync(queue, jobId, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                return UpdateDetail.DriverTestJobLost(jobId, queue, ex.Message);
            }
            var settled = hold ? job.State == IppJobState.PendingHeld : job.State == IppJobState.Completed;
            if (settled)
            {
                Log.TestJob(logger, queue, jobId, job.State.ToString());
                if (hold)
                    await cups.CancelJobAsync(queue, jobId, cancellationToken);
                return null;
            }
            if (job.State is IppJobState.ProcessingStopped or IppJobState.Canceled or IppJobState.Aborted)
            {
                Log.TestJob(logger, queue, jobId, job.State.ToString());
                return UpdateDetail.DriverTestJobFailed(jobId, queue, KebabCase(job.State), job.Message, job.Reasons);
            }
            if (time.GetUtcNow() >= deadline)
                return UpdateDetail.DriverTestJobTimedOut(jobId, queue, options.TestJobTimeout, KebabCase(job.State), job.Message, job.Reasons);
            await Task.Delay(JobPollInterval, time, cancellationToken);
        }
    }

    /// <summary>Every saved queue gets its own PPD back, checked byte for byte, and is started again when the test stopped it.</summary>
    private async Task<DriverInstallResult> RollBackAsync(
        IReadOnlyList<QueueBeforeInstall> saved, IReadOnlyList<(string Queue, int JobId)> testJobs, UpdateFailure failure, UpdateDetail reason, string workDirectory,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var (queue, jobId) in testJobs)
        {
            try
            {
                await cups.CancelJobAsync(queue, jobId, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                problems.Add($"the test job {jobId} on {queue} could not be cancelled: {ex.Message}");
            }
        }
        foreach (var queue in saved)
        {
            try
            {
                await cups.SetPpdAsync(queue.Queue, queue.Ppd, cancellationToken);
                var back = await cups.GetPpdAsync(queue.Queue, cancellationToken);
                if (back is null || !back.AsSpan().SequenceEqual(queue.Ppd))
                {
                    problems.Add($"{queue.Queue}'s PPD differs from the saved one after restoring it (SHA-256 {Sha(back)}, saved {Sha(queue.Ppd)})");
                    continue;
                }
                var now = (await cups.GetQueuesAsync(cancellationToken)).FirstOrDefault(q => q.Name == queue.Queue);
                if (now is not null && !queue.WasStopped && queue.WasAccepting && (now.State == (int)Protocol.DeviceState.Stopped || !now.AcceptingJobs))
                    await cups.EnableAsync(queue.Queue, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                problems.Add($"{queue.Queue} could not be given its saved PPD back: {ex.Message}");
            }
        }
        var restored = string.Join(", ", saved.Select(q => $"{q.Queue} (SHA-256 {Sha(q.Ppd)[..16]}…)"));
        if (problems.Count > 0)
        {
            Log.RollbackFailed(logger, reason.Text, string.Join("; ", problems));
            return new DriverInstallResult(DriverInstallOutcome.RollbackFailed, failure, UpdateDetail.DriverRollbackFailed(reason, problems));
        }
        Directory.Delete(workDirectory, recursive: true);
        Log.RolledBack(logger, reason.Text, restored);
        return new DriverInstallResult(DriverInstallOutcome.RolledBack, failure, UpdateDetail.DriverRolledBack(reason, [.. saved.Select(q => q.Queue)], restored));
    }

    /// <summary>A tool by path, or by name on the PATH (and the sbin folders a service's PATH may lack); null when not installed.</summary>
    internal static string? FindTool(string nameOrPath)
    {
        if (nameOrPath.Length == 0)
            return null;
        if (Path.IsPathRooted(nameOrPath))
            return File.Exists(nameOrPath) ? nameOrPath : null;
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]);
        return directories.Select(d => Path.Combine(d, nameOrPath)).FirstOrDefault(File.Exists);
    }

    private static string KebabCase(IppJobState state) => state switch
    {
        IppJobState.PendingHeld => "pending-held",
        IppJobState.ProcessingStopped => "processing-stopped",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Sha(byte[]? bytes) => bytes is null ? "(none)" : Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>One queue as it was before the install.</summary>
    public sealed record QueueBeforeInstall(string Queue, byte[] Ppd, bool WasAccepting, bool WasStopped);

    // The saved file's format as before (default options); generated at compile time: the agent is published with Native AOT.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
    [JsonSerializable(typeof(List<QueueBeforeInstall>))]
    private sealed partial class SavedQueuesJson : JsonSerializerContext;

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.DriverChecked, LogLevel.Information, "cupstestppd checked the PPD of {PackageId}: exit code {ExitCode}")]
        public static partial void Checked(ILogger logger, string packageId, int exitCode);

        [LoggerMessage(AgentLogEvents.DriverRefused, LogLevel.Warning, "Driver package {PackageId} refused before anything changed: {Reason}")]
        public static partial void Refused(ILogger logger, string packageId, string reason);

        [LoggerMessage(AgentLogEvents.DriverInstalled, LogLevel.Information, "Queue {Queue} has driver {Version} now")]
        public static partial void Installed(ILogger logger, string queue, string version);

        [LoggerMessage(AgentLogEvents.DriverTestJob, LogLevel.Information, "Test job {JobId} on {Queue}: {State}")]
        public static partial void TestJob(ILogger logger, string queue, int jobId, string state);

        [LoggerMessage(AgentLogEvents.DriverRolledBack, LogLevel.Warning, "Driver install rolled back ({Reason}); restored {Restored}")]
        public static partial void RolledBack(ILogger logger, string reason, string restored);

        [LoggerMessage(AgentLogEvents.DriverRollbackFailed, LogLevel.Error, "Driver install failed ({Reason}) and going back failed: {Problems}")]
        public static partial void RollbackFailed(ILogger logger, string reason, string problems);
    }
}
