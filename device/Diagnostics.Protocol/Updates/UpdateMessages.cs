using ProtoBuf;

namespace Diagnostics.Protocol.Updates;

/// <summary>What a package installs.</summary>
public enum PackageKind
{
    Unspecified = 0,
    Firmware = 1,
    /// <summary>A printer driver or other software the agent's host installs for the device.</summary>
    Driver = 2,
}

/// <summary>
/// What a package is and what it may replace: the signed part of a package. The device trusts nothing about an update
/// that is not in here, and checks every field it can before it installs (<see cref="ManifestChecks"/>).
/// </summary>
/// <remarks>
/// A full package's payload is the image itself. A delta package's payload is a <c>BinaryDelta</c> from the image of
/// <see cref="DeltaFromVersion"/> (whose hash is <see cref="DeltaFromSha256"/>) to the image this manifest describes:
/// the device downloads <see cref="PayloadSize"/> bytes and installs <see cref="ImageSize"/> bytes.
/// </remarks>
[ProtoContract]
public sealed class UpdateManifest
{
    /// <summary>Unique per package, chosen by the release engineer (<c>acme-lx500-fw-2.4.1</c>).</summary>
    [ProtoMember(1)] public string PackageId { get; set; } = "";
    [ProtoMember(2)] public PackageKind Kind { get; set; }
    /// <summary>Dotted numbers (<see cref="FirmwareVersion.IsReleaseVersion"/>).</summary>
    [ProtoMember(3)] public string Version { get; set; } = "";
    /// <summary>Models the package is built for, as devices report them; never empty.</summary>
    [ProtoMember(4)] public List<string> Models { get; set; } = [];
    /// <summary>Hardware revisions it supports; empty: every revision of those models.</summary>
    [ProtoMember(5)] public List<string> HardwareRevisions { get; set; } = [];
    /// <summary>The oldest version that may update to this one directly; empty: any.</summary>
    [ProtoMember(6)] public string MinimumFromVersion { get; set; } = "";
    [ProtoMember(7)] public long ImageSize { get; set; }
    [ProtoMember(8)] public byte[] ImageSha256 { get; set; } = [];
    [ProtoMember(9)] public long CreatedUnixMs { get; set; }
    /// <summary>After this no device installs it: an old signed package must not be replayed years later.</summary>
    [ProtoMember(10)] public long ExpiresUnixMs { get; set; }
    /// <summary>
    /// A release made to go back to an older version. Signed like any other, it is the only way a device accepts a
    /// version lower than the one it runs.
    /// </summary>
    [ProtoMember(11)] public bool IsRollbackRelease { get; set; }
    /// <summary>Empty for a full image; for a delta, the version whose image it applies to.</summary>
    [ProtoMember(12)] public string DeltaFromVersion { get; set; } = "";
    [ProtoMember(13)] public byte[] DeltaFromSha256 { get; set; } = [];
    [ProtoMember(14)] public long PayloadSize { get; set; }
    [ProtoMember(15)] public byte[] PayloadSha256 { get; set; } = [];
    /// <summary>Shown to customers and agents before they approve; plain text.</summary>
    [ProtoMember(16)] public string ReleaseNotes { get; set; } = "";
    /// <summary>
    /// A driver package's host platforms: the computers and print servers it installs on, and in what form. Empty for
    /// firmware. <see cref="Models"/> names the printers the driver is for, as the printers report their model.
    /// </summary>
    [ProtoMember(17)] public List<DriverPlatform> Platforms { get; set; } = [];

    public bool IsDelta => DeltaFromVersion.Length > 0;
}

/// <summary>How a driver package's payload is installed on its host.</summary>
public enum DriverFormat
{
    Unspecified = 0,
    /// <summary>A PPD file for a CUPS queue (Linux, macOS, print servers).</summary>
    CupsPpd = 1,
    /// <summary>A CUPS Printer Application (PAPPL) bundle, installed by the host's installer hook.</summary>
    PrinterApplication = 2,
    /// <summary>A Windows driver package (INF and its files, zipped), installed with <c>pnputil /add-driver … /install</c>.</summary>
    WindowsInf = 3,
    /// <summary>A macOS installer package, installed with <c>installer -pkg … -target /</c>.</summary>
    MacPackage = 4,
}

