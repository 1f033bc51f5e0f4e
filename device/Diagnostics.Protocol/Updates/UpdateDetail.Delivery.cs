namespace Diagnostics.Protocol.Updates;

// Getting an update onto the device: the download, the payload's bytes against the manifest, the customer's consent, and
// the firmware installer's steps (stage, activate, reboot). Same rules as the codes in UpdateDetail.cs: once shipped, a
// code keeps its meaning and its values' order; the English Text is what agents sent before the code existed.
public sealed partial record UpdateDetail
{
    /// <summary>The payload's server answered a status that will not change by asking again (400, 401, 403, 404, 410). Values: the status (invariant digits), its reason phrase, the address.</summary>
    public const string DownloadRefusedCode = "DownloadRefused";
    /// <summary>The download failed too many times in a row. Values: the failed attempts, bytes held, bytes of the payload (invariant digits), then the last problem's code and values (one of the Download* problems below).</summary>
    public const string DownloadGaveUpCode = "DownloadGaveUp";
    /// <summary>A download problem (inside <see cref="DownloadGaveUpCode"/>): the server answered without bytes. No values.</summary>
    public const string DownloadNoBytesCode = "DownloadNoBytes";
    /// <summary>A download problem: no answer in time. Values: the seconds waited (invariant, "0.#").</summary>
    public const string DownloadTimeoutCode = "DownloadTimeout";
    /// <summary>A download problem: the server answered an error that may pass (5xx, 429 ...). Values: the status (invariant digits), its reason phrase.</summary>
    public const string DownloadServerErrorCode = "DownloadServerError";
    /// <summary>A download problem: the server has no bytes from where the device resumed (416); the download starts again. Values: the offset (invariant digits).</summary>
    public const string DownloadRangeGoneCode = "DownloadRangeGone";
    /// <summary>A download problem: the server answered another range than the one asked for. Values: where its answer starts (empty when it said none), where the request started (invariant digits).</summary>
    public const string DownloadWrongRangeCode = "DownloadWrongRange";
    /// <summary>A download problem: the connection failed. Values: the network stack's message (verbatim).</summary>
    public const string DownloadNetworkErrorCode = "DownloadNetworkError";

    /// <summary>The downloaded payload's size is not the manifest's. Values: bytes received, bytes the manifest says (invariant digits).</summary>
    public const string PayloadSizeMismatchCode = "PayloadSizeMismatch";
    /// <summary>The downloaded payload's SHA-256 is not the manifest's. Values: its SHA-256, the manifest's (lower-case hex).</summary>
    public const string PayloadHashMismatchCode = "PayloadHashMismatch";
    /// <summary>The image to install (the payload, or a delta applied) has another size than the manifest's. Values: bytes, bytes the manifest says (invariant digits).</summary>
    public const string ImageSizeMismatchCode = "ImageSizeMismatch";
    /// <summary>The image to install has another SHA-256 than the manifest's. Values: its SHA-256, the manifest's (lower-case hex).</summary>
    public const string ImageHashMismatchCode = "ImageHashMismatch";

    /// <summary>The offer carries no consent to install it. No values.</summary>
    public const string ConsentMissingCode = "ConsentMissing";
    /// <summary>The offer's consent is for another action. Values: the consent's id, its action, the action needed (lower-case <see cref="ConsentAction"/> names).</summary>
    public const string ConsentOtherActionCode = "ConsentOtherAction";
    /// <summary>The offer's consent is a one-time approval of another offer. Values: the consent's id, the offer id it approves.</summary>
    public const string ConsentOtherOfferCode = "ConsentOtherOffer";
    /// <summary>The offer's consent has no expiry. Values: the consent's id.</summary>
    public const string ConsentNoExpiryCode = "ConsentNoExpiry";
    /// <summary>The offer's consent has expired. Values: the consent's id, its expiry, the device's clock (Unix ms).</summary>
    public const string ConsentExpiredCode = "ConsentExpired";
    /// <summary>The offer's standing consent was revoked. Values: the consent's id, the time of the consent set that no longer lists it (Unix ms).</summary>
    public const string ConsentRevokedCode = "ConsentRevoked";

    /// <summary>The firmware installer could not write the image where it boots from (the old version still runs). Values: the installer's words (verbatim); from agents that code their own slot installer's answers, its code and values follow (UpdateDetail.Slots.cs).</summary>
    public const string StageFailedCode = "StageFailed";
    /// <summary>The firmware installer could not set the new image to boot (the old version still runs). Values: the installer's words (verbatim), then, when coded, the slot installer's code and values.</summary>
    public const string ActivateFailedCode = "ActivateFailed";
    /// <summary>The reboot into the new version failed and the device is back on the old one. Values: the old version, the installer's words (verbatim), then, when coded, the slot installer's code and values.</summary>
    public const string RebootRolledBackCode = "RebootRolledBack";
    /// <summary>The reboot into the new version failed and going back failed too. Values: the installer's words about going back, then about the reboot (verbatim).</summary>
    public const string RebootRollbackFailedCode = "RebootRollbackFailed";
    /// <summary>
    /// Why a rollback began when the reboot failed; kept in the agent's journal until the rollback is reported as
    /// <see cref="RebootRolledBackCode"/> or <see cref="RebootRollbackFailedCode"/>, never reported alone. Values: the installer's words (verbatim), then, when coded, the slot installer's code and values.
    /// </summary>
    public const string RebootFailedCode = "RebootFailed";

