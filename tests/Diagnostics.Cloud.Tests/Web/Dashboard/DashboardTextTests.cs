using System.Reflection;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Web.Dashboard;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>The dashboard's words for conditions, health and times, in the reader's language (the thread's UI culture, as a request sets it).</summary>
public sealed class DashboardTextTests
{
    [Fact]
    public void Every_normalized_condition_has_a_dashboard_name()
    {
        var missing = typeof(Conditions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(condition => !DashboardText.Names(condition))
            .ToList();
        Assert.True(missing.Count == 0, "Add Condition.{name} to Resources/Web/Dashboard/DashboardText{,.zh-Hans,.ja}.resx for: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("en-US", "Paper jam", "critical", "online", "3 min ago", "2 d ago", "Paper handling", "Vendor thing")]
    [InlineData("zh-Hans", "卡纸", "严重", "在线", "3 分钟前", "2 天前", "纸张处理", "VENDOR_THING")]
    [InlineData("ja-JP", "紙詰まり", "重大", "オンライン", "3 分前", "2 日前", "用紙の扱い", "VENDOR_THING")]
    public void The_dashboard_words_follow_the_readers_language(string culture, string jam, string critical, string online, string minutes, string days, string category, string unknown)
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        using var _ = new UiCulture(culture);

        Assert.Equal(jam, DashboardText.ConditionName(Conditions.PaperJam));
        Assert.Equal(critical, DeviceHealth.Critical.Text());
        Assert.Equal(online, DevicePresence.Online.Text());
        Assert.Equal(minutes, DashboardTime.Ago(now.AddMinutes(-3), now));
        Assert.Equal(days, DashboardTime.Ago(now.AddDays(-2), now));
        Assert.Equal(category, DashboardText.CategoryName("Paper handling"));
        // A normalized name no translation knows yet: words in English, the code as it is elsewhere.
        Assert.Equal(unknown, DashboardText.ConditionName("VENDOR_THING"));
        // A raw vendor code is shown as the device sent it, in every language.
        Assert.Equal("vendor:42", DashboardText.ConditionName("vendor:42"));
    }

    [Fact]
    public void Exact_times_use_the_readers_date_order_with_seconds()
    {
        var at = new DateTimeOffset(2026, 12, 6, 15, 4, 5, TimeSpan.Zero);
        using (new UiCulture("ja-JP"))
            Assert.Equal("2026/12/06 15:04:05（UTC）", DashboardTime.Exact(at));
        using (new UiCulture("zh-Hans"))
            Assert.Matches("^2026/12/0?6 15:04:05", DashboardTime.Exact(at));
    }
}