/// <summary>One kind of host a driver package installs on: an operating system, its architectures and the driver's form.</summary>
[ProtoContract]
public sealed class DriverPlatform
{
    /// <summary>One of <see cref="HostPlatforms.OperatingSystems"/>: <c>linux</c>, <c>windows</c>, <c>macos</c>.</summary>
    [ProtoMember(1)] public string Os { get; set; } = "";
    /// <summary>As .NET names them (<c>x64</c>, <c>arm64</c>, <c>x86</c>, <c>arm</c>); empty: every architecture (a PPD is text).</summary>
    [ProtoMember(2)] public List<string> Architectures { get; set; } = [];
    [ProtoMember(3)] public DriverFormat Format { get; set; }

    public override string ToString() =>
        $"{Os}{(Architectures.Count > 0 ? "/" + string.Join(",", Architectures) : "")} ({HostPlatforms.FormatName(Format)})";
}

/// <summary>The algorithms a manifest may be signed with.</summary>
public enum SignatureAlgorithm
{
    Unspecified = 0,
    /// <summary>ECDSA over NIST P-256 with SHA-256; the signature in IEEE P1363 form (r || s, 64 bytes).</summary>
    EcdsaP256Sha256 = 1,
}

/// <summary>One signature over <see cref="SignedManifest.Manifest"/>, by one key.</summary>
[ProtoContract]
public sealed class ManifestSignature
{
    /// <summary>First 8 bytes of the SHA-256 of the key's SubjectPublicKeyInfo, in lowercase hex (<see cref="ManifestSigning.KeyId"/>).</summary>
    [ProtoMember(1)] public string KeyId { get; set; } = "";
    [ProtoMember(2)] public SignatureAlgorithm Algorithm { get; set; }
    [ProtoMember(3)] public byte[] Signature { get; set; } = [];
}

/// <summary>
/// A manifest as it was signed: its exact bytes and every signature over them. Keeping the bytes (instead of
/// re-encoding the message) means verification never depends on two encoders agreeing. More than one signature lets a
/// release be signed by the old and the new key while devices move from one to the other.
/// </summary>
[ProtoContract]
public sealed class SignedManifest
{
    /// <summary>An encoded <see cref="UpdateManifest"/>.</summary>
    [ProtoMember(1)] public byte[] Manifest { get; set; } = [];
    [ProtoMember(2)] public List<ManifestSignature> Signatures { get; set; } = [];
}

/// <summary>
/// Cloud to device, retained on <c>dx/{id}/down/update</c> (QoS 1): the one update offered to this device now, or the
/// withdrawal of an earlier one. The device installs each <see cref="OfferId"/> at most once and reports every step with
/// an <see cref="UpdateReport"/>.
/// </summary>
[ProtoContract]
public sealed class UpdateOffer
{
    /// <summary>Unique per device and rollout; the device's idempotency key and the id its reports carry.</summary>
    [ProtoMember(1)] public string OfferId { get; set; } = "";
    [ProtoMember(2)] public SignedManifest? Package { get; set; }
    /// <summary>Where to fetch the payload over HTTPS, absolute or relative to the cloud's address; supports range requests.</summary>
    [ProtoMember(3)] public string PayloadUrl { get; set; } = "";
    /// <summary>The customer's consent to install (<see cref="ConsentAction.Install"/>); the device checks it as it does a command's.</summary>
    [ProtoMember(4)] public ConsentGrant? Consent { get; set; }
    /// <summary>Do not start before this: the wave's pacing and the customer's maintenance window, decided by the cloud.</summary>
    [ProtoMember(5)] public long NotBeforeUnixMs { get; set; }
    /// <summary>The device does not start an offer after this; one it has started, it finishes.</summary>
    [ProtoMember(6)] public long ExpiresUnixMs { get; set; }
    /// <summary>Wait until the device is not busy (not printing) before installing.</summary>
    [ProtoMember(7)] public bool WaitUntilIdle { get; set; }
    /// <summary>
    /// The rollout stopped (halted, paused or cancelled): a device that has not begun installing drops the offer and
    /// reports it failed with <see cref="UpdateFailure.Withdrawn"/>; one that has, finishes, because stopping halfway is
    /// the one thing worse than either.
    /// </summary>
    [ProtoMember(8)] public bool Withdrawn { get; set; }
    /// <summary>Seconds the new version has to come back and pass its health check before the device switches back.</summary>
    [ProtoMember(9)] public int HealthCheckSeconds { get; set; }
}

