using System.Text;
using Diagnostics.Agent.Hosts;

namespace Diagnostics.Agent.Tests.Hosts;

/// <summary>The PPD facts the host role reads (Adobe PPD Specification 4.3: main keywords are "*Keyword: value", options "*Keyword Option: value").</summary>
public sealed class PpdFileTests
{
    [Fact]
    public void A_makers_ppd_reads_its_driver_name_version_and_model()
    {
        var ppd = PpdFile.TryRead(TestPpds.Ppd("1.2.3"), out var problem);

        Assert.Null(problem);
        Assert.Equal(("1.2.3", "Acme LaserPro 500 Diagnostics Driver 1.2.3", "Acme LaserPro 500", "Acme"), (ppd!.FileVersion, ppd.NickName, ppd.ModelName, ppd.Manufacturer));
        Assert.False(ppd.IsDriverless);
    }

    [Theory]
    [InlineData("*PCFileName: \"ippeve.ppd\"\n*NickName: \"Printer - IPP Everywhere\"")]
    [InlineData("*NickName: \"Acme LaserPro 500, driverless, cups-filters 1.28.17\"")]
    public void A_ppd_cups_made_from_the_printers_own_description_is_driverless(string lines)
    {
        var ppd = PpdFile.TryRead(Encoding.ASCII.GetBytes($"*PPD-Adobe: \"4.3\"\r\n*FileVersion: \"2.4\"\r\n{lines.Replace("\n", "\r\n", StringComparison.Ordinal)}\r\n"), out _);

        Assert.True(ppd!.IsDriverless);
    }

    [Fact]
    public void Option_lines_and_comments_do_not_pass_for_main_keywords()
    {
        var ppd = PpdFile.TryRead(Encoding.ASCII.GetBytes("*PPD-Adobe: \"4.3\"\n*% *NickName: \"in a comment\"\n*NickName Fake/Fake: \"an option\"\n*NickName: \"Real\"\n*NickName: \"Second\"\n"), out _);

        Assert.Equal("Real", ppd!.NickName);
    }

    [Theory]
    [InlineData("<html>not found</html>", "it is not a PPD: a PPD begins with *PPD-Adobe")]
    [InlineData("*PPD-Adobe: \"4.3\"\n*FileVersion: \"1.0\"\n", "the PPD has no *NickName (the name CUPS shows for the driver)")]
    public void What_is_not_a_usable_ppd_says_why(string text, string expected)
    {
        Assert.Null(PpdFile.TryRead(Encoding.ASCII.GetBytes(text), out var problem));
        Assert.Equal(expected, problem);
    }
}
