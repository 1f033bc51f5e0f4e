namespace Diagnostics.Protocol;

/// <summary>
/// The downlinks kept for a device's next subscription (MQTT retained): its standing consents and the update offered to
/// it now. Nothing else is ever retained, and each is bounded by the largest the agent reads.
/// </summary>
public static class RetainedDownlinks
{
    /// <summary>A consent set lists every standing consent of one device; a few dozen at most.</summary>
    public const int MaxConsentSetBytes = 64 * 1024;

    /// <summary>An update offer carries a signed manifest (at most <c>ManifestChecks.MaxManifestBytes</c>), its signatures and a consent.</summary>
    public const int MaxUpdateOfferBytes = 128 * 1024;

    /// <summary>The largest payload retained for a downlink <paramref name="kind"/>, or null when that kind is never retained.</summary>
    public static int? MaxBytes(string kind) => kind switch
    {
        Topics.ConsentKind => MaxConsentSetBytes,
        Topics.UpdateKind => MaxUpdateOfferBytes,
        _ => null,
    };
}
