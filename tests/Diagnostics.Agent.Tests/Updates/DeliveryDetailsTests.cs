using System.Globalization;
using System.Security.Cryptography;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>
/// A whole agent on a simulated printer (<see cref="UpdateRig"/>: real MQTT broker, real HTTP server for payloads)
/// reporting why an update did not get onto the device as a code and values a cloud words for its reader, beside the
/// English words agents have always sent.
/// </summary>
public sealed class DeliveryDetailsTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_payload_the_server_does_not_have_is_refused_with_its_status_and_address()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-404", offer: o => o.PayloadUrl = "api/devices/printer-upd/updates/elsewhere/payload");

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-404");
        var url = _rig.Server.BaseUrl + "api/devices/printer-upd/updates/elsewhere/payload";
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.DownloadFailed, UpdateDetail.DownloadRefusedCode), (final.Phase, final.Failure, final.DetailCode));
        Assert.Equal(["404", "Not Found", url], final.DetailValues);
        Assert.Equal($"the server answered 404 Not Found for {url}", final.Detail);
        Assert.Single(_rig.Server.Requests);
    }

    [Fact]
    public async Task A_server_in_trouble_is_asked_again_until_the_agent_gives_up_with_the_last_status_nested()
    {
        _rig.Options.DownloadAttempts = 3;
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-503");
        _rig.Server.AnswerWith(release.PayloadPath, 503);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-503");
        var total = Invariant(release.Image.Length);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.DownloadFailed, UpdateDetail.DownloadGaveUpCode), (final.Phase, final.Failure, final.DetailCode));
        Assert.Equal(["3", "0", total, UpdateDetail.DownloadServerErrorCode, "503", "Service Unavailable"], final.DetailValues);
        Assert.Equal($"gave up after 3 failed attempts in a row at 0 of {total} bytes: the server answered 503 Service Unavailable", final.Detail);
        Assert.Equal(3, _rig.Server.Requests.Count);
        var problem = final.ReadDetail().AsDownloadProblem()!;
        Assert.Equal((UpdateDetail.DownloadServerErrorCode, "503"), (problem.Code, problem.Values[0]));
    }

    [Fact]
    public async Task A_payload_host_that_refuses_connections_ends_in_the_network_stacks_own_words_nested()
    {
        _rig.Options.DownloadAttempts = 2;
        await _rig.StartAgentAsync();
        // Nothing listens there: each attempt's connection is refused.
        var release = _rig.MakeRelease("2.3.0", "offer-unreachable", offer: o => o.PayloadUrl = $"http://127.0.0.1:{FreePort.Next()}/payload");

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-unreachable");
        Assert.Equal((UpdateFailure.DownloadFailed, UpdateDetail.DownloadGaveUpCode), (final.Failure, final.DetailCode));
        Assert.Equal(["2", "0", Invariant(release.Image.Length), UpdateDetail.DownloadNetworkErrorCode], final.DetailValues.Take(4));
        var message = Assert.Single(final.DetailValues.Skip(4));
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.EndsWith(": " + message, final.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_altered_on_the_way_is_refused_with_both_hashes_as_values()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-altered");
        var altered = release.Image.ToArray();
        altered[^100] ^= 0xFF;
        _rig.Server.Serve(release.PayloadPath, altered);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-altered");
        var (received, signed) = (Convert.ToHexStringLower(SHA256.HashData(altered)), Convert.ToHexStringLower(release.Manifest.PayloadSha256));
        Assert.Equal((UpdateFailure.PayloadHashMismatch, UpdateDetail.PayloadHashMismatchCode), (final.Failure, final.DetailCode));
        Assert.Equal([received, signed], final.DetailValues);
        Assert.Equal($"the payload's SHA-256 is {received}; the manifest says {signed}", final.Detail);
    }

    [Fact]
    public async Task An_offer_whose_approval_expired_is_refused_with_the_approval_its_expiry_and_the_device_clock()
    {
        var expired = Now - 60_000;
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-late", offer: o => o.Consent!.ExpiresUnixMs = expired);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-late");
        Assert.Equal((UpdateFailure.ConsentMissing, UpdateDetail.ConsentExpiredCode), (final.Failure, final.DetailCode));
        Assert.Equal(["approval-offer-late", Invariant(expired)], final.DetailValues.Take(2));
        var clock = long.Parse(final.DetailValues[2], CultureInfo.InvariantCulture);
        Assert.InRange(clock, expired + 60_000, Now);
        Assert.Equal($"consent approval-offer-late expired at {UpdateDetail.Time(expired)} (device clock {UpdateDetail.Time(clock)})", final.Detail);
        Assert.Empty(_rig.Server.Requests);
    }

    [Theory]
    [InlineData("missing", UpdateDetail.ConsentMissingCode, new string[0], "no consent: update offer-consent needs a install consent")]
    [InlineData("maintenance", UpdateDetail.ConsentOtherActionCode, new[] { "approval-offer-consent", "maintenance", "install" },
        "consent approval-offer-consent is for maintenance, but update offer-consent needs install")]
    [InlineData("other-offer", UpdateDetail.ConsentOtherOfferCode, new[] { "approval-offer-consent", "offer-older" },
        "consent approval-offer-consent is a one-time approval of update offer offer-older, not of this one")]
    [InlineData("no-expiry", UpdateDetail.ConsentNoExpiryCode, new[] { "approval-offer-consent" }, "consent approval-offer-consent has no expiry")]
    public async Task An_offer_without_a_fitting_approval_is_refused_with_the_rule_it_breaks(string consent, string code, string[] values, string words)
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-consent", offer: o =>
        {
            switch (consent)
            {
                case "missing": o.Consent = null; break;
                case "maintenance": o.Consent!.Action = ConsentAction.Maintenance; break;
                case "other-offer": o.Consent!.CommandId = "offer-older"; break;
                case "no-expiry": o.Consent!.ExpiresUnixMs = 0; break;
            }
        });

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-consent");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.ConsentMissing, code, words), (final.Phase, final.Failure, final.DetailCode, final.Detail));
        Assert.Equal(values, final.DetailValues);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
    }
}
