using System.Security.Cryptography;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>Delta packages: a <see cref="BinaryDelta"/> from the image the device runs, applied on the device and checked before it installs.</summary>
public sealed class DeltaUpdateTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    /// <summary>A delta release from the image in the device's active slot (what the cloud knows the device runs) to <paramref name="version"/>.</summary>
    private async Task<(Release Release, byte[] Target)> DeltaReleaseAsync(string version, string offerId, byte[]? claimedBaseSha256 = null)
    {
        var source = await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotA), TestContext.Current.CancellationToken);
        var target = SimulatedFirmwareImage.Create(version, UpdateRig.Model, [], source.Length, UpdateRig.ImageSeed);
        var delta = BinaryDelta.Create(source, target);
        var release = _rig.MakeRelease(version, offerId, manifest: m =>
        {
            m.PackageId = $"lp400-fw-{version}-from-2.1.0";
            m.ImageSize = target.Length;
            m.ImageSha256 = SHA256.HashData(target);
            m.DeltaFromVersion = UpdateRig.FactoryVersion;
            m.DeltaFromSha256 = claimedBaseSha256 ?? SHA256.HashData(source);
            m.PayloadSize = delta.Length;
            m.PayloadSha256 = SHA256.HashData(delta);
        });
        _rig.Server.Serve(release.PayloadPath, delta);
        return (release, target);
    }

    [Fact]
    public async Task A_delta_is_applied_to_the_running_image_and_the_result_installed_after_its_hash_checks_out()
    {
        await _rig.StartAgentAsync();
        var (release, target) = await DeltaReleaseAsync("2.3.0", "offer-delta");

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-delta");
        Assert.Equal((UpdatePhase.Succeeded, "2.3.0"), (final.Phase, final.RunningVersion));
        Assert.Equal(target, await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotB), TestContext.Current.CancellationToken));
        Assert.Equal(release.Manifest.PayloadSize, _rig.Server.BytesSent);
        Assert.True(release.Manifest.PayloadSize < target.Length / 4, $"a delta of {release.Manifest.PayloadSize} bytes for an image of {target.Length}");
    }

    [Fact]
    public async Task A_delta_for_another_base_image_is_refused_before_anything_is_downloaded()
    {
        await _rig.StartAgentAsync();
        var (release, _) = await DeltaReleaseAsync("2.3.0", "offer-delta-other-base", claimedBaseSha256: SHA256.HashData("another build of 2.1.0"u8));

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-delta-other-base");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.DeltaBaseMismatch), (final.Phase, final.Failure));
        Assert.Empty(_rig.Server.Requests);
    }
}
