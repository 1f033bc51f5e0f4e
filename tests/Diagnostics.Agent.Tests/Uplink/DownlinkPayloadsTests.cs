using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Uplink;

public sealed class DownlinkPayloadsTests
{
    private static byte[] Encoded(string commandId) => WireCodec.Encode(new Command
    {
        CommandId = commandId,
        Name = DeviceCommands.ClearPaperPath,
        Parameters = [new CommandParameter { Name = "tray", Value = "1" }],
        ExpiresUnixMs = 1_700_000_600_000,
        Consent = new ConsentGrant { ConsentId = "policy-1", Action = ConsentAction.Maintenance },
    });

    [Fact]
    public void Reads_the_command_id_of_a_command_cut_short_anywhere_after_the_id()
    {
        var whole = Encoded("cmd-42");
        var idEnds = 2 + "cmd-42".Length;

        for (var length = idEnds; length <= whole.Length; length++)
            Assert.Equal("cmd-42", DownlinkPayloads.TryReadCommandId(whole.AsSpan(0, length)));
        Assert.Null(DownlinkPayloads.TryReadCommandId(whole.AsSpan(0, idEnds - 1)));
    }

    [Fact]
    public void Reads_the_id_before_a_corrupt_field_and_gives_up_at_the_corruption()
    {
        var whole = Encoded("cmd-7");
        var corrupt = whole.ToArray();
        corrupt[2 + "cmd-7".Length] = 0x0B; // field 1 as a group start: nothing after it can be read

        Assert.False(WireCodec.Decode<Command>(corrupt).IsSuccess);
        Assert.Equal("cmd-7", DownlinkPayloads.TryReadCommandId(corrupt));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x0A, 0x10, 0x61 })]          // an id claiming 16 bytes, with one
    [InlineData(new byte[] { 0x0A, 0x02, 0xC3, 0x28 })]    // not UTF-8
    [InlineData(new byte[] { 0x0A, 0x01, 0x07 })]          // a control character
    [InlineData(new byte[] { 0x12, 0x01, 0x61 })]          // only a name
    public void Finds_no_id_where_there_is_none_to_trust(byte[] payload)
    {
        Assert.Null(DownlinkPayloads.TryReadCommandId(payload));
    }

    [Fact]
    public void Ignores_an_id_too_long_to_be_the_clouds()
    {
        Assert.Null(DownlinkPayloads.TryReadCommandId(Encoded(new string('x', DownlinkPayloads.MaxCommandIdLength + 1))));
        Assert.NotNull(DownlinkPayloads.TryReadCommandId(Encoded(new string('x', DownlinkPayloads.MaxCommandIdLength))));
    }

    [Fact]
    public void Never_throws_on_random_bytes()
    {
        var random = new Random(5);
        for (var i = 0; i < 2_000; i++)
        {
            var payload = new byte[random.Next(0, 64)];
            random.NextBytes(payload);
            _ = DownlinkPayloads.TryReadCommandId(payload);
        }
    }
}
