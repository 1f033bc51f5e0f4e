using System.Security.Cryptography;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

/// <summary>
/// The delivery details (download, the bytes against the manifest, the installer's steps) on the wire: their code and
/// values beside the English words agents sent before the codes, and a nested problem that comes back out whole.
/// </summary>
public sealed class UpdateDetailDeliveryTests
{
    private static UpdateDetail RoundTrip(UpdateDetail detail)
    {
        var report = new UpdateReport { OfferId = "o-1", Phase = UpdatePhase.Failed, Failure = UpdateFailure.DownloadFailed };
        report.WriteDetail(detail);
        return WireCodec.Decode<UpdateReport>(WireCodec.Encode(report)).Value!.ReadDetail();
    }

    [Fact]
    public void A_download_that_gave_up_travels_with_its_counts_and_its_last_problem_nested()
    {
        var read = RoundTrip(UpdateDetail.DownloadGaveUp(8, 49_152, 204_800, UpdateDetail.DownloadServerError(503, "Service Unavailable")));

        Assert.Equal("gave up after 8 failed attempts in a row at 49152 of 204800 bytes: the server answered 503 Service Unavailable", read.Text);
        Assert.Equal(UpdateDetail.DownloadGaveUpCode, read.Code);
        Assert.Equal(["8", "49152", "204800", UpdateDetail.DownloadServerErrorCode, "503", "Service Unavailable"], read.Values);
        var problem = read.AsDownloadProblem()!;
        Assert.Equal((UpdateDetail.DownloadServerErrorCode, 2), (problem.Code, problem.Values.Count));
        Assert.Null(UpdateDetail.DownloadNoBytes().AsDownloadProblem());
        Assert.Null(new UpdateDetail(UpdateDetail.DownloadGaveUpCode, ["8", "0", "1"], "gave up").AsDownloadProblem());
    }

    [Theory]
    [InlineData(0, "no answer within 12.5 s", "12.5")]
    [InlineData(1, "the server has no bytes from 65536 (416): starting again", "65536")]
    [InlineData(2, "the server sent no bytes", null)]
    [InlineData(3, "the server answered bytes from  to a request from 1024", "")]
    public void Each_download_problem_keeps_the_words_agents_sent_before_the_codes(int which, string words, string? firstValue)
    {
        var detail = which switch
        {
            0 => UpdateDetail.DownloadTimeout(TimeSpan.FromSeconds(12.5)),
            1 => UpdateDetail.DownloadRangeGone(65_536),
            2 => UpdateDetail.DownloadNoBytes(),
            _ => UpdateDetail.DownloadWrongRange(null, 1024),
        };

        var read = RoundTrip(detail);

        Assert.Equal((detail.Code, words), (read.Code, read.Text));
        Assert.Equal(firstValue, read.Values.Count > 0 ? read.Values[0] : null);
    }

    [Fact]
    public void A_payload_that_does_not_match_its_manifest_is_refused_coded_with_what_came_and_what_was_signed()
    {
        var image = "image"u8.ToArray();
        var manifest = new UpdateManifest { PayloadSize = image.Length, PayloadSha256 = SHA256.HashData(image), ImageSize = image.Length, ImageSha256 = SHA256.HashData(image) };

        var size = UpdateDetail.Of(ManifestChecks.CheckPayload(manifest, 6, SHA256.HashData(image)));
        var hash = UpdateDetail.Of(ManifestChecks.CheckImage(manifest, 5, SHA256.HashData("imagf"u8)));

        Assert.Equal((UpdateDetail.PayloadSizeMismatchCode, "the payload is 6 bytes; the manifest says 5"), (size.Code, size.Text));
        Assert.Equal(["6", "5"], size.Values);
        var (actual, signed) = (Convert.ToHexStringLower(SHA256.HashData("imagf"u8)), Convert.ToHexStringLower(SHA256.HashData(image)));
        Assert.Equal((UpdateDetail.ImageHashMismatchCode, $"the image's SHA-256 is {actual}; the manifest says {signed}"), (hash.Code, hash.Text));
        Assert.Equal([actual, signed], hash.Values);
        Assert.Equal(hash.Values, RoundTrip(hash).Values);
    }

    [Fact]
    public void A_failed_reboot_and_the_rollback_after_it_keep_the_installers_words_as_values()
    {
        var reboot = UpdateDetail.RebootFailed("the reboot command (/sbin/reboot) exited with code 1: busy");

        var back = RoundTrip(UpdateDetail.AfterRebootFailed(reboot, "2.1.0", null));
        var stuck = RoundTrip(UpdateDetail.AfterRebootFailed(reboot, "2.1.0", "no slot is set to boot"));

        Assert.Equal((UpdateDetail.RebootRolledBackCode, "the reboot into the new version failed: the reboot command (/sbin/reboot) exited with code 1: busy; back on 2.1.0"),
            (back.Code, back.Text));
        Assert.Equal(["2.1.0", "the reboot command (/sbin/reboot) exited with code 1: busy"], back.Values);
        Assert.Equal(UpdateDetail.RebootRollbackFailedCode, stuck.Code);
        Assert.Equal(["no slot is set to boot", "the reboot command (/sbin/reboot) exited with code 1: busy"], stuck.Values);
        Assert.EndsWith("; going back failed too: no slot is set to boot", stuck.Text, StringComparison.Ordinal);
    }
}
