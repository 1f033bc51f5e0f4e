using Diagnostics.Agent.Collectors.Snmp;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Collectors.Snmp;

public sealed class PrinterErrorStateTests
{
    [Fact]
    public void Bit_zero_is_the_most_significant_bit_of_the_first_octet()
    {
        var bits = PrinterErrorState.Decode([0x80]);

        Assert.Equal("lowPaper", Assert.Single(bits).Name);
    }

    [Fact]
    public void Jammed_and_low_toner_in_one_octet_map_to_paper_jam_error_and_toner_low_warning()
    {
        var bits = PrinterErrorState.Decode([0x24]);

        Assert.Collection(bits,
            b => Assert.Equal(("hrPrinter:lowToner", Conditions.TonerLow, Severity.Warning), (b.Code, b.Condition, b.Severity)),
            b => Assert.Equal(("hrPrinter:jammed", Conditions.PaperJam, Severity.Error), (b.Code, b.Condition, b.Severity)));
    }

    [Fact]
    public void Bits_in_the_second_octet_are_read_from_its_most_significant_bit()
    {
        // Second octet 0x80 = bit 8 inputTrayMissing; 0x02 = bit 14 overduePreventMaint.
        var bits = PrinterErrorState.Decode([0x00, 0x82]);

        Assert.Equal(["inputTrayMissing", "overduePreventMaint"], bits.Select(b => b.Name));
    }

    [Fact]
    public void Every_defined_bit_decodes_to_its_own_name_when_alone()
    {
        foreach (var expected in PrinterErrorState.Bits)
        {
            var octets = new byte[2];
            octets[expected.Bit / 8] = (byte)(0x80 >> (expected.Bit % 8));

            Assert.Equal(expected, Assert.Single(PrinterErrorState.Decode(octets)));
        }
    }

    [Fact]
    public void Empty_and_all_zero_strings_mean_no_errors_and_undefined_bits_are_ignored()
    {
        Assert.Empty(PrinterErrorState.Decode([]));
        Assert.Empty(PrinterErrorState.Decode([0x00, 0x00]));
        // Bit 15 and a third octet are not defined by RFC 3805.
        Assert.Empty(PrinterErrorState.Decode([0x00, 0x01, 0xFF]));
    }

    [Fact]
    public void One_octet_string_reports_only_first_octet_bits()
    {
        var bits = PrinterErrorState.Decode([0xFF]);

        Assert.Equal(8, bits.Count);
        Assert.Equal("serviceRequested", bits[^1].Name);
    }

    [Theory]
    [InlineData(500L, 2000L, 25)]
    [InlineData(0L, 2000L, 0)]
    [InlineData(2000L, 2000L, 100)]
    [InlineData(-3L, 2000L, -3)]
    [InlineData(-2L, -2L, -2)]
    [InlineData(-1L, 100L, -1)]
    [InlineData(50L, -2L, -2)]
    [InlineData(50L, 0L, -2)]
    public void Supply_levels_become_percent_or_the_MIB_markers(long level, long max, int expected)
    {
        Assert.Equal(expected, SnmpPrinterCollector.Percent(level, max));
    }
}
