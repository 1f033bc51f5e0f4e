namespace Diagnostics.Cloud.Updates;

/// <summary>What the scheduler does now with a device of a running rollout.</summary>
public enum DeviceStep
{
    /// <summary>Nothing: its wave has not come, it is on its way, finished, or waiting for its customer.</summary>
    None,
    /// <summary>Its wave has come, or its customer's "remind me later" is over: offer it, or ask its customer first.</summary>
    Open,
    /// <summary>Its offer was not taken up in time (the device was away): withdraw it and offer again with a new id and moment.</summary>
    Reoffer,
    /// <summary>Send its outstanding offer again as it is (after a start, when the broker may have lost what it retained).</summary>
    Republish,
}

/// <summary>Where a running rollout goes once its devices were seen to and it did not halt.</summary>
public enum RolloutMove
{
    /// <summary>The current wave is not done yet, or the last wave still has devices to finish.</summary>
    Stay,
    /// <summary>Every device of the last wave finished.</summary>
    Complete,
    /// <summary>The current wave is done: the next one opens now.</summary>
    OpenNextWave,
}

/// <summary>
/// The scheduler's decisions for a running rollout, pure so they can be tested alone beside <see cref="RolloutPlanning"/>:
/// what each device needs now, whether the current wave failed too often to go on, and whether it is done. The
/// <see cref="RolloutService"/> reads the rows, asks these, and carries out the answers.
/// </summary>
public static class WaveAdvancer
{
    /// <summary>What <paramref name="device"/> needs now; devices of later waves wait.</summary>
    /// <param name="offerLifetime">How long an offer stays good after its moment (<see cref="UpdateOptions.OfferLifetime"/>).</param>
    /// <param name="republish">Every outstanding offer goes out again (the first pass after a start).</param>
    public static DeviceStep StepFor(RolloutDevice device, int currentWave, DateTimeOffset now, TimeSpan offerLifetime, bool republish)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Wave > currentWave)
            return DeviceStep.None;
        return device.State switch
        {
            DeviceUpdateState.Pending => DeviceStep.Open,
            DeviceUpdateState.Deferred when device.DeferredUntil <= now => DeviceStep.Open,
            DeviceUpdateState.Approved when device.NotBefore + offerLifetime <= now => DeviceStep.Reoffer,
            DeviceUpdateState.Approved when republish => DeviceStep.Republish,
            _ => DeviceStep.None,
        };
    }

    /// <summary>
    /// Why the rollout halts for its current wave's failures, or null: the failed and rolled-back share of the wave's
    /// finished installs above <see cref="RolloutSpec.FailureThresholdPercent"/>. (Devices that are worse after the
    /// update than before halt it too: <see cref="RolloutPlanning.DescribeRegression"/>.) In English, to store
    /// (<see cref="RolloutNotes"/>).
    /// </summary>
    public static string? DescribeFailureRate(Rollout rollout, IReadOnlyList<RolloutDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        var wave = devices.Where(d => d.Wave == rollout.CurrentWave).ToList();
        var finished = wave.Count(d => d.State is DeviceUpdateState.Succeeded or DeviceUpdateState.Failed or DeviceUpdateState.RolledBack);
        var failed = wave.Count(d => d.State is DeviceUpdateState.Failed or DeviceUpdateState.RolledBack);
        if (finished > 0 && failed * 100.0 / finished > rollout.Spec.FailureThresholdPercent)
            return RolloutNotes.Write("Halt.Failures", rollout.CurrentWave + 1, failed, finished,
                RolloutNotes.Number(failed * 100.0 / finished, "0.#"), RolloutNotes.Number(rollout.Spec.FailureThresholdPercent, "0.#"));
        return null;
    }

    /// <summary>Where the rollout goes, given all its devices as they are now.</summary>
    /// <param name="healthObservation">How long the wave's last success is watched before the next wave opens (<see cref="UpdateOptions.HealthObservation"/>).</param>
    public static RolloutMove Move(Rollout rollout, IReadOnlyList<RolloutDevice> devices, DateTimeOffset now, TimeSpan healthObservation)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        if (!IsWaveDone(rollout, devices, now, healthObservation))
            return RolloutMove.Stay;
        var lastWave = devices.Count == 0 ? 0 : devices.Max(d => d.Wave);
        if (rollout.CurrentWave < lastWave)
            return RolloutMove.OpenNextWave;
        return devices.All(d => d.State.IsFinished()) ? RolloutMove.Complete : RolloutMove.Stay;
    }

    /// <summary>
    /// A wave is done when its window has passed, none of its devices is still on its way, at least one installed (or
    /// all said no), and its last success has been watched for <paramref name="healthObservation"/>. Devices still
    /// waiting for their customer do not hold the rollout back; their offer stays open.
    /// </summary>
    public static bool IsWaveDone(Rollout rollout, IReadOnlyList<RolloutDevice> devices, DateTimeOffset now, TimeSpan healthObservation)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        if (now < rollout.WaveStartedAt + TimeSpan.FromSeconds(rollout.Spec.WaveWindowSeconds))
            return false;
        var wave = devices.Where(d => d.Wave == rollout.CurrentWave).ToList();
        if (wave.Any(d => d.State == DeviceUpdateState.Approved || d.State.HasStarted() || d.State == DeviceUpdateState.Pending))
            return false;
        var installed = devices.Where(d => d.Wave <= rollout.CurrentWave && d.State is DeviceUpdateState.Succeeded or DeviceUpdateState.Failed or DeviceUpdateState.RolledBack).ToList();
        if (installed.Count == 0 && !wave.All(d => d.State.IsFinished()))
            return false;
        var lastSuccess = wave.Where(d => d.State == DeviceUpdateState.Succeeded).Select(d => d.FinishedAt).Max();
        return lastSuccess is null || now >= lastSuccess + healthObservation;
    }
}
