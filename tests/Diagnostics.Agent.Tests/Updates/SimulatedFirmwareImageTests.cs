using Diagnostics.Agent.Collectors.Simulated;

namespace Diagnostics.Agent.Tests.Updates;

public sealed class SimulatedFirmwareImageTests
{
    [Fact]
    public void An_image_carries_its_version_model_and_planted_faults_in_its_header()
    {
        var image = SimulatedFirmwareImage.Create("2.3.0", "Acme LaserPro 400", [SimulatedFirmwareImage.FuserFault], 32 * 1024, seed: 7);

        var read = SimulatedFirmwareImage.TryRead(image, out var error);

        Assert.Null(error);
        Assert.Equal(32 * 1024, image.Length);
        Assert.Equal(("2.3.0", "Acme LaserPro 400"), (read!.Version, read.Model));
        Assert.Equal([SimulatedFirmwareImage.FuserFault], read.Faults);
        Assert.True(read.Has(SimulatedFirmwareImage.FuserFault));
        Assert.StartsWith("DXSIMFW1\n{", System.Text.Encoding.ASCII.GetString(image, 0, 10), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_versions_made_with_one_seed_differ_only_in_their_header()
    {
        var older = SimulatedFirmwareImage.Create("2.1.0", "Acme LaserPro 400", [], 64 * 1024, seed: 3);
        var newer = SimulatedFirmwareImage.Create("2.3.0", "Acme LaserPro 400", [SimulatedFirmwareImage.EngineError], 64 * 1024, seed: 3);

        Assert.Equal(older.AsSpan(SimulatedFirmwareImage.MaxHeaderBytes).ToArray(), newer.AsSpan(SimulatedFirmwareImage.MaxHeaderBytes).ToArray());
        Assert.NotEqual(older, SimulatedFirmwareImage.Create("2.1.0", "Acme LaserPro 400", [], 64 * 1024, seed: 4));
    }

    [Fact]
    public void An_unknown_fault_or_bytes_that_are_not_an_image_are_refused_with_the_reason()
    {
        var unknown = Assert.Throws<ArgumentException>(() => SimulatedFirmwareImage.Create("2.3.0", "M", ["melts"], 8192, 1));
        Assert.Contains("unknown fault 'melts'", unknown.Message, StringComparison.Ordinal);
        Assert.Null(SimulatedFirmwareImage.TryRead("ELF\u0001 not ours"u8, out var error));
        Assert.Contains("does not start with DXSIMFW1", error, StringComparison.Ordinal);
    }
}
