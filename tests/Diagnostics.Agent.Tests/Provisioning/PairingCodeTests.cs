using Diagnostics.Agent.Provisioning;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Provisioning;

public sealed class PairingCodeTests
{
    [Fact]
    public void The_code_is_created_once_and_survives_restarts()
    {
        using var directory = new TestDirectory();

        var first = PairingCode.LoadOrCreate(directory.Path);
        var again = PairingCode.LoadOrCreate(directory.Path);

        Assert.Equal(first, again);
        Assert.Equal(first, PairingCodes.Normalize(File.ReadAllText(Path.Combine(directory.Path, PairingCode.FileName))));
    }

    [Fact]
    public void Devices_get_valid_codes_that_differ()
    {
        var codes = Enumerable.Range(0, 200).Select(_ =>
        {
            using var directory = new TestDirectory();
            return PairingCode.LoadOrCreate(directory.Path);
        }).ToList();

        Assert.All(codes, code => Assert.Equal(code, PairingCodes.Normalize(code)));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void A_damaged_code_file_is_replaced_by_a_valid_code()
    {
        using var directory = new TestDirectory();
        File.WriteAllText(Path.Combine(directory.Path, PairingCode.FileName), "garbage!");

        var code = PairingCode.LoadOrCreate(directory.Path);

        Assert.NotNull(PairingCodes.Normalize(code));
        Assert.Equal(code, PairingCode.LoadOrCreate(directory.Path));
    }
}
