using Diagnostics.Cloud.Hosts;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>What a rollout may target, and why the others were left out (counted by reason).</summary>
public sealed record RolloutCandidates(IReadOnlyList<UpdateCandidate> Candidates, IReadOnlyDictionary<SkipReason, int> LeftOut);

/// <summary>
/// Why a device or host was left out of a rollout: the name of its text in <see cref="UpdateExplanations"/>
/// (<c>Skip.*</c>, worded with the count first) and the one value it names, so the reasons are counted once and worded
/// in each reader's language.
/// </summary>
public readonly record struct SkipReason(string Text, string Value = "")
{
    /// <summary>"3 already on this version", in the reader's language.</summary>
    public string Describe(int count) => UpdateExplanations.Text(Text, count, Value);

    /// <summary>The reasons with their counts, as one clause: "2 already on this version; 1 not on a version asked for".</summary>
    public static string Describe(IEnumerable<KeyValuePair<SkipReason, int>> counted) =>
        string.Join(UpdateExplanations.Text("SkipSeparator"), counted.Select(reason => reason.Key.Describe(reason.Value)));
}

/// <summary>
/// Which agents a package goes to: for firmware, the devices of its models; for a driver, the hosts that print to one
/// of its printer models, judged by the same check the host makes (<see cref="DriverChecks.CheckForHost"/>: platform,
/// queues of those models, their driver older than the package's) on what each host last reported. A host's version
/// for the rollout is the oldest driver among the queues the package is for.
/// </summary>
public sealed class RolloutTargets(RolloutTargetStore devices, HostStore hosts)
{
    public async Task<RolloutCandidates> FindAsync(UpdateManifest manifest, IReadOnlyList<string> models, RolloutSpec spec, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(spec);
        if (manifest.Kind != PackageKind.Driver)
            return new RolloutCandidates(await devices.CandidatesAsync(models, spec.Tags, spec.DeviceIds, cancellationToken), new Dictionary<SkipReason, int>());
        var candidates = new List<UpdateCandidate>();
        var leftOut = new Dictionary<SkipReason, int>();
        foreach (var host in await hosts.HostsPrintingToAsync(models, spec.Tags, spec.DeviceIds, cancellationToken))
        {
            var queues = host.Queues
                .Where(q => models.Contains(q.Model, StringComparer.OrdinalIgnoreCase))
                .Select(q => new PrintQueue { Name = q.Queue, PrinterModel = q.Model, Driver = HostNames.DriverOf(q.Driver), DriverVersion = q.DriverVersion })
                .ToList();
            var formats = host.DriverFormats.Select(key => Enum.GetValues<DriverFormat>().FirstOrDefault(f => HostPlatforms.FormatKey(f) == key)).Where(f => f != DriverFormat.Unspecified).ToList();
            var check = DriverChecks.CheckForHost(manifest, new HostFacts(host.Os, host.Architecture, formats, queues), now);
            if (check.IsAccepted)
            {
                var oldest = check.Queues.Select(q => q.DriverVersion).OrderBy(v => v, VersionOrder).First();
                candidates.Add(new UpdateCandidate(host.HostId, check.Queues[0].PrinterModel, oldest));
                continue;
            }
            var reason = check.Failure switch
            {
                UpdateFailure.WrongPlatform => new SkipReason("Skip.HostOtherPlatform"),
                UpdateFailure.Downgrade => new SkipReason("Skip.HostAlreadyOnIt"),
                UpdateFailure.VersionTooOld => new SkipReason("Skip.HostTooOld", manifest.MinimumFromVersion),
                _ => new SkipReason("Skip.HostRefused", check.Failure.ToString()),
            };
            leftOut[reason] = leftOut.GetValueOrDefault(reason) + 1;
        }
        return new RolloutCandidates(candidates, leftOut);
    }

    /// <summary>Oldest first, as dotted numbers; a queue without a version is the oldest of all.</summary>
    private static readonly Comparer<string> VersionOrder = Comparer<string>.Create((a, b) =>
        a.Length == 0 || b.Length == 0 ? a.Length.CompareTo(b.Length) : FirmwareVersion.Compare(a, b) ?? string.CompareOrdinal(a, b));
}
