using System.Security.Cryptography;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

public sealed class DriverChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static UpdateManifest Driver(string version = "2.0", string platforms = "linux:cups-ppd", string minimumFrom = "", bool rollback = false)
    {
        var payload = SHA256.HashData("ppd"u8);
        return new UpdateManifest
        {
            PackageId = $"acme-lp500-ppd-{version}",
            Kind = PackageKind.Driver,
            Version = version,
            Models = ["Acme LaserPro 500"],
            Platforms = [.. platforms.Split(' ').Select(p => HostPlatforms.TryParse(p, out _)!)],
            MinimumFromVersion = minimumFrom,
            ImageSize = 3,
            ImageSha256 = payload,
            PayloadSize = 3,
            PayloadSha256 = payload,
            CreatedUnixMs = Now.AddDays(-1).ToUnixTimeMilliseconds(),
            ExpiresUnixMs = Now.AddDays(30).ToUnixTimeMilliseconds(),
            IsRollbackRelease = rollback,
        };
    }

    private static PrintQueue Queue(string name, string version, QueueDriver driver = QueueDriver.Ppd, string model = "Acme LaserPro 500") =>
        new() { Name = name, PrinterModel = model, Driver = driver, DriverVersion = version };

    private static HostFacts Linux(params PrintQueue[] queues) => new(HostPlatforms.Linux, "x64", [DriverFormat.CupsPpd], queues);

    [Fact]
    public void A_driver_for_this_platform_takes_the_queues_of_its_model_with_an_older_driver()
    {
        var check = DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "1.0"), Queue("lab", "2.0"), Queue("ink", "1.0", model: "Acme InkJet 20")), Now);

        Assert.True(check.IsAccepted, check.Detail);
        Assert.Equal(["office"], check.Queues.Select(q => q.Name));
        Assert.Equal(DriverFormat.CupsPpd, check.Platform!.Format);
    }

    [Theory]
    [InlineData("windows/x64:windows-inf", "the package is for windows/x64 (Windows INF); this host is linux/x64 and installs CUPS PPD")]
    [InlineData("linux/arm64:cups-ppd", "the package is for linux/arm64 (CUPS PPD); this host is linux/x64 and installs CUPS PPD")]
    [InlineData("linux:printer-application", "the package is for linux (Printer Application); this host is linux/x64 and installs CUPS PPD")]
    public void A_driver_for_another_platform_is_refused_naming_both(string platform, string detail)
    {
        var check = DriverChecks.CheckForHost(Driver(platforms: platform), Linux(Queue("office", "1.0")), Now);

        Assert.Equal((UpdateFailure.WrongPlatform, detail), (check.Failure, check.Detail));
    }

    [Fact]
    public void Queues_that_print_driverless_or_raw_are_left_as_they_are()
    {
        var check = DriverChecks.CheckForHost(Driver(), Linux(Queue("office", "", QueueDriver.Driverless), Queue("raw", "", QueueDriver.Raw)), Now);

        Assert.Equal(UpdateFailure.WrongPlatform, check.Failure);
        Assert.Equal("the queues for Acme LaserPro 500 use no PPD (office: driverless (IPP Everywhere), raw: raw); a PPD would replace that", check.Detail);
    }

    [Theory]
    [InlineData("2.0", false, UpdateFailure.Downgrade)]
    [InlineData("2.1", false, UpdateFailure.Downgrade)]
    [InlineData("rev-b", false, UpdateFailure.Downgrade)]
    [InlineData("", false, UpdateFailure.None)]
    [InlineData("1.9.9", false, UpdateFailure.None)]
    [InlineData("2.1", true, UpdateFailure.None)]
    [InlineData("2.0", true, UpdateFailure.Downgrade)]
    public void Versions_order_as_dotted_numbers_and_only_a_rollback_release_goes_back(string queueVersion, bool rollback, UpdateFailure expected) =>
        Assert.Equal(expected, DriverChecks.CheckForHost(Driver(rollback: rollback), Linux(Queue("office", queueVersion)), Now).Failure);

    [Fact]
    public void A_queue_older_than_the_minimum_to_update_from_is_refused()
    {
        var check = DriverChecks.CheckForHost(Driver(minimumFrom: "1.5"), Linux(Queue("office", "1.0")), Now);

        Assert.Equal((UpdateFailure.VersionTooOld, "the queues for Acme LaserPro 500 have driver 1.0; this package updates from 1.5 or later"), (check.Failure, check.Detail));
    }

    [Fact]
    public void An_expired_driver_is_refused_first()
    {
        var check = DriverChecks.CheckForHost(Driver(platforms: "windows:windows-inf"), Linux(), Now.AddDays(31));

        Assert.Equal(UpdateFailure.Expired, check.Failure);
    }

    [Theory]
    [InlineData("", "a driver package must name its host platforms (os[/arch]:format, for example linux:cups-ppd)", ManifestProblem.DriverWithoutPlatforms)]
    [InlineData("linux:cups-ppd windows:windows-inf", "a driver package carries one payload, so one driver form; it names CUPS PPD, Windows INF",
        ManifestProblem.DriverForms, "CUPS PPD", "Windows INF")]
    public void Driver_manifest_rules(string platforms, string problem, string code, params string[] values)
    {
        var manifest = Driver();
        manifest.Platforms = [.. platforms.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => HostPlatforms.TryParse(p, out _)!)];

        Assert.Equal(problem, ManifestChecks.DescribeProblem(manifest));
        Assert.Equal(code, ManifestChecks.FindProblem(manifest)?.Code);
        Assert.Equal(values, ManifestChecks.FindProblem(manifest)!.Values);
    }

    [Fact]
    public void A_platform_rule_names_what_was_given_and_then_the_choices()
    {
        var manifest = Driver();
        manifest.Platforms = [new DriverPlatform { Os = "beos", Format = DriverFormat.CupsPpd }];

        var problem = ManifestChecks.FindProblem(manifest)!;

        Assert.Equal(ManifestProblem.UnknownOs, problem.Code);
        Assert.Equal(["beos", "linux", "windows", "macos"], problem.Values);
        Assert.Equal("operating system \"beos\" is not one of linux, windows, macos", problem.Text);
    }

    [Fact]
    public void A_firmware_package_names_no_platforms()
    {
        var manifest = Driver();
        manifest.Kind = PackageKind.Firmware;

        Assert.Equal("a firmware package names no host platforms (those are for drivers)", ManifestChecks.DescribeProblem(manifest));
    }

    [Theory]
    [InlineData("linux:cups-ppd", "linux", "", DriverFormat.CupsPpd)]
    [InlineData("windows/x64,arm64:windows-inf", "windows", "x64,arm64", DriverFormat.WindowsInf)]
    [InlineData("MacOS:MAC-PKG", "macos", "", DriverFormat.MacPackage)]
    public void Platforms_read_from_their_text_form_and_back(string text, string os, string architectures, DriverFormat format)
    {
        var platform = HostPlatforms.TryParse(text, out var error);

        Assert.Null(error);
        Assert.Equal((os, architectures, format), (platform!.Os, string.Join(",", platform.Architectures), platform.Format));
        Assert.Equal(text.ToLowerInvariant(), HostPlatforms.ToText(platform));
    }

    [Theory]
    [InlineData("linux", "platform \"linux\" is not os[/arch,arch]:format (for example linux:cups-ppd or windows/x64:windows-inf)")]
    [InlineData("beos:cups-ppd", "operating system \"beos\" is not one of linux, windows, macos")]
    [InlineData("linux/sparc:cups-ppd", "architecture \"sparc\" is not one of x64, arm64, x86, arm")]
    [InlineData("linux:deb", "driver form \"deb\" is not one of cups-ppd, printer-application, windows-inf, mac-pkg")]
    public void A_platform_that_does_not_read_says_why(string text, string error)
    {
        Assert.Null(HostPlatforms.TryParse(text, out var actual));
        Assert.Equal(error, actual);
    }
}