/// <summary>Where a device is with one update. Offered and approved happen in the cloud; everything else on the device.</summary>
public enum UpdatePhase
{
    Unspecified = 0,
    Downloading = 1,
    Verifying = 2,
    Installing = 3,
    Rebooting = 4,
    /// <summary>Running the new version, checking itself before it commits to it.</summary>
    HealthCheck = 5,
    /// <summary>Running the new version after its reboot and healthy: the only success.</summary>
    Succeeded = 6,
    Failed = 7,
    /// <summary>The new version did not come back healthy in time; the device runs the old one again.</summary>
    RolledBack = 8,
}

/// <summary>Why an update did not install, precisely enough for a release engineer to act on.</summary>
public enum UpdateFailure
{
    None = 0,
    SignatureInvalid = 1,
    /// <summary>Signed, but by no key the device trusts.</summary>
    UntrustedKey = 2,
    ManifestMalformed = 3,
    PayloadHashMismatch = 4,
    PayloadSizeMismatch = 5,
    WrongModel = 6,
    WrongHardwareRevision = 7,
    Expired = 8,
    /// <summary>Older than (or the same as) what runs, and not a signed rollback release.</summary>
    Downgrade = 9,
    /// <summary>The device runs a version older than the manifest's minimum to update from.</summary>
    VersionTooOld = 10,
    /// <summary>A delta for another base image than the one the device runs.</summary>
    DeltaBaseMismatch = 11,
    ImageHashMismatch = 12,
    DownloadFailed = 13,
    InstallFailed = 14,
    HealthCheckFailed = 15,
    ConsentMissing = 16,
    Withdrawn = 17,
    OfferExpired = 18,
    /// <summary>Not enough room for the download or the inactive slot.</summary>
    NoSpace = 19,
    /// <summary>A driver package for another operating system, architecture or driver form than this host's.</summary>
    WrongPlatform = 20,
    /// <summary>The driver inside the package failed the host's own checks (its PPD does not pass, or names another version).</summary>
    DriverInvalid = 21,
}

/// <summary>
/// Device to cloud (<c>up/update</c>, through the outbox like every event): one step of one update, and the version
/// the device runs now. After a power loss the device reports again from where it is.
/// </summary>
[ProtoContract]
public sealed class UpdateReport
{
    [ProtoMember(1)] public string OfferId { get; set; } = "";
    [ProtoMember(2)] public string PackageId { get; set; } = "";
    [ProtoMember(3)] public string TargetVersion { get; set; } = "";
    [ProtoMember(4)] public UpdatePhase Phase { get; set; }
    /// <summary>0..100 while downloading.</summary>
    [ProtoMember(5)] public int Percent { get; set; }
    [ProtoMember(6)] public UpdateFailure Failure { get; set; }
    /// <summary>What happened in words (the check that failed and its values, the installer's message).</summary>
    [ProtoMember(7)] public string Detail { get; set; } = "";
    /// <summary>The version running when the report was made.</summary>
    [ProtoMember(8)] public string RunningVersion { get; set; } = "";
    [ProtoMember(9)] public long BytesDone { get; set; }
    [ProtoMember(10)] public long BytesTotal { get; set; }
    /// <summary>
    /// <see cref="Detail"/>'s <see cref="UpdateDetail.Code"/>, so a reader of another language can be told it; empty from an
    /// agent that does not code its details (before this field) or for words not coded yet: <see cref="Detail"/> is then all there is.
    /// </summary>
    [ProtoMember(11)] public string DetailCode { get; set; } = "";
    /// <summary><see cref="Detail"/>'s <see cref="UpdateDetail.Values"/>, in the order its code documents.</summary>
    [ProtoMember(12)] public List<string> DetailValues { get; set; } = [];

    /// <summary>The detail with its code and values; for a report without a code, the words alone (<see cref="UpdateDetail.Words"/>).</summary>
    public UpdateDetail ReadDetail() => DetailCode.Length == 0 ? UpdateDetail.Words(Detail) : new(DetailCode, [.. DetailValues], Detail);

    /// <summary>Sets <see cref="Detail"/>, <see cref="DetailCode"/> and <see cref="DetailValues"/> from one detail.</summary>
    public void WriteDetail(UpdateDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        Detail = detail.Text;
        DetailCode = detail.Code;
        DetailValues = [.. detail.Values];
    }
}
