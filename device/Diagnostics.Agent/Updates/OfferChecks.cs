using Diagnostics.Agent.Commands;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>The answer to "may this offer be worked on here": accepted with its manifest, or the failure and why.</summary>
public sealed record OfferVerdict(UpdateFailure Failure, UpdateDetail Reason, UpdateManifest? Manifest)
{
    /// <summary>Why, in English (<see cref="UpdateDetail.Text"/>).</summary>
    public string Detail => Reason.Text;

    public bool IsAccepted => Failure == UpdateFailure.None;

    public static OfferVerdict Accepted(UpdateManifest manifest) => new(UpdateFailure.None, UpdateDetail.None, manifest);
}

/// <summary>
/// Which offers this agent accepts and why not, before anything is downloaded. Pure, so each rule is tested alone: the
/// installer reads what they need (its consents, the device's status, the running image's hash, the host's queues) and
/// asks them in this order; the first refusal is the answer.
/// </summary>
public static class OfferChecks
{
    /// <summary>Every offer first: a package, signed by a pinned key, and an Install consent for this offer that holds now.</summary>
    public static OfferVerdict CheckSignedAndConsented(UpdateOffer offer, IEnumerable<TrustedKey> trustedKeys, ConsentSet? latestConsents, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (offer.Package is null)
            return new(UpdateFailure.ManifestMalformed, UpdateDetail.NoPackage(), null);
        var signed = ManifestChecks.CheckSigned(offer.Package, trustedKeys);
        if (!signed.IsAccepted)
            return new(signed.Failure, UpdateDetail.Of(signed), signed.Manifest);
        var manifest = signed.Manifest!;
        if (CommandChecks.FindConsentProblem(offer.Consent, ConsentAction.Install, $"update {offer.OfferId}", "update offer", offer.OfferId,
                latestConsents, now.ToUnixTimeMilliseconds()) is { } consent)
            return new(UpdateFailure.ConsentMissing, Coded(consent), manifest);
        return OfferVerdict.Accepted(manifest);
    }

    /// <summary>A consent refusal as an update detail: the rule's code, its values and words as the command checks give them.</summary>
    public static UpdateDetail Coded(ConsentProblem consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var code = consent.Rule switch
        {
            ConsentRule.Missing => UpdateDetail.ConsentMissingCode,
            ConsentRule.OtherAction => UpdateDetail.ConsentOtherActionCode,
            ConsentRule.OtherSubject => UpdateDetail.ConsentOtherOfferCode,
            ConsentRule.NoExpiry => UpdateDetail.ConsentNoExpiryCode,
            ConsentRule.Expired => UpdateDetail.ConsentExpiredCode,
            ConsentRule.Revoked => UpdateDetail.ConsentRevokedCode,
            _ => "",
        };
        return code.Length == 0 ? UpdateDetail.Words(consent.Detail) : new UpdateDetail(code, consent.Values, consent.Detail);
    }

    /// <summary>
    /// A firmware package for this device: model, revision and versions (<see cref="ManifestChecks.CheckForDevice"/>),
    /// then the offer itself. A delta needs the running image, which <paramref name="runningImageReadable"/> says the
    /// device's installer lets the agent read (its hash then in <paramref name="device"/>).
    /// </summary>
    public static OfferVerdict CheckForDevice(UpdateOffer offer, UpdateManifest manifest, DeviceFacts device, bool runningImageReadable, Uri? cloudUrl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.IsDelta && !runningImageReadable)
            return new(UpdateFailure.DeltaBaseMismatch, UpdateDetail.DeltaNeedsRunningImage(), manifest);
        var forDevice = ManifestChecks.CheckForDevice(manifest, device, now);
        if (!forDevice.IsAccepted)
            return new(forDevice.Failure, UpdateDetail.Of(forDevice), manifest);
        return CheckOffer(offer, manifest, cloudUrl, now);
    }

    /// <summary>A driver package: the host's own answer (<see cref="DriverUpdateStep.CheckAsync"/>: platform, queues, driver versions), then the offer itself.</summary>
    public static OfferVerdict CheckForHost(UpdateOffer offer, UpdateManifest manifest, (UpdateFailure Failure, UpdateDetail Detail) host, Uri? cloudUrl, DateTimeOffset now)
    {
        if (host.Failure != UpdateFailure.None)
            return new(host.Failure, host.Detail, manifest);
        return CheckOffer(offer, manifest, cloudUrl, now);
    }

    /// <summary>The offer's own expiry and its payload's address, the last checks of every package.</summary>
    public static OfferVerdict CheckOffer(UpdateOffer offer, UpdateManifest manifest, Uri? cloudUrl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (offer.ExpiresUnixMs > 0 && now.ToUnixTimeMilliseconds() >= offer.ExpiresUnixMs)
            return new(UpdateFailure.OfferExpired, UpdateDetail.OfferExpired(offer.ExpiresUnixMs, now.ToUnixTimeMilliseconds()), manifest);
        if (PayloadUri(offer.PayloadUrl, cloudUrl) is null)
            return new(UpdateFailure.DownloadFailed, UpdateDetail.PayloadUrlUnusable(offer.PayloadUrl), manifest);
        return OfferVerdict.Accepted(manifest);
    }

    /// <summary>Where the payload is: an absolute http(s) address, or one relative to the cloud's; null when neither.</summary>
    public static Uri? PayloadUri(string payloadUrl, Uri? cloudUrl)
    {
        ArgumentNullException.ThrowIfNull(payloadUrl);
        if (Uri.TryCreate(payloadUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            return absolute;
        return cloudUrl is not null && payloadUrl.Length > 0 && Uri.TryCreate(cloudUrl, payloadUrl, out var relative) && relative.Scheme is "http" or "https"
            ? relative
            : null;
    }
}
