using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>
/// What the dashboard showed in English to every agent whatever their language (found by reading its pages as a Chinese
/// agent, issue 19): the device list's health filter, the supplies a printer names in English, and the agent's own
/// counters and their units on a device's page.
/// </summary>
public sealed class DevicePagesLanguageTests
{
    [Theory]
    [InlineData("en-US", "critical", new[] { "Black Toner Cartridge", "Waste Toner Box", "Tray 1 paper" }, "Connections to the cloud 2 count", "Printer read time (ms)", "{0} UTC")]
    [InlineData("zh-CN,zh;q=0.9", "严重", new[] { "黑色碳粉", "废粉盒", "纸盒 1 的纸张" }, "连接云端次数 2 次", "读取打印机耗时（毫秒）", "{0}（UTC）")]
    [InlineData("ja-JP", "重大", new[] { "ブラックトナー", "廃トナーボックス", "トレイ 1 の用紙" }, "クラウドへの接続回数 2 回", "プリンターの読み取り時間（ミリ秒）", "{0}（UTC）")]
    public async Task An_agent_reads_health_supplies_and_the_agents_counters_in_their_language(
        string acceptLanguage, string critical, string[] supplies, string steadyCounter, string chartTitle, string atUtc)
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("lang-1", "LaserJet 4000");
        var status = device.NewEnvelope(status: new DeviceStatus
        {
            Model = "LaserJet 4000", Serial = "LJ-1", State = DeviceState.Idle,
            // Named by the printer in English, as printers do whatever their owner reads.
            Supplies =
            [
                new SupplyLevel { Name = "Black Toner Cartridge", Type = "toner", Color = "black", LevelPercent = 40 },
                new SupplyLevel { Name = "Waste Toner Box", Type = "wasteToner", Color = "no-color", LevelPercent = 25 },
                new SupplyLevel { Name = "Tray 1", Type = "media", Color = "white", LevelPercent = 50 },
            ],
        });
        await device.SendAsync(status);
        // The agent's own counters: one that stays put (a row of its own), one that moves (a chart).
        Envelope? heartbeat = null;
        foreach (var readTime in new[] { 12.5, 30.0 })
        {
            heartbeat = device.NewEnvelope(heartbeat: new Heartbeat
            {
                Metrics = [new Metric { Name = "uplink-connects", Value = 2, Unit = "count" }, new Metric { Name = "collector-read-time", Value = readTime, Unit = "ms" }],
            });
            await device.SendAsync(heartbeat);
        }
        await device.WaitForAckAsync(heartbeat!.Sequence);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var list = await GetPageAsync(agent, "/dashboard/devices");
        var detail = await GetPageAsync(agent, "/dashboard/devices/lang-1");

        // The filter's value stays the stored word the query carries; what the agent reads is theirs.
        Assert.Contains($"<option value=\"critical\">{critical}</option>", list, StringComparison.Ordinal);
        var gauges = TestIdTexts(detail, "supply-gauge");
        Assert.Equal(supplies.Length, gauges.Count);
        foreach (var (gauge, name) in gauges.Zip(supplies))
            Assert.StartsWith(name, gauge, StringComparison.Ordinal);
        // The supply chart names its lines as the gauges do: it named them by the printer's English names (second audit).
        var supplyChart = TestIdTexts(detail, "telemetry-chart")[0];
        foreach (var name in supplies)
            Assert.Contains(name, supplyChart, StringComparison.Ordinal);
        Assert.Equal(acceptLanguage.StartsWith("en", StringComparison.Ordinal), supplyChart.Contains("Toner", StringComparison.Ordinal));
        Assert.Contains(steadyCounter, Assert.Single(TestIdTexts(detail, "agent-steady-metrics")), StringComparison.Ordinal);
        Assert.Contains($"<h3>{chartTitle}</h3>", detail, StringComparison.Ordinal);
        // What the page hands the chart script for its tooltips' moments: the reader's culture (Intl.DateTimeFormat writes
        // the date in it) and how their language says "in UTC" (the dashboard's convention, DashboardTime).
        var language = Assert.Single(Attribute(detail, "agent-chart", "data-language"));
        Assert.StartsWith(acceptLanguage[..2], language, StringComparison.Ordinal);
        Assert.Equal(atUtc, System.Net.WebUtility.HtmlDecode(Assert.Single(Attribute(detail, "agent-chart", "data-at-utc"))));
    }
}