    public static UpdateDetail DownloadRefused(int status, string? reasonPhrase, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new(DownloadRefusedCode, [Number(status), reasonPhrase ?? "", url.ToString()], $"the server answered {Number(status)} {reasonPhrase} for {url}");
    }

    public static UpdateDetail DownloadGaveUp(int attempts, long heldBytes, long totalBytes, UpdateDetail problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(DownloadGaveUpCode, [Number(attempts), Number(heldBytes), Number(totalBytes), problem.Code, .. problem.Values],
            $"gave up after {Number(attempts)} failed attempts in a row at {Number(heldBytes)} of {Number(totalBytes)} bytes: {problem.Text}");
    }

    public static UpdateDetail DownloadNoBytes() => new(DownloadNoBytesCode, [], "the server sent no bytes");

    public static UpdateDetail DownloadTimeout(TimeSpan waited) =>
        new(DownloadTimeoutCode, [Seconds(waited)], $"no answer within {Seconds(waited)} s");

    public static UpdateDetail DownloadServerError(int status, string? reasonPhrase) =>
        new(DownloadServerErrorCode, [Number(status), reasonPhrase ?? ""], $"the server answered {Number(status)} {reasonPhrase}");

    public static UpdateDetail DownloadRangeGone(long offset) =>
        new(DownloadRangeGoneCode, [Number(offset)], $"the server has no bytes from {Number(offset)} (416): starting again");

    public static UpdateDetail DownloadWrongRange(long? answeredFrom, long askedFrom) =>
        new(DownloadWrongRangeCode, [answeredFrom is { } from ? Number(from) : "", Number(askedFrom)],
            $"the server answered bytes from {(answeredFrom is { } at ? Number(at) : "")} to a request from {Number(askedFrom)}");

    public static UpdateDetail DownloadNetworkError(string message) => new(DownloadNetworkErrorCode, [message], message);

    /// <summary>The last problem a <see cref="DownloadGaveUpCode"/> detail carries after its own three values; null for any other detail.</summary>
    public UpdateDetail? AsDownloadProblem() =>
        Code == DownloadGaveUpCode && Values.Count > 3 ? new UpdateDetail(Values[3], [.. Values.Skip(4)], "") : null;

    /// <summary>The payload's or the image's bytes against the manifest (what <see cref="ManifestChecks"/> refuses them with).</summary>
    internal static UpdateDetail SizeMismatch(bool image, long size, long expectedSize) =>
        new(image ? ImageSizeMismatchCode : PayloadSizeMismatchCode, [Number(size), Number(expectedSize)],
            $"the {(image ? "image" : "payload")} is {Number(size)} bytes; the manifest says {Number(expectedSize)}");

    internal static UpdateDetail HashMismatch(bool image, ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> expectedSha256)
    {
        var (actual, expected) = (Convert.ToHexStringLower(sha256), Convert.ToHexStringLower(expectedSha256));
        return new(image ? ImageHashMismatchCode : PayloadHashMismatchCode, [actual, expected],
            $"the {(image ? "image" : "payload")}'s SHA-256 is {actual}; the manifest says {expected}");
    }

    public static UpdateDetail StageFailed(string problem) => StageFailed(Words(problem));

    /// <summary>The installer's <paramref name="answer"/>: its words, then its code and values when it has them (update-codes4, UpdateDetail.Slots.cs).</summary>
    public static UpdateDetail StageFailed(UpdateDetail answer) => new(StageFailedCode, WordsThenAnswer(answer), answer.Text);

    public static UpdateDetail ActivateFailed(string problem) => ActivateFailed(Words(problem));

    public static UpdateDetail ActivateFailed(UpdateDetail answer) => new(ActivateFailedCode, WordsThenAnswer(answer), answer.Text);

    public static UpdateDetail RebootFailed(string problem) => RebootFailed(Words(problem));

    public static UpdateDetail RebootFailed(UpdateDetail answer) => new(RebootFailedCode, WordsThenAnswer(answer), "the reboot into the new version failed: " + answer.Text);

    /// <summary>The rollback that followed a <see cref="RebootFailedCode"/>: back on <paramref name="fromVersion"/>, or not (<paramref name="rollbackProblem"/>).</summary>
    public static UpdateDetail AfterRebootFailed(UpdateDetail rebootFailed, string fromVersion, string? rollbackProblem)
    {
        ArgumentNullException.ThrowIfNull(rebootFailed);
        var words = rebootFailed.Values.Count > 0 ? rebootFailed.Values[0] : "";
        return rollbackProblem is null
            ? new(RebootRolledBackCode, [fromVersion, .. rebootFailed.Values], $"{rebootFailed.Text}; back on {fromVersion}")
            : new(RebootRollbackFailedCode, [rollbackProblem, words], $"{rebootFailed.Text}; going back failed too: {rollbackProblem}");
    }
}
