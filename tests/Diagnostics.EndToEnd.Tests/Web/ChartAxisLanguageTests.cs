using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// The time axis of a chart in the reader's language (issue 19): uPlot's own formats wrote "Dec 7" on a Chinese or
/// Japanese dashboard. Chinese and Japanese write a month and day as "12月7日" (CLDR's MMMd, what
/// <c>Intl.DateTimeFormat(…, { month: 'short', day: 'numeric' })</c> gives in both); the axis is drawn on a canvas, so
/// the chart keeps its ticks and their labels on its host for reading.
/// </summary>
[Collection(SharesDemoCloud.Name)]
public sealed partial class ChartAxisLanguageTests(DemoCloud demo)
{
    [Theory(Timeout = 180_000)]
    [InlineData("zh-CN")]
    [InlineData("ja-JP")]
    public async Task The_fleet_charts_time_axis_writes_dates_as_the_readers_language_does(string locale)
    {
        await demo.AllOnlineAsync();
        await using var chromium = await Chromium.LaunchAsync();
        await using var agent = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop, locale);

        await agent.RunAsync(async page =>
        {
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            // A week: the ticks are days (or half days), so every label, or every new day's, carries a date.
            await agent.GotoLiveAsync("/dashboard?range=7d");
            var plot = page.GetByTestId("chart-conditions-over-time").Locator(".chart-plot");
            await Expect(plot).ToHaveAttributeAsync("data-axis-labels", new Regex("."));
            var times = (await plot.GetAttributeAsync("data-axis-times"))!.Split(' ').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToList();
            var labels = JsonSerializer.Deserialize<List<string>>((await plot.GetAttributeAsync("data-axis-labels"))!)!;

            Assert.Equal(times.Count, labels.Count);
            Assert.True(labels.Count >= 3, $"only {labels.Count} ticks on a week's axis");
            Assert.All(labels, label => Assert.DoesNotMatch(Latin(), label));
            var dated = 0;
            foreach (var (time, label) in times.Zip(labels))
            {
                if (!label.Contains('月', StringComparison.Ordinal))
                    continue;
                var day = DateTimeOffset.FromUnixTimeSeconds(time).UtcDateTime;
                Assert.Contains($"{day.Month}月{day.Day}日", label, StringComparison.Ordinal);
                dated++;
            }
            Assert.True(dated > 0, "no tick of a week's axis names its day: " + string.Join(" | ", labels));
        });
    }

    /// <summary>Letters of the Latin script: an English month or day name, "AM"/"PM".</summary>
    [GeneratedRegex("[A-Za-z]")]
    private static partial Regex Latin();
}
