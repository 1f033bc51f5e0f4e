using System.Text.Json;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The session API's stored English fields the pages word per reader since the third language audit get a field in the
/// reader's language beside them (issue 19): the session's <c>categoryForReader</c>, and in a status card's JSON each
/// supply's <c>nameForReader</c>. The stored fields stay as stored. Expected words are the translators' (.resx files).
/// </summary>
public sealed class SessionReaderFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("zh-CN", "zh-Hans")]
    [InlineData("ja-JP", "ja")]
    public async Task The_sessions_category_and_the_status_cards_supplies_have_a_field_in_the_readers_language(string acceptLanguage, string language)
    {
        await using var host = new CloudHost();
        var (device, owner, agent, session) = await ClosedLowTonerConversationAsync(host, "reader-fields-1", "CDCD7401", acceptLanguage);
        await using var _ = device;
        var (supply, category) = LowTonerWords(language);

        foreach (var (client, prefix) in new[] { (owner, "/api/me/sessions"), (agent, "/api/sessions") })
        {
            using var read = JsonDocument.Parse(await client.GetStringAsync(new Uri($"{prefix}/{session.Id}", UriKind.Relative), Ct));
            Assert.Equal(("Paper handling", category), (read.RootElement.GetProperty("category").GetString(), read.RootElement.GetProperty("categoryForReader").GetString()));

            using var messages = JsonDocument.Parse(await client.GetStringAsync(new Uri($"{prefix}/{session.Id}/messages", UriKind.Relative), Ct));
            var card = Assert.Single(messages.RootElement.EnumerateArray(), m => m.GetProperty("body").GetString()!.Contains("\"supplies\"", StringComparison.Ordinal));
            using var forReader = JsonDocument.Parse(card.GetProperty("textForReader").GetString()!);
            var listed = Assert.Single(forReader.RootElement.GetProperty("supplies").EnumerateArray());
            Assert.Equal(("Black Toner Cartridge", supply), (listed.GetProperty("name").GetString(), listed.GetProperty("nameForReader").GetString()));
            // The stored body is untouched: the reader's words are never stored.
            Assert.DoesNotContain("nameForReader", card.GetProperty("body").GetString()!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_status_card_stored_before_supplies_kept_their_type_reads_with_the_printers_name_and_other_bodies_pass_through()
    {
        const string Stored = """{"deviceId":"d","model":"m","firmware":"1","state":"Idle","health":"Warning","presence":"Online","conditions":[],"supplies":[{"name":"Black Toner Cartridge","levelPercent":4,"low":true,"empty":false}]}""";
        using var _ = new UiCulture("ja");

        using var read = JsonDocument.Parse(SupportCardText.StatusCardForReader(Stored));
        Assert.Equal("Black Toner Cartridge", Assert.Single(read.RootElement.GetProperty("supplies").EnumerateArray()).GetProperty("nameForReader").GetString());
        Assert.Equal("not json", SupportCardText.StatusCardForReader("not json"));
    }
}
