using System.Runtime.Versioning;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Agent.Hosts;
using Diagnostics.Agent.Tests.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Hosts;

/// <summary>
/// Driver packages offered to a host the way the cloud offers firmware (retained offer, signed manifest, one-time
/// Install approval, payload over HTTP) and installed on a real cupsd's queues.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DriverInstallTests
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_driver_rollout_installs_the_new_ppd_the_queue_reports_the_new_version_and_accepts_a_test_job()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        await rig.StartAgentAsync();
        var release = rig.DriverRelease("2.0", "offer-driver", TestPpds.Ppd("2.0"));

        await rig.Agent.OfferAsync(release.Offer);

        var final = await rig.Agent.FinalReportAsync("offer-driver", InstallTimeout);
        Assert.True(final.Phase == UpdatePhase.Succeeded, $"{final.Phase} {final.Failure}: {final.Detail}\n{rig.Cups.ErrorLog[^Math.Min(4000, rig.Cups.ErrorLog.Length)..]}");
        Assert.Equal("2.0", final.RunningVersion);
        Assert.Equal(TestPpds.Ppd("2.0"), await rig.Cups.PpdAsync("office"));
        // The test job went through the queue and completed, as cupsd itself says.
        var jobId = int.Parse(System.Text.RegularExpressions.Regex.Match(final.Detail, @"test job (\d+) completed").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var (_, completed, _) = await ExternalTools.RunAsync(ExternalTools.Require("lpstat", "apt-get install cups-client"),
            ["-h", rig.Cups.Server, "-W", "completed", "-o", "office"], [], TestContext.Current.CancellationToken);
        Assert.Contains($"office-{jobId} ", completed, StringComparison.Ordinal);
        Assert.Equal([UpdatePhase.Downloading, UpdatePhase.Verifying, UpdatePhase.Installing, UpdatePhase.Succeeded],
            rig.Agent.Reports("offer-driver").Select(r => r.Phase).Distinct());
        var report = await rig.ReportAsync(r => r.Queues.Single().DriverVersion == "2.0", "a host report with the new driver");
        Assert.Equal("Acme LaserPro 500 Diagnostics Driver 2.0", report.Queues.Single().DriverName);
        // Coded for the cloud to word: the version, cupstestppd's check, printed, one queue from 1.0, the job cupsd completed.
        Assert.Equal(UpdateDetail.DriverInstalledCode, final.DetailCode);
        Assert.Equal(["2.0", "cupstestppd", "print", "1", "office", "1", "1.0", jobId.ToString(System.Globalization.CultureInfo.InvariantCulture)], final.DetailValues);
    }

    [Fact]
    public async Task A_package_whose_ppd_is_broken_is_refused_before_anything_changes()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var before = await rig.Cups.PpdAsync("office");
        await rig.StartAgentAsync();
        // A driver whose filter is not on the host: cupstestppd fails it.
        var release = rig.DriverRelease("2.0", "offer-broken", TestPpds.Ppd("2.0", filter: "dx-not-installed"));

        await rig.Agent.OfferAsync(release.Offer);

        var final = await rig.Agent.FinalReportAsync("offer-broken", InstallTimeout);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.DriverInvalid), (final.Phase, final.Failure));
        Assert.Contains("cupstestppd refused the package's PPD", final.Detail, StringComparison.Ordinal);
        Assert.Contains("dx-not-installed", final.Detail, StringComparison.Ordinal);
        // Coded: cupstestppd's exit code and its own output, verbatim.
        Assert.Equal(UpdateDetail.DriverPpdTestFailedCode, final.DetailCode);
        Assert.NotEqual("0", final.DetailValues[0]);
        Assert.Contains("dx-not-installed", final.DetailValues[1], StringComparison.Ordinal);
        Assert.Equal($"cupstestppd refused the package's PPD (exit code {final.DetailValues[0]}): {final.DetailValues[1]}", final.Detail);
        Assert.Equal(before, await rig.Cups.PpdAsync("office"));
        Assert.DoesNotContain(rig.Agent.Reports("offer-broken"), r => r.Phase == UpdatePhase.RolledBack);
    }

    [Fact]
    public async Task A_ppd_that_is_not_the_version_its_manifest_says_is_refused_before_anything_changes()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var before = await rig.Cups.PpdAsync("office");
        await rig.StartAgentAsync();

        await rig.Agent.OfferAsync(rig.DriverRelease("2.1", "offer-mislabelled", TestPpds.Ppd("2.0")).Offer);

        var final = await rig.Agent.FinalReportAsync("offer-mislabelled", InstallTimeout);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.DriverInvalid), (final.Phase, final.Failure));
        Assert.Equal("the package's PPD says *FileVersion 2.0; the manifest says 2.1", final.Detail);
        AssertCoded(final, UpdateDetail.DriverFileVersionCode, "2.0", "2.1");
        Assert.Equal(before, await rig.Cups.PpdAsync("office"));
    }

    [Fact]
    public async Task A_package_that_installs_but_breaks_the_queue_is_rolled_back_to_the_exact_previous_ppd()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var before = await rig.Cups.PpdAsync("office");
        await rig.StartAgentAsync();
        // Installed and read back fine; its filter fails every job, so the test job does not print.
        var release = rig.DriverRelease("3.0", "offer-breaks", TestPpds.Ppd("3.0", filter: CupsServer.FailingFilter));

        await rig.Agent.OfferAsync(release.Offer);

        var final = await rig.Agent.FinalReportAsync("offer-breaks", InstallTimeout);
        Assert.True(final.Phase == UpdatePhase.RolledBack, $"{final.Phase} {final.Failure}: {final.Detail}");
        Assert.Equal((UpdateFailure.HealthCheckFailed, "1.0"), (final.Failure, final.RunningVersion));
        Assert.Contains("the test job", final.Detail, StringComparison.Ordinal);
        Assert.Contains("the previous PPD is back byte for byte on office", final.Detail, StringComparison.Ordinal);
        // Coded: one queue restored, then the reason (the test job that did not print on office) with its own values.
        Assert.Equal(UpdateDetail.DriverRolledBackCode, final.DetailCode);
        Assert.Equal(["1", "office"], final.DetailValues.Take(2));
        var reason = final.ReadDetail().AsDriverReason();
        Assert.NotNull(reason);
        Assert.Equal(UpdateDetail.DriverTestJobFailedCode, reason.Code);
        Assert.Equal("office", reason.Values[1]);
        Assert.Equal(before, await rig.Cups.PpdAsync("office"));
        // Back to work: taking jobs, not stopped, and no test job left behind.
        var queue = (await new CupsScheduler(rig.Cups.Http, rig.Cups.Uri, TimeSpan.FromSeconds(5)).GetQueuesAsync(TestContext.Current.CancellationToken)).Single();
        Assert.Equal(((int)DeviceState.Idle, true), (queue.State, queue.AcceptingJobs));
        var (_, pending, _) = await ExternalTools.RunAsync(ExternalTools.Require("lpstat", "apt-get install cups-client"),
            ["-h", rig.Cups.Server, "-W", "not-completed", "-o", "office"], [], TestContext.Current.CancellationToken);
        Assert.Equal("", pending.Trim());
        Assert.False(Directory.Exists(Path.Combine(rig.Agent.Directory.Path, "updates", "drivers", "offer-breaks")), "the saved drivers are removed once they are back");
    }

    [Fact]
    public async Task A_driver_without_the_owners_consent_is_refused()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var before = await rig.Cups.PpdAsync("office");
        await rig.StartAgentAsync();

        await rig.Agent.OfferAsync(rig.DriverRelease("2.0", "offer-unapproved", TestPpds.Ppd("2.0"), offer: o => o.Consent = null).Offer);

        var final = await rig.Agent.FinalReportAsync("offer-unapproved", InstallTimeout);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.ConsentMissing), (final.Phase, final.Failure));
        Assert.Equal("no consent: update offer-unapproved needs a install consent", final.Detail);
        Assert.Equal(before, await rig.Cups.PpdAsync("office"));
    }

    [Fact]
    public async Task A_package_for_another_platform_is_refused_with_its_reason()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        await rig.StartAgentAsync();

        await rig.Agent.OfferAsync(rig.DriverRelease("2.0", "offer-windows", [0x50, 0x4B, 0x05, 0x06], platform: "windows/x64,arm64:windows-inf").Offer);

        var final = await rig.Agent.FinalReportAsync("offer-windows", InstallTimeout);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.WrongPlatform), (final.Phase, final.Failure));
        Assert.Equal($"the package is for windows/x64,arm64 (Windows INF); this host is linux/{HostPlatforms.CurrentArchitecture} and installs CUPS PPD", final.Detail);
        AssertCoded(final, UpdateDetail.DriverWrongPlatformCode, "linux", HostPlatforms.CurrentArchitecture, "1", "windows/x64,arm64:windows-inf", "cups-ppd");
        Assert.DoesNotContain(rig.Agent.Reports("offer-windows"), r => r.Phase == UpdatePhase.Downloading);
    }

    [Fact]
    public async Task A_package_for_another_printer_model_or_an_older_driver_is_refused_without_download()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("2.0"));
        await rig.StartAgentAsync();

        await rig.Agent.OfferAsync(rig.DriverRelease("3.0", "offer-other-model", TestPpds.Ppd("3.0", model: "Acme InkJet 20"), model: "Acme InkJet 20").Offer);
        var otherModel = await rig.Agent.FinalReportAsync("offer-other-model", InstallTimeout);
        await rig.Agent.OfferAsync(rig.DriverRelease("1.5", "offer-older", TestPpds.Ppd("1.5")).Offer);
        var older = await rig.Agent.FinalReportAsync("offer-older", InstallTimeout);

        Assert.Equal((UpdatePhase.Failed, UpdateFailure.WrongModel), (otherModel.Phase, otherModel.Failure));
        Assert.Equal("no print queue on this host prints to Acme InkJet 20 (its queues: office → Acme LaserPro 500)", otherModel.Detail);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.Downgrade), (older.Phase, older.Failure));
        Assert.Equal("every queue for Acme LaserPro 500 already has driver 1.5 or newer (office: 2.0)", older.Detail);
        AssertCoded(otherModel, UpdateDetail.DriverNoQueueCode, "1", "Acme InkJet 20", "office", "Acme LaserPro 500");
        AssertCoded(older, UpdateDetail.DriverAlreadyNewerCode, "1.5", "1", "Acme LaserPro 500", "office", "2.0");
    }

    [Fact]
    public async Task A_printer_agent_refuses_a_driver_package_it_is_not_a_host()
    {
        await using var rig = new UpdateRig();
        await rig.StartAgentAsync();
        var release = Release.ForPayload(rig.ReleaseKey, rig.Server, UpdateRig.DeviceId, TestPpds.Ppd("2.0"), PackageKind.Driver, "acme-ppd-2.0", "2.0",
            [UpdateRig.Model], "offer-to-printer", m => m.Platforms = [new DriverPlatform { Os = HostPlatforms.Linux, Format = DriverFormat.CupsPpd }]);

        await rig.OfferAsync(release.Offer);

        var final = await rig.FinalReportAsync("offer-to-printer");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.WrongPlatform), (final.Phase, final.Failure));
        Assert.Equal("this agent watches a device, not a host: driver packages install on agents in the host role (Agent:Collectors=host)", final.Detail);
    }

    [Fact]
    public async Task A_driver_form_the_agent_cannot_install_itself_goes_to_the_installer_hook()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var installed = Path.Combine(rig.Agent.Directory.Path, "installed");
        var script = Path.Combine(rig.Agent.Directory.Path, "install-printer-app.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\nset -e\ncp \"$1\" '{installed}'\necho \"installed $2 for $3\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        rig.Options.DriverFormats = ["printer-application"];
        rig.Options.DriverInstallCommand = $"{script} {HostOptions.PayloadPlaceholder} {HostOptions.VersionPlaceholder} {HostOptions.QueuesPlaceholder}";
        await rig.StartAgentAsync();
        byte[] bundle = [1, 2, 3, 4, 5, 6, 7, 8];

        await rig.Agent.OfferAsync(rig.DriverRelease("4.0", "offer-app", bundle, platform: "linux:printer-application").Offer);

        var final = await rig.Agent.FinalReportAsync("offer-app", InstallTimeout);
        Assert.True(final.Phase == UpdatePhase.Succeeded, $"{final.Phase} {final.Failure}: {final.Detail}");
        Assert.Equal(bundle, await File.ReadAllBytesAsync(installed, TestContext.Current.CancellationToken));
        Assert.Equal($"Printer Application 4.0 installed by {script} for office", final.Detail);
        AssertCoded(final, UpdateDetail.DriverHookInstalledCode, "printer-application", "4.0", script, "office");
    }

    [Fact]
    public async Task A_failing_installer_hook_reports_its_exit_code_and_output_coded()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var script = Path.Combine(rig.Agent.Directory.Path, "install-printer-app.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"pnputil: the package is not signed\"\nexit 3\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        rig.Options.DriverFormats = ["printer-application"];
        rig.Options.DriverInstallCommand = $"{script} {HostOptions.PayloadPlaceholder}";
        await rig.StartAgentAsync();

        await rig.Agent.OfferAsync(rig.DriverRelease("4.0", "offer-app-fails", [1, 2, 3, 4], platform: "linux:printer-application").Offer);

        var final = await rig.Agent.FinalReportAsync("offer-app-fails", InstallTimeout);
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.InstallFailed), (final.Phase, final.Failure));
        Assert.Equal(UpdateDetail.DriverHookFailedCode, final.DetailCode);
        Assert.Equal([script, "3"], final.DetailValues.Take(2));
        Assert.Contains("pnputil: the package is not signed", final.DetailValues[2], StringComparison.Ordinal);
        Assert.Equal($"the driver install command ({script}) exited with code 3: {final.DetailValues[2]}", final.Detail);
    }

    [Fact]
    public async Task Use_driverless_switches_a_stopped_queue_to_ipp_everywhere_and_starts_it_again()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("3.0", filter: CupsServer.FailingFilter));
        await rig.StartAgentAsync();
        await rig.Cups.AdministerAsync("cupsdisable", ["-r", "Filter failed", "office"]);
        await rig.ReportAsync(r => r.Queues[0].State == DeviceState.Stopped, "the stopped queue reported");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await rig.Agent.Cloud.SendCommandAsync(UpdateRig.DeviceId, new Command
        {
            CommandId = "cmd-driverless",
            Name = DeviceCommands.UseDriverless,
            IssuedUnixMs = now,
            ExpiresUnixMs = now + 600_000,
            Consent = new ConsentGrant { ConsentId = "approval-driverless", Action = ConsentAction.Settings, GrantedUnixMs = now, ExpiresUnixMs = now + 600_000, CommandId = "cmd-driverless" },
        });

        await Eventually.TrueAsync(() => rig.Agent.Cloud.Results(UpdateRig.DeviceId).Any(r => r.CommandId == "cmd-driverless"), "the command's result", TimeSpan.FromSeconds(60));
        var result = rig.Agent.Cloud.Results(UpdateRig.DeviceId).First(r => r.CommandId == "cmd-driverless");
        Assert.True(result.Outcome == CommandOutcome.Succeeded, result.Detail);
        Assert.Equal("switched office to driverless IPP Everywhere (it had Acme LaserPro 500 Diagnostics Driver 3.0) and started it again", result.Detail);
        var report = await rig.ReportAsync(r => r.Queues[0].Driver == QueueDriver.Driverless, "the queue reported driverless");
        Assert.Equal((DeviceState.Idle, true), (report.Queues[0].State, report.Queues[0].AcceptingJobs));
        Assert.Contains("*PCFileName: \"ippeve.ppd\"", System.Text.Encoding.ASCII.GetString((await rig.Cups.PpdAsync("office"))!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_install_cut_off_after_it_changed_a_queue_is_taken_back_by_the_next_start()
    {
        await using var rig = await HostRig.StartAsync();
        await rig.AddQueueAsync("office", TestPpds.Ppd("1.0"));
        var before = await rig.Cups.PpdAsync("office");
        using var http = new HttpClient(new CupsAuthorizationHandler(rig.Cups.CertificateDirectory));
        var cups = new CupsScheduler(http, rig.Cups.Uri, TimeSpan.FromSeconds(10));
        var installer = new CupsDriverInstaller(cups, rig.Options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var payload = Path.Combine(rig.Agent.Directory.Path, "driver.part");
        await File.WriteAllBytesAsync(payload, TestPpds.Ppd("2.0"), TestContext.Current.CancellationToken);
        var release = rig.DriverRelease("2.0", "offer-cut", TestPpds.Ppd("2.0"));
        var work = Path.Combine(rig.Agent.Directory.Path, "updates", "drivers", "offer-cut");
        var queue = new PrintQueue { Name = "office", Driver = QueueDriver.Ppd, DriverVersion = "1.0", PrinterModel = TestPpds.Model };
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        // The agent stops (the token) once the new PPD is on the queue, while its test job runs.
        var install = installer.InstallAsync(new DriverInstallRequest("offer-cut", release.Manifest, release.Manifest.Platforms[0], payload, [queue], work), crash.Token);
        await Eventually.TrueAsync(async () => (await rig.Cups.PpdAsync("office"))!.AsSpan().SequenceEqual(TestPpds.Ppd("2.0")), "the new PPD on the queue", TimeSpan.FromSeconds(30));
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => install);

        var recovered = await installer.RecoverAsync(work, TestContext.Current.CancellationToken);

        Assert.Equal(DriverInstallOutcome.RolledBack, recovered!.Outcome);
        Assert.StartsWith("the agent stopped while it was installing the driver; the previous PPD is back byte for byte on office", recovered.Detail.Text, StringComparison.Ordinal);
        Assert.Equal(UpdateDetail.DriverRolledBackCode, recovered.Detail.Code);
        Assert.Equal(["1", "office", UpdateDetail.DriverAgentStoppedCode], recovered.Detail.Values);
        Assert.Equal(before, await rig.Cups.PpdAsync("office"));
        Assert.Null(await installer.RecoverAsync(work, TestContext.Current.CancellationToken));
    }

    /// <summary>The report's detail as the cloud reads it: its code and values.</summary>
    private static void AssertCoded(UpdateReport report, string code, params string[] values)
    {
        Assert.Equal(code, report.DetailCode);
        Assert.Equal(values, report.DetailValues);
    }
}
