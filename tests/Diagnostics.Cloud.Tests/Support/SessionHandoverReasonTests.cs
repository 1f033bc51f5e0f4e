using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// Every session view of the API gives the hand-over reason in the reader's language beside the stored English one, as
/// the desk and the conversation page show it (issue 19, second audit row 12). Expected words are the translators'
/// (Resources/Support/SupportStaffText.*.resx, "Handover.AskedForPerson").
/// </summary>
public sealed class SessionHandoverReasonTests
{
    private const string Stored = "The customer asked for a person.";
    private const string AskForAPerson = "My printer keeps jamming, please talk to a person";

    [Theory]
    [InlineData("en-US", "en", "The customer asked for a person.")]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "客户要求转人工。")]
    [InlineData("ja-JP", "ja", "お客様が担当者との対応を希望しました。")]
    public async Task Each_session_view_gives_the_stored_hand_over_reason_and_the_same_reason_in_the_readers_language(
        string acceptLanguage, string language, string reason)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        foreach (var reader in new[] { customer, agent, supervisor })
            reader.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        // An earlier conversation, handed over, taken and closed: the history's and the next one's context.
        var earlier = await OpenAsync(customer, null, AskForAPerson);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{earlier.Id}/take");
        await OkAsync<SupportSession>(agent, $"/api/sessions/{earlier.Id}/close", new { summary = "Jams", category = "Paper handling", solution = "Cleaned the rollers." });
        var session = await OpenAsync(customer, null, AskForAPerson);

        var queue = await agent.GetJsonAsync<List<JsonElement>>("/api/sessions/queue");
        AssertReason(Assert.Single(queue, s => Id(s) == session.Id), language, reason);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");

        AssertReason(Assert.Single(await agent.GetJsonAsync<List<JsonElement>>("/api/sessions"), s => Id(s) == session.Id), language, reason);
        AssertReason(await agent.GetJsonAsync<JsonElement>($"/api/sessions/{session.Id}"), language, reason);
        var context = await agent.GetJsonAsync<JsonElement>($"/api/sessions/{session.Id}/context");
        AssertReason(Assert.Single(context.GetProperty("earlierSessions").EnumerateArray()), language, reason);
        AssertReason(Assert.Single(await supervisor.GetJsonAsync<List<JsonElement>>("/api/sessions/history"), s => Id(s) == earlier.Id), language, reason);

        var mine = await customer.GetJsonAsync<List<JsonElement>>("/api/me/sessions");
        Assert.Equal(new[] { earlier.Id, session.Id }.Order(StringComparer.Ordinal), mine.Select(Id).Order(StringComparer.Ordinal));
        Assert.All(mine, s => AssertReason(s, language, reason));
        AssertReason(await customer.GetJsonAsync<JsonElement>($"/api/me/sessions/{session.Id}"), language, reason);
    }

    [Fact]
    public async Task A_session_nobody_handed_over_has_no_reason_for_the_reader_either()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var session = await OpenAsync(customer, null, "Hello");
        var read = await customer.GetJsonAsync<JsonElement>($"/api/me/sessions/{session.Id}");

        Assert.Equal(JsonValueKind.Null, read.GetProperty("handoverReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, read.GetProperty("handoverReasonForReader").ValueKind);
        Assert.Equal(JsonValueKind.Null, read.GetProperty("handoverReasonForReaderLanguage").ValueKind);
    }

    private static string? Id(JsonElement session) => session.GetProperty("id").GetString();

    private static void AssertReason(JsonElement session, string language, string reason)
    {
        Assert.Equal(Stored, session.GetProperty("handoverReason").GetString());
        Assert.Equal(reason, session.GetProperty("handoverReasonForReader").GetString());
        Assert.Equal(language, session.GetProperty("handoverReasonForReaderLanguage").GetString());
    }
}
