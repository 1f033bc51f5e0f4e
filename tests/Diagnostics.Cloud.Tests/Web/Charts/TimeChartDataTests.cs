using Diagnostics.Cloud.Web.Charts;

namespace Diagnostics.Cloud.Tests.Web.Charts;

public sealed class TimeChartDataTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ChartPoint At(int minutes, double value) => new(T0.AddMinutes(minutes), value);

    [Fact]
    public void Lines_measured_at_the_same_moments_share_one_axis_and_span_exactly_the_data()
    {
        var chart = TimeChartData.Align(
            [new ChartSeries("black", "#000", [At(0, 80), At(1, 79), At(2, 78)]), new ChartSeries("tray", "#00f", [At(0, 50), At(1, 40), At(2, 30)])],
            TimeSpan.FromMinutes(5));

        Assert.Equal(T0, chart.From);
        Assert.Equal(T0.AddMinutes(2), chart.To);
        Assert.Equal(3, chart.Times.Count);
        Assert.Equal([80d, 79d, 78d], chart.Lines[0].Values.Cast<double>());
        Assert.Equal([50d, 40d, 30d], chart.Lines[1].Values.Cast<double>());
    }

    [Fact]
    public void A_silence_longer_than_the_gap_is_drawn_as_a_gap()
    {
        var chart = TimeChartData.Align([new ChartSeries("t", "#000", [At(0, 1), At(1, 2), At(60, 3), At(61, 4)])], TimeSpan.FromMinutes(5));

        Assert.Equal(5, chart.Times.Count);
        Assert.Equal([1d, 2d, null, 3d, 4d], chart.Lines[0].Values);
        Assert.True(chart.Times[2] > chart.Times[1] && chart.Times[2] < chart.Times[3]);
    }

    [Fact]
    public void The_usual_gap_is_three_times_the_median_spacing_but_not_less_than_asked()
    {
        var everyMinute = Enumerable.Range(0, 10).Select(i => T0.AddMinutes(i));
        var everySecond = Enumerable.Range(0, 10).Select(i => T0.AddSeconds(i));

        Assert.Equal(TimeSpan.FromMinutes(3), TimeChartData.UsualGap(everyMinute, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMinutes(2), TimeChartData.UsualGap(everySecond, TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.MaxValue, TimeChartData.UsualGap([T0, T0.AddHours(1)], TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void No_points_is_no_data()
    {
        var chart = TimeChartData.Align([new ChartSeries("t", "#000", [])], TimeSpan.FromMinutes(5));

        Assert.False(chart.HasData);
        Assert.Empty(chart.Times);
    }
}
