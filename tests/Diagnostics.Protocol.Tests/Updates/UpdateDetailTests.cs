using Diagnostics.Protocol.Updates;
using ProtoBuf;

namespace Diagnostics.Protocol.Tests.Updates;

/// <summary>
/// An update report's detail code and values (fields 11 and 12) travel beside its English words: an agent from before
/// them still reads as it always did, and a cloud from before them still reads the words.
/// </summary>
public sealed class UpdateDetailTests
{
    /// <summary><see cref="UpdateReport"/> as it was before fields 11 and 12, the contract an older agent and cloud were built with.</summary>
    [ProtoContract]
    public sealed class ReportBeforeCodes
    {
        [ProtoMember(1)] public string OfferId { get; set; } = "";
        [ProtoMember(2)] public string PackageId { get; set; } = "";
        [ProtoMember(3)] public string TargetVersion { get; set; } = "";
        [ProtoMember(4)] public UpdatePhase Phase { get; set; }
        [ProtoMember(5)] public int Percent { get; set; }
        [ProtoMember(6)] public UpdateFailure Failure { get; set; }
        [ProtoMember(7)] public string Detail { get; set; } = "";
        [ProtoMember(8)] public string RunningVersion { get; set; } = "";
        [ProtoMember(9)] public long BytesDone { get; set; }
        [ProtoMember(10)] public long BytesTotal { get; set; }
    }

    [Fact]
    public void A_coded_detail_travels_with_its_code_values_and_words()
    {
        var report = new UpdateReport { OfferId = "o-1", Phase = UpdatePhase.Failed, Failure = UpdateFailure.OfferExpired };
        report.WriteDetail(UpdateDetail.OfferExpired(1_796_632_800_000, 1_796_634_300_000));

        var read = WireCodec.Decode<UpdateReport>(WireCodec.Encode(report)).Value!;

        Assert.Equal("the offer expired at 2026-12-07T08:40:00Z (device clock 2026-12-07T09:05:00Z)", read.Detail);
        Assert.Equal(UpdateDetail.OfferExpiredCode, read.DetailCode);
        Assert.Equal(["1796632800000", "1796634300000"], read.DetailValues);
        Assert.Equal(report.ReadDetail().Code, read.ReadDetail().Code);
        Assert.Equal(report.ReadDetail().Values, read.ReadDetail().Values);
        Assert.Equal(report.ReadDetail().Text, read.ReadDetail().Text);
    }

    [Fact]
    public void A_rollback_travels_with_its_health_check_reason_nested_in_its_values()
    {
        var reason = UpdateDetail.HealthNoAnswer("2.3.0", DateTimeOffset.FromUnixTimeMilliseconds(1_796_632_800_000), "no SNMP answer from 192.0.2.7");
        var report = new UpdateReport { OfferId = "o-1", Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed };
        report.WriteDetail(UpdateDetail.RolledBack(reason, "2.1.0"));

        var read = WireCodec.Decode<UpdateReport>(WireCodec.Encode(report)).Value!.ReadDetail();

        // The sentence agents have always sent ("u": the window's end in UTC, seconds, no fraction).
        Assert.Equal("health check failed: the device was not healthy on 2.3.0 by 2026-12-07 08:40:00Z: the device does not answer: no SNMP answer from 192.0.2.7; back on 2.1.0", read.Text);
        Assert.Equal(UpdateDetail.RolledBackCode, read.Code);
        Assert.Equal(["2.1.0", UpdateDetail.HealthNoAnswerCode, "2.3.0", "1796632800000", "no SNMP answer from 192.0.2.7"], read.Values);
        var nested = read.AsRollbackReason()!;
        Assert.Equal(reason.Code, nested.Code);
        Assert.Equal(reason.Values, nested.Values);
        Assert.Null(UpdateDetail.ImageGone().AsRollbackReason());
        Assert.Null(new UpdateDetail(UpdateDetail.RollbackFailedCode, ["slot A is unreadable"], "").AsRollbackReason());
    }

    [Fact]
    public void A_report_from_an_agent_before_the_codes_reads_as_its_words_alone()
    {
        using var older = new MemoryStream();
        Serializer.Serialize(older, new ReportBeforeCodes
        {
            OfferId = "o-1", Phase = UpdatePhase.Failed, Failure = UpdateFailure.InstallFailed, Detail = "the verified image is gone from the device: offer the update again",
        });

        var read = WireCodec.Decode<UpdateReport>(older.ToArray()).Value!;

        Assert.Equal(("", 0), (read.DetailCode, read.DetailValues.Count));
        var detail = read.ReadDetail();
        Assert.Equal(("", "the verified image is gone from the device: offer the update again"), (detail.Code, detail.Text));
        Assert.Empty(detail.Values);
    }

    [Fact]
    public void A_cloud_before_the_codes_reads_a_coded_report_s_words()
    {
        var report = new UpdateReport { OfferId = "o-2", Phase = UpdatePhase.Failed, Failure = UpdateFailure.Withdrawn };
        report.WriteDetail(UpdateDetail.Superseded("o-3"));

        var older = Serializer.Deserialize<ReportBeforeCodes>(new MemoryStream(WireCodec.Encode(report)));

        Assert.Equal(("o-2", UpdateFailure.Withdrawn, "superseded by offer o-3 before the device began installing it"), (older.OfferId, older.Failure, older.Detail));
    }

    [Fact]
    public void A_manifest_check_s_rule_becomes_a_coded_detail_and_back()
    {
        var problem = new ManifestProblem(ManifestProblem.UnknownOs, "operating system \"beos\" is not one of linux, windows, macos", "beos", "linux", "windows", "macos");
        var detail = UpdateDetail.Of(new ManifestCheck(null, UpdateFailure.ManifestMalformed, problem.Text, problem));

        Assert.Equal((UpdateDetail.ManifestRuleCode, problem.Text), (detail.Code, detail.Text));
        var back = detail.AsManifestProblem()!;
        Assert.Equal((problem.Code, problem.Text), (back.Code, back.Text));
        Assert.Equal(problem.Values, back.Values);
        // A check without a rule (a wrong model, a bad signature) is its words.
        Assert.Equal("", UpdateDetail.Of(new ManifestCheck(null, UpdateFailure.WrongModel, "model X is not one of Y")).Code);
    }
}
