using System.Security.Cryptography;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

/// <summary>
/// A driver package's details (the host's refusals and the installers' results) carry a code and values beside the
/// English words the agent has always sent; the words stay as they were for the English reader, logs and older clouds.
/// </summary>
public sealed class DriverDetailTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static UpdateManifest Driver(string minimumFrom = "") => new()
    {
        PackageId = "acme-lp500-ppd-2.0",
        Kind = PackageKind.Driver,
        Version = "2.0",
        Models = ["Acme LaserPro 500", "Acme LaserPro 600"],
        Platforms = [HostPlatforms.TryParse("linux:cups-ppd", out _)!],
        MinimumFromVersion = minimumFrom,
        ImageSize = 3,
        ImageSha256 = SHA256.HashData("ppd"u8),
        PayloadSize = 3,
        PayloadSha256 = SHA256.HashData("ppd"u8),
        CreatedUnixMs = Now.AddDays(-1).ToUnixTimeMilliseconds(),
        ExpiresUnixMs = Now.AddDays(30).ToUnixTimeMilliseconds(),
    };

    private static PrintQueue Queue(string name, string version, QueueDriver driver = QueueDriver.Ppd, string model = "Acme LaserPro 500") =>
        new() { Name = name, PrinterModel = model, Driver = driver, DriverVersion = version };

    private static HostFacts Linux(params PrintQueue[] queues) => new(HostPlatforms.Linux, "x64", [DriverFormat.CupsPpd], queues);

    private static UpdateDetail RoundTrip(UpdateDetail detail)
    {
        var report = new UpdateReport { OfferId = "o-1", Phase = UpdatePhase.Failed, Failure = UpdateFailure.InstallFailed };
        report.WriteDetail(detail);
        return WireCodec.Decode<UpdateReport>(WireCodec.Encode(report)).Value!.ReadDetail();
    }

    public static TheoryData<string, string, string[], string> HostRefusals() => new()
    {
        {
            "expired", UpdateDetail.DriverExpiredCode, ["1798459200000", "1798545600000"],
            "the package expired at 2026-12-28 12:00:00Z; the host's clock says 2026-12-29 12:00:00Z"
        },
        {
            "other model", UpdateDetail.DriverNoQueueCode, ["2", "Acme LaserPro 500", "Acme LaserPro 600", "ink", "Acme InkJet 20", "lab", ""],
            "no print queue on this host prints to Acme LaserPro 500, Acme LaserPro 600 (its queues: ink → Acme InkJet 20, lab → an unknown model)"
        },
        {
            "driverless", UpdateDetail.DriverQueuesWithoutPpdCode, ["2", "Acme LaserPro 500", "Acme LaserPro 600", "office", "Driverless", "raw", "Raw"],
            "the queues for Acme LaserPro 500, Acme LaserPro 600 use no PPD (office: driverless (IPP Everywhere), raw: raw); a PPD would replace that"
        },
        {
            "newer", UpdateDetail.DriverAlreadyNewerCode, ["2.0", "2", "Acme LaserPro 500", "Acme LaserPro 600", "office", "2.0", "lab", "2.1"],
            "every queue for Acme LaserPro 500, Acme LaserPro 600 already has driver 2.0 or newer (office: 2.0, lab: 2.1)"
        },
        {
            "too old", UpdateDetail.DriverTooOldCode, ["1.5", "2", "Acme LaserPro 500", "Acme LaserPro 600", "1.0", ""],
            "the queues for Acme LaserPro 500, Acme LaserPro 600 have driver 1.0, without a version; this package updates from 1.5 or later"
        },
    };

    [Theory]
    [MemberData(nameof(HostRefusals))]
    public void A_host_refusal_is_coded_and_its_words_are_unchanged(string situation, string code, string[] values, string text)
    {
        var check = situation switch
        {
            "expired" => DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "1.0")), Now.AddDays(31)),
            "other model" => DriverChecks.CheckForHost(Driver(), Linux(Queue("ink", "1.0", model: "Acme InkJet 20"), Queue("lab", "1.0", model: "")), Now),
            "driverless" => DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "", QueueDriver.Driverless), Queue("raw", "", QueueDriver.Raw)), Now),
            "newer" => DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "2.0"), Queue("lab", "2.1")), Now),
            _ => DriverChecks.CheckForHost(Driver(minimumFrom: "1.5"), Linux(Queue("office", "1.0"), Queue("lab", ""), Queue("hall", "1.0")), Now),
        };

        var detail = RoundTrip(UpdateDetail.Of(check));

        Assert.False(check.IsAccepted);
        Assert.Equal(text, check.Detail);
        Assert.Equal(code, detail.Code);
        Assert.Equal(values, detail.Values);
        Assert.Equal(text, detail.Text);
    }

    [Fact]
    public void A_platform_refusal_names_the_host_the_platforms_counted_and_the_forms_it_installs()
    {
        var manifest = Driver();
        manifest.Platforms = [HostPlatforms.TryParse("windows/x64,arm64:windows-inf", out _)!, HostPlatforms.TryParse("macos:mac-pkg", out _)!];

        var detail = UpdateDetail.Of(DriverChecks.CheckForHost(manifest, new HostFacts(HostPlatforms.Linux, "x64", [DriverFormat.CupsPpd, DriverFormat.PrinterApplication], []), Now));

        Assert.Equal(UpdateDetail.DriverWrongPlatformCode, detail.Code);
        Assert.Equal(["linux", "x64", "2", "windows/x64,arm64:windows-inf", "macos:mac-pkg", "cups-ppd", "printer-application"], detail.Values);
        Assert.Equal("the package is for windows/x64,arm64 (Windows INF); macos (macOS pkg); this host is linux/x64 and installs CUPS PPD, Printer Application", detail.Text);
    }

    [Fact]
    public void An_accepted_check_has_no_problem_and_a_check_without_one_reads_as_words()
    {
        var accepted = DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "1.0")), Now);
        var uncoded = new DriverCheck(UpdateFailure.WrongPlatform, "an older agent's words", null, []);

        Assert.Null(accepted.Problem);
        Assert.Equal(("", "an older agent's words"), (UpdateDetail.Of(uncoded).Code, UpdateDetail.Of(uncoded).Text));
    }

    [Fact]
    public void An_installed_ppd_travels_with_its_queues_previous_drivers_and_test_jobs()
    {
        var detail = RoundTrip(UpdateDetail.DriverInstalled("2.0", UpdateDetail.CheckedByCupsTestPpd, UpdateDetail.ProofPrinted, ["office", "lab"], ["1.0", ""], [12, 13]));

        // The sentence the CUPS installer has always written.
        Assert.Equal("office, lab: driver 1.0, (none) → 2.0 (the PPD passed cupstestppd); read back 2.0; test jobs 12, 13 completed", detail.Text);
        Assert.Equal(UpdateDetail.DriverInstalledCode, detail.Code);
        Assert.Equal(["2.0", "cupstestppd", "print", "2", "office", "lab", "2", "1.0", "", "12", "13"], detail.Values);
        var queues = UpdateDetail.ReadCounted(detail.Values, 3)!.Value;
        Assert.Equal(["office", "lab"], queues.Items);
        Assert.Equal(["1.0", ""], UpdateDetail.ReadCounted(detail.Values, queues.Next)!.Value.Items);
    }

    [Theory]
    [InlineData("hold", "agent", "office: driver 1.0 → 2.0 (the PPD read by the agent (cupstestppd is not installed here)); read back 2.0; a held test job was accepted and cancelled")]
    [InlineData("none", "cupstestppd", "office: driver 1.0 → 2.0 (the PPD passed cupstestppd); read back 2.0; no test job (Host:TestJob=None)")]
    public void An_install_proved_without_printing_says_how(string proof, string checkedBy, string text) =>
        Assert.Equal(text, UpdateDetail.DriverInstalled("2.0", checkedBy, proof, ["office"], ["1.0"], []).Text);

    [Fact]
    public void A_rolled_back_install_carries_its_restored_queues_and_its_reason_nested()
    {
        var reason = UpdateDetail.DriverTestJobFailed(7, "office", "aborted", "Filter failed", ["job-canceled-by-system"]);

        var detail = RoundTrip(UpdateDetail.DriverRolledBack(reason, ["office", "lab"], "office (SHA-256 0123456789abcdef…), lab (SHA-256 fedcba9876543210…)"));

        Assert.Equal("the test job 7 on office did not print: aborted, job-canceled-by-system: Filter failed; the previous PPD is back byte for byte on office (SHA-256 0123456789abcdef…), lab (SHA-256 fedcba9876543210…)", detail.Text);
        Assert.Equal(["2", "office", "lab", UpdateDetail.DriverTestJobFailedCode, "7", "office", "aborted", "Filter failed", "job-canceled-by-system"], detail.Values);
        var nested = detail.AsDriverReason()!;
        Assert.Equal(reason.Code, nested.Code);
        Assert.Equal(reason.Values, nested.Values);
    }

    [Fact]
    public void A_failed_rollback_carries_what_failed_in_going_back_and_its_reason()
    {
        var detail = RoundTrip(UpdateDetail.DriverRollbackFailed(UpdateDetail.DriverAgentStopped(), ["office could not be given its saved PPD back: server-error-busy"]));

        Assert.Equal("the agent stopped while it was installing the driver; going back failed: office could not be given its saved PPD back: server-error-busy", detail.Text);
        Assert.Equal(["1", "office could not be given its saved PPD back: server-error-busy", UpdateDetail.DriverAgentStoppedCode], detail.Values);
        Assert.Equal(UpdateDetail.DriverAgentStoppedCode, detail.AsDriverReason()!.Code);
    }

    [Fact]
    public void A_host_that_changed_before_the_install_carries_the_host_checks_refusal()
    {
        var refusal = UpdateDetail.Of(DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "2.0")), Now));

        var detail = RoundTrip(UpdateDetail.DriverHostChanged(refusal));

        Assert.Equal("the host changed before the install: every queue for Acme LaserPro 500, Acme LaserPro 600 already has driver 2.0 or newer (office: 2.0)", detail.Text);
        Assert.Equal(UpdateDetail.DriverAlreadyNewerCode, detail.AsDriverReason()!.Code);
        Assert.Equal(refusal.Values, detail.AsDriverReason()!.Values);
    }

    [Theory]
    [InlineData("DriverRolledBack", new[] { "3", "office" })]
    [InlineData("DriverRolledBack", new[] { "x", "office", "DriverAgentStopped" })]
    [InlineData("DriverRollbackFailed", new[] { "1", "a problem" })]
    [InlineData("DriverHostChanged", new string[0])]
    [InlineData("RolledBack", new[] { "0", "DriverAgentStopped" })]
    public void Values_that_do_not_fit_give_no_nested_reason(string code, string[] values) =>
        Assert.Null(new UpdateDetail(code, values, "words").AsDriverReason());

    public static TheoryData<string, string[], string> InstallerRefusals() => new()
    {
        { "too large", [UpdateDetail.DriverPpdTooLargeCode, "1048576", "2000000"], "a CUPS PPD package's payload is one PPD of at most 1048576 bytes; this one is 2000000" },
        { "unusable", [UpdateDetail.DriverPpdUnusableCode, "it is not a PPD: a PPD begins with *PPD-Adobe"], "the package's PPD cannot be used: it is not a PPD: a PPD begins with *PPD-Adobe" },
        { "no FileVersion", [UpdateDetail.DriverFileVersionCode, "", "2.1"], "the package's PPD says *FileVersion (none); the manifest says 2.1" },
        { "gone", [UpdateDetail.DriverNotSavedCode, "office", "gone", ""], "the queues' current drivers could not be saved, so nothing was changed: queue office is gone" },
        { "no ppd", [UpdateDetail.DriverNotSavedCode, "office", "no-ppd", ""], "the queues' current drivers could not be saved, so nothing was changed: queue office has no PPD any more" },
        { "not taken", [UpdateDetail.DriverPpdNotTakenCode, "office", "client-error-not-authorized"], "CUPS did not take the new PPD for office: client-error-not-authorized" },
        { "no ppd after", [UpdateDetail.DriverReadBackFailedCode, "office", "no-ppd", ""], "after the install office has no PPD" },
        { "wrong version", [UpdateDetail.DriverReadBackVersionCode, "office", "", "2.0"], "after the install office reports driver (none), not 2.0" },
        { "timed out", [UpdateDetail.DriverTestJobTimedOutCode, "9", "office", "120", "processing", "", "job-printing"], "the test job 9 on office did not complete within 120 s (processing, job-printing)" },
        { "no installer", [UpdateDetail.DriverNoInstallerCode, "mac-pkg"], "this host has no installer for macOS pkg" },
    };

    [Theory]
    [MemberData(nameof(InstallerRefusals))]
    public void An_installers_result_keeps_its_english_words_beside_its_code(string situation, string[] codeAndValues, string text)
    {
        var detail = situation switch
        {
            "too large" => UpdateDetail.DriverPpdTooLarge(1_048_576, 2_000_000),
            "unusable" => UpdateDetail.DriverPpdUnusable("it is not a PPD: a PPD begins with *PPD-Adobe"),
            "no FileVersion" => UpdateDetail.DriverFileVersion("", "2.1"),
            "gone" => UpdateDetail.DriverNotSaved("office", "", gone: true),
            "no ppd" => UpdateDetail.DriverNotSaved("office", ""),
            "not taken" => UpdateDetail.DriverPpdNotTaken("office", "client-error-not-authorized"),
            "no ppd after" => UpdateDetail.DriverReadBackFailed("office", ""),
            "wrong version" => UpdateDetail.DriverReadBackVersion("office", "", "2.0"),
            "timed out" => UpdateDetail.DriverTestJobTimedOut(9, "office", TimeSpan.FromMinutes(2), "processing", "", ["job-printing"]),
            _ => UpdateDetail.DriverNoInstaller(DriverFormat.MacPackage),
        };

        var read = RoundTrip(detail);

        Assert.Equal(text, read.Text);
        Assert.Equal(codeAndValues[0], read.Code);
        Assert.Equal(codeAndValues[1..], read.Values);
    }
}
