using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// What the session APIs answer to a POST (a conversation opened, handed over, taken, a message sent, a conversation
/// closed, rated, a conversation staff open) carries the reader fields the GETs carry (<c>handoverReasonForReader</c>, <c>textForReader</c> and
/// their languages), the same values as a GET right after, in the reader's language (issue 19). Expected words are the
/// translators' (Resources/Support/SupportStaffText and StarterCannedReplies).
/// </summary>
public sealed class SessionPostAnswerLanguageTests
{
    private const string Stored = "The customer asked for a person.";
    private const string AgentGreeting = "Hello Kim, this is Alex from support. I can see sim-7 and what it reports; let's sort this out together.";
    private static readonly string[] SessionReaderFields = ["handoverReason", "handoverReasonForReader", "handoverReasonForReaderLanguage"];

    [Theory]
    [InlineData("en-US", "en", "The customer asked for a person.", AgentGreeting)]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "客户要求转人工。", "Kim您好，我是客服 Alex。我能看到 sim-7 及其上报的状态，我们一起来解决这个问题吧。")]
    [InlineData("ja-JP", "ja", "お客様が担当者との対応を希望しました。", "Kim 様、サポートの Alex です。sim-7 の状態はこちらで確認できています。一緒に解決していきましょう。")]
    public async Task Every_post_answer_carries_the_reader_fields_of_the_get_in_the_readers_language(
        string acceptLanguage, string language, string reason, string greeting)
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        foreach (var reader in new[] { customer, agent })
            reader.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        // A conversation the assistant starts, the customer then asking for a person.
        var opened = await OkAsync<JsonElement>(customer, "/api/me/sessions", new { text = "Hello" });
        var id = opened.GetProperty("id").GetString()!;
        AssertSameReaderFields(await customer.GetJsonAsync<JsonElement>($"/api/me/sessions/{id}"), opened);
        var handedOver = await OkAsync<JsonElement>(customer, $"/api/me/sessions/{id}/handover");
        AssertReason(handedOver, language, reason);
        AssertSameReaderFields(await customer.GetJsonAsync<JsonElement>($"/api/me/sessions/{id}"), handedOver);

        var taken = await OkAsync<JsonElement>(agent, $"/api/sessions/{id}/take");
        AssertReason(taken, language, reason);
        AssertSameReaderFields(await agent.GetJsonAsync<JsonElement>($"/api/sessions/{id}"), taken);

        // The agent writes the English starter greeting: the answer gives it in the agent's language, as the messages GET does.
        var sent = await OkAsync<JsonElement>(agent, $"/api/sessions/{id}/messages", new { text = AgentGreeting });
        Assert.Equal((AgentGreeting, greeting, language), (Text(sent, "body"), Text(sent, "textForReader"), Text(sent, "textForReaderLanguage")));
        AssertSameMessage(await agent.GetJsonAsync<List<JsonElement>>($"/api/sessions/{id}/messages"), sent);
        var answered = await OkAsync<JsonElement>(customer, $"/api/me/sessions/{id}/messages", new { text = "Thanks, it works now" });
        Assert.Equal(("Thanks, it works now", "en"), (Text(answered, "textForReader"), Text(answered, "textForReaderLanguage")));
        AssertSameMessage(await customer.GetJsonAsync<List<JsonElement>>($"/api/me/sessions/{id}/messages"), answered);

        var closed = await OkAsync<JsonElement>(agent, $"/api/sessions/{id}/close", new { summary = "Jams", category = "Paper handling", solution = "Cleaned the rollers." });
        AssertReason(closed, language, reason);
        var rated = await OkAsync<JsonElement>(customer, $"/api/me/sessions/{id}/rating", new { rating = 5 });
        AssertReason(rated, language, reason);
        AssertSameReaderFields(await customer.GetJsonAsync<JsonElement>($"/api/me/sessions/{id}"), rated);
    }

    [Theory]
    [InlineData("en-US", "en", "Opened by support.")]
    [InlineData("zh-CN,zh;q=0.9", "zh-Hans", "由客服发起的对话。")]
    [InlineData("ja-JP", "ja", "サポートから開始した会話です。")]
    public async Task A_conversation_staff_open_answers_with_its_stored_reason_read_in_the_readers_language(string acceptLanguage, string language, string reason)
    {
        await using var host = new CloudHost();
        var (device, _) = await PairedDeviceAsync(host, "staff-open-1", "HHHH4444");
        await using var connected = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var opened = await OkAsync<JsonElement>(agent, "/api/sessions", new { deviceId = "staff-open-1", text = "Hello, we saw your printer stop." });

        Assert.Equal("Opened by support.", Text(opened, "handoverReason"));
        Assert.Equal((reason, language), (Text(opened, "handoverReasonForReader"), Text(opened, "handoverReasonForReaderLanguage")));
        AssertSameReaderFields(await agent.GetJsonAsync<JsonElement>($"/api/sessions/{Text(opened, "id")}"), opened);
    }

    [Fact]
    public async Task A_conversation_the_customer_leaves_answers_with_the_reader_fields_too()
    {
        await using var host = new CloudHost();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP");
        var opened = await OkAsync<JsonElement>(customer, "/api/me/sessions", new { text = "Hello" });

        var left = await OkAsync<JsonElement>(customer, $"/api/me/sessions/{opened.GetProperty("id").GetString()}/leave");

        Assert.All(SessionReaderFields, field => Assert.Equal(JsonValueKind.Null, left.GetProperty(field).ValueKind));
    }

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static void AssertReason(JsonElement session, string language, string reason)
    {
        Assert.Equal(Stored, Text(session, "handoverReason"));
        Assert.Equal((reason, language), (Text(session, "handoverReasonForReader"), Text(session, "handoverReasonForReaderLanguage")));
    }

    private static void AssertSameReaderFields(JsonElement got, JsonElement answered) =>
        Assert.Equal(SessionReaderFields.Select(f => got.GetProperty(f).GetRawText()), SessionReaderFields.Select(f => answered.GetProperty(f).GetRawText()));

    /// <summary>The POST's answer is the message the GET lists at its sequence, field for field.</summary>
    private static void AssertSameMessage(List<JsonElement> listed, JsonElement answered)
    {
        var sequence = answered.GetProperty("sequence").GetInt64();
        Assert.Equal(Assert.Single(listed, m => m.GetProperty("sequence").GetInt64() == sequence).GetRawText(), answered.GetRawText());
    }
}
