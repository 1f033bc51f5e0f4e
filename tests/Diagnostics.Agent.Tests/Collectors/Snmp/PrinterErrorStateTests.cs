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
    // RFC 3805: a level without a capacity still says "some remains" (-3), and 0 is empty whatever the capacity.
    [InlineData(50L, -2L, -3)]
    [InlineData(50L, 0L, -3)]
    [InlineData(0L, -2L, 0)]
    public void Supply_levels_become_percent_or_the_MIB_markers(long level, long max, int expected)
    {
        Assert.Equal(expected, SnmpPrinterCollector.Percent(level, max));
    }

    [Fact]
    public void Service_requested_is_a_warning_as_RFC_2790_pairs_it_unless_the_printer_says_it_is_down()
    {
        var bit = Assert.Single(PrinterErrorState.Decode([0x01]));

        // RFC 2790 hrPrinterDetectedErrorState: serviceRequested (bit 7) goes with hrDeviceStatus warning(3);
        // its "critical alert active" row (down(5)) lists it too.
        Assert.Equal(("serviceRequested", Severity.Warning), (bit.Name, PrinterErrorState.SeverityOf(bit, 3)));
        Assert.Equal(Severity.Warning, PrinterErrorState.SeverityOf(bit, 2));
        Assert.Equal(Severity.Error, PrinterErrorState.SeverityOf(bit, 5));
    }

    // RFC 3805 PrtMarkerSuppliesClassTC: supplyThatIsConsumed(3), receptacleThatIsFilled(4); prtMarkerSuppliesLevel is
    // "the current level if this supply is a container; the remaining space if this supply is a receptacle".
    [Theory]
    [InlineData(3L, 0L, 2000L, 0, true, true)]      // toner at 0 %: empty (and low)
    [InlineData(3L, 80L, 2000L, 4, true, false)]    // toner at 4 %: low
    [InlineData(3L, 180L, 2000L, 9, true, false)]   // toner at 9 %: low
    [InlineData(3L, 1500L, 2000L, 75, false, false)]
    [InlineData(4L, 2000L, 2000L, 0, false, false)] // waste box with all its space left: 0 % full, fine
    [InlineData(4L, 100L, 2000L, 95, true, false)]  // 5 % space left: almost full
    [InlineData(4L, 0L, 2000L, 100, true, true)]    // no space left: full
    [InlineData(4L, -3L, -2L, -3, false, false)]    // "some remaining space"
    public void Supply_class_decides_whether_the_level_is_what_is_left_or_the_room_left(long supplyClass, long level, long max, int percent, bool low, bool empty)
    {
        var supply = SnmpPrinterCollector.MarkerSupply(supplyClass, unit: 7, level, max);

        Assert.Equal((percent, low, empty), (supply.LevelPercent, supply.Low, supply.Empty));
    }

    [Fact]
    public void A_known_level_with_an_unknown_capacity_is_kept_and_says_capacity_unknown()
    {
        // prtMarkerSuppliesMaxCapacity -2 (unknown), 160 impressions (PrtMarkerSuppliesSupplyUnitTC impressions(7)) left.
        var supply = SnmpPrinterCollector.MarkerSupply(supplyClass: 3, unit: 7, level: 160, maxCapacity: -2);

        Assert.Equal((-3, 160, -2, "impressions", true), (supply.LevelPercent, supply.Level, supply.MaxCapacity, supply.Unit, supply.CapacityUnknown));
        Assert.False(supply.Low || supply.Empty);
        var percent = SnmpPrinterCollector.MarkerSupply(supplyClass: 3, unit: 19, level: 40, maxCapacity: -2);
        Assert.Equal((40, false), (percent.LevelPercent, percent.CapacityUnknown));
        var none = SnmpPrinterCollector.MarkerSupply(supplyClass: 3, unit: 7, level: 0, maxCapacity: -2);
        Assert.Equal((0, true), (none.LevelPercent, none.Empty));
    }
}
