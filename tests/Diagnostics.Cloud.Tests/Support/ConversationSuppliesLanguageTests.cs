using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// What the third language audit (issue 19, tests/l10n-audit) found still English in a conversation read in Chinese or
/// Japanese: the status card's low supply and the agent's device panel named the supply as the printer does ("Black
/// Toner Cartridge"), and the solution card a customer keeps showed its category as stored ("Paper handling"). Expected
/// words are the translators', read from the resource files.
/// </summary>
public sealed class ConversationSuppliesLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("zh-CN", "zh-Hans")]
    [InlineData("ja-JP", "ja")]
    public async Task Supplies_and_the_solutions_category_read_in_the_readers_language_on_both_sides_of_a_conversation(string acceptLanguage, string language)
    {
        await using var host = new CloudHost();
        var (device, owner, agent, session) = await ClosedLowTonerConversationAsync(host, "conv-lang-1", "CDCD7301", acceptLanguage);
        await using var _ = device;

        // Conversation: "{0}: low ({1} %)"; DevicePanel: "{0}: {1}".
        var (supply, category) = LowTonerWords(language);
        var supplyLow = string.Format(Culture(language), RepositoryFiles.ResourceTexts("Web/Components/Conversation", language)["SupplyLow"], supply, LowTonerPercent);

        var customersPage = await GetPageAsync(owner, $"/app/support/{session.Id}");
        var agentsPage = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");

        Assert.Contains(supplyLow, Assert.Single(TestIdTexts(customersPage, "status-card")), StringComparison.Ordinal);
        Assert.Equal([category], TestIdTexts(customersPage, "solution-category"));
        // The agent's page folds the assistant's part (with the status card) behind the hand-over note; the panel names the supply.
        Assert.Equal([category], TestIdTexts(agentsPage, "solution-category"));
        Assert.StartsWith(supply, Assert.Single(TestIdTexts(agentsPage, "panel-supply")), StringComparison.Ordinal);
        Assert.DoesNotContain("Black Toner Cartridge", customersPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Toner Cartridge", agentsPage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_status_card_stored_before_supplies_kept_their_type_reads_with_the_printers_name_and_the_readers_name_is_never_stored()
    {
        // As written before this change: no type, no colour.
        const string Stored = """{"deviceId":"d","model":"m","firmware":"1","state":"Idle","health":"Warning","presence":"Online","conditions":[],"supplies":[{"name":"Black Toner Cartridge","levelPercent":4,"low":true,"empty":false}]}""";
        using var _ = new UiCulture("zh-Hans");

        var old = Assert.Single(SupportCardText.Read<DeviceStatusCard>(Stored)!.Supplies);
        var written = SupportCardText.Write(old with { Type = "toner", Color = "black" });

        Assert.Equal("Black Toner Cartridge", old.NameForReader);
        Assert.DoesNotContain("nameForReader", written, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"type\":\"toner\"", written, StringComparison.Ordinal);
    }

    private static System.Globalization.CultureInfo Culture(string language) => System.Globalization.CultureInfo.GetCultureInfo(language);
}
