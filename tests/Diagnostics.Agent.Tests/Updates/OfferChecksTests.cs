using System.Security.Cryptography;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>Which offers the agent accepts and why not, without a broker, a payload server or a disk.</summary>
public sealed class OfferChecksTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Uri Cloud = new("https://cloud.example/");
    private static readonly DeviceFacts Printer = new("Acme LaserPro 400", "B", "2.2.0");

    private readonly ECDsa _releaseKey = ManifestSigning.CreateKey();
    private readonly TrustedKey _pinned;

    public OfferChecksTests() => _pinned = TrustedKey.TryFromPem(_releaseKey.ExportSubjectPublicKeyInfoPem(), out _)!;

    public void Dispose()
    {
        _pinned.Dispose();
        _releaseKey.Dispose();
    }

    private static ConsentGrant ApprovalOf(string offerId, Action<ConsentGrant>? change = null)
    {
        var grant = new ConsentGrant
        {
            ConsentId = "approval-" + offerId,
            Action = ConsentAction.Install,
            GrantedUnixMs = Now.AddMinutes(-1).ToUnixTimeMilliseconds(),
            ExpiresUnixMs = Now.AddHours(1).ToUnixTimeMilliseconds(),
            CommandId = offerId,
            GrantedBy = "owner@example.com",
        };
        change?.Invoke(grant);
        return grant;
    }

    private UpdateOffer Offer(Action<UpdateManifest>? manifest = null, ECDsa? signedBy = null, Action<UpdateOffer>? offer = null)
    {
        var image = SHA256.HashData("image 2.3.0"u8);
        var package = new UpdateManifest
        {
            PackageId = "lp400-fw-2.3.0",
            Kind = PackageKind.Firmware,
            Version = "2.3.0",
            Models = ["Acme LaserPro 400"],
            ImageSize = 1024,
            ImageSha256 = image,
            PayloadSize = 1024,
            PayloadSha256 = image,
            CreatedUnixMs = Now.AddDays(-1).ToUnixTimeMilliseconds(),
            ExpiresUnixMs = Now.AddDays(30).ToUnixTimeMilliseconds(),
        };
        manifest?.Invoke(package);
        var signed = new SignedManifest { Manifest = ManifestSigning.Encode(package) };
        ManifestSigning.AddSignature(signed, signedBy ?? _releaseKey);
        var result = new UpdateOffer
        {
            OfferId = "offer-1",
            Package = signed,
            PayloadUrl = "api/devices/printer-1/updates/packages/lp400-fw-2.3.0/payload",
            Consent = ApprovalOf("offer-1"),
            ExpiresUnixMs = Now.AddHours(1).ToUnixTimeMilliseconds(),
        };
        offer?.Invoke(result);
        return result;
    }

    private OfferVerdict CheckFirmware(UpdateOffer offer, DeviceFacts? device = null, bool runningImageReadable = true, Uri? cloud = null, ConsentSet? consents = null)
    {
        var verdict = OfferChecks.CheckSignedAndConsented(offer, [_pinned], consents, Now);
        return verdict.IsAccepted
            ? OfferChecks.CheckForDevice(offer, verdict.Manifest!, device ?? Printer, runningImageReadable, cloud ?? Cloud, Now)
            : verdict;
    }

    [Fact]
    public void A_signed_offer_with_a_one_time_install_approval_of_itself_is_accepted_with_its_manifest()
    {
        var verdict = CheckFirmware(Offer());

        Assert.True(verdict.IsAccepted, verdict.Detail);
        Assert.Equal(("lp400-fw-2.3.0", "2.3.0"), (verdict.Manifest!.PackageId, verdict.Manifest.Version));
    }

    [Fact]
    public void An_offer_without_a_package_is_malformed()
    {
        var verdict = CheckFirmware(Offer(offer: o => o.Package = null));

        Assert.Equal((UpdateFailure.ManifestMalformed, "the offer carries no package"), (verdict.Failure, verdict.Detail));
        Assert.Equal(UpdateDetail.NoPackageCode, verdict.Reason.Code);
    }

    [Fact]
    public void The_signature_is_checked_before_the_consent_so_an_unsigned_release_never_reads_as_merely_unapproved()
    {
        using var stranger = ManifestSigning.CreateKey();

        var verdict = CheckFirmware(Offer(signedBy: stranger, offer: o => o.Consent = null));

        Assert.Equal(UpdateFailure.UntrustedKey, verdict.Failure);
    }

    public static TheoryData<string, string> ConsentsThatDoNotCover => new()
    {
        { "none", "no consent: update offer-1 needs a install consent" },
        { "maintenance", "consent approval-offer-1 is for maintenance, but update offer-1 needs install" },
        { "another offer", "consent approval-offer-0 is a one-time approval of update offer offer-0, not of this one" },
        { "expired", "consent approval-offer-1 expired at 2026-03-02T08:59:59Z (device clock 2026-03-02T09:00:00Z)" },
    };

    [Theory]
    [MemberData(nameof(ConsentsThatDoNotCover))]
    public void An_offer_is_refused_without_an_install_consent_for_it_that_holds_now(string consent, string detail)
    {
        var offer = Offer(offer: o => o.Consent = consent switch
        {
            "none" => null,
            "maintenance" => ApprovalOf("offer-1", g => g.Action = ConsentAction.Maintenance),
            "another offer" => ApprovalOf("offer-0"),
            _ => ApprovalOf("offer-1", g => g.ExpiresUnixMs = Now.AddSeconds(-1).ToUnixTimeMilliseconds()),
        });

        var verdict = CheckFirmware(offer);

        Assert.Equal((UpdateFailure.ConsentMissing, detail), (verdict.Failure, verdict.Detail));
        Assert.Equal("lp400-fw-2.3.0", verdict.Manifest?.PackageId);
    }

    [Fact]
    public void A_standing_install_consent_missing_from_a_newer_consent_set_was_revoked()
    {
        var standing = ApprovalOf("offer-1", g =>
        {
            g.ConsentId = "policy-1";
            g.CommandId = "";
        });
        var newer = new ConsentSet { IssuedUnixMs = Now.ToUnixTimeMilliseconds() };

        Assert.True(CheckFirmware(Offer(offer: o => o.Consent = standing)).IsAccepted);
        var verdict = CheckFirmware(Offer(offer: o => o.Consent = standing), consents: newer);

        Assert.Equal(UpdateFailure.ConsentMissing, verdict.Failure);
        Assert.Contains("policy-1 was revoked", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_is_refused_when_the_installer_keeps_the_running_image_to_itself()
    {
        var delta = Offer(manifest: m =>
        {
            m.DeltaFromVersion = "2.2.0";
            m.DeltaFromSha256 = SHA256.HashData("image 2.2.0"u8);
            m.PayloadSize = 100;
            m.PayloadSha256 = SHA256.HashData("delta"u8);
        });

        Assert.Equal((UpdateFailure.DeltaBaseMismatch, UpdateDetail.DeltaNeedsRunningImageCode),
            (CheckFirmware(delta, runningImageReadable: false).Failure, CheckFirmware(delta, runningImageReadable: false).Reason.Code));
        Assert.Equal(UpdateFailure.DeltaBaseMismatch, CheckFirmware(delta, Printer with { RunningImageSha256 = SHA256.HashData("another 2.2.0"u8) }).Failure);
        Assert.True(CheckFirmware(delta, Printer with { RunningImageSha256 = SHA256.HashData("image 2.2.0"u8) }).IsAccepted);
    }

    [Fact]
    public void A_package_for_another_model_is_refused_before_the_offer_itself_is_looked_at()
    {
        var verdict = CheckFirmware(Offer(offer: o => o.ExpiresUnixMs = Now.AddSeconds(-1).ToUnixTimeMilliseconds()), Printer with { Model = "Acme InkJet 20" });

        Assert.Equal(UpdateFailure.WrongModel, verdict.Failure);
    }

    [Fact]
    public void An_offer_past_its_own_expiry_is_refused_even_when_its_package_is_still_good()
    {
        var verdict = CheckFirmware(Offer(offer: o => o.ExpiresUnixMs = Now.ToUnixTimeMilliseconds()));

        Assert.Equal((UpdateFailure.OfferExpired, "the offer expired at 2026-03-02T09:00:00Z (device clock 2026-03-02T09:00:00Z)"), (verdict.Failure, verdict.Detail));
        // The times as Unix milliseconds, for the cloud to write in each reader's calendar.
        var expiry = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(UpdateDetail.OfferExpiredCode, verdict.Reason.Code);
        Assert.Equal([expiry, expiry], verdict.Reason.Values);
    }

    [Theory]
    [InlineData("https://downloads.example/lp400.bin", "https://cloud.example/", "https://downloads.example/lp400.bin")]
    [InlineData("api/devices/printer-1/payload", "https://cloud.example/", "https://cloud.example/api/devices/printer-1/payload")]
    [InlineData("ftp://downloads.example/lp400.bin", "https://cloud.example/", null)]
    [InlineData("api/devices/printer-1/payload", null, null)]
    [InlineData("", "https://cloud.example/", null)]
    public void The_payload_is_fetched_over_http_from_its_own_address_or_one_relative_to_the_cloud(string payloadUrl, string? cloud, string? expected) =>
        Assert.Equal(expected, OfferChecks.PayloadUri(payloadUrl, cloud is null ? null : new Uri(cloud))?.AbsoluteUri);

    [Fact]
    public void An_offer_whose_payload_cannot_be_addressed_is_refused_as_a_failed_download()
    {
        var offer = Offer();
        var manifest = OfferChecks.CheckSignedAndConsented(offer, [_pinned], null, Now).Manifest!;

        var verdict = OfferChecks.CheckForDevice(offer, manifest, Printer, runningImageReadable: true, cloudUrl: null, Now);

        Assert.Equal(UpdateFailure.DownloadFailed, verdict.Failure);
        Assert.Contains("Agent:CloudUrl", verdict.Detail, StringComparison.Ordinal);
        Assert.Equal((UpdateDetail.PayloadUrlUnusableCode, offer.PayloadUrl), (verdict.Reason.Code, Assert.Single(verdict.Reason.Values)));
    }

    [Fact]
    public void A_driver_package_takes_the_hosts_answer_first_and_then_the_offers()
    {
        var offer = Offer(offer: o => o.ExpiresUnixMs = Now.ToUnixTimeMilliseconds());
        var manifest = OfferChecks.CheckSignedAndConsented(offer, [_pinned], null, Now).Manifest!;

        var refusedByHost = OfferChecks.CheckForHost(offer, manifest, (UpdateFailure.WrongPlatform, UpdateDetail.Words("no queue prints to this model")), Cloud, Now);
        var acceptedByHost = OfferChecks.CheckForHost(offer, manifest, (UpdateFailure.None, UpdateDetail.None), Cloud, Now);

        Assert.Equal((UpdateFailure.WrongPlatform, "no queue prints to this model"), (refusedByHost.Failure, refusedByHost.Detail));
        Assert.Equal(UpdateFailure.OfferExpired, acceptedByHost.Failure);
    }
}
