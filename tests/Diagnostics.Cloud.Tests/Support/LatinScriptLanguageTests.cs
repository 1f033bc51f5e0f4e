using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// Latin letters are shared by many languages, so their script does not tell which one a customer writes in: the
/// language the customer chose does, when its script is the text's. The language names below are BCP 47 tags as .NET
/// writes them; French and Russian are not among the build's translations, which is the point: a language added by
/// resource files alone must count as itself in the unanswered questions and the assistant's figures.
/// </summary>
public sealed class LatinScriptLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // Latin letters from a customer who reads French, German or Vietnamese are in that language.
    [InlineData("Le papier est coincé dans l'imprimante", "fr", "fr")]
    [InlineData("Papierstau im Drucker", "de", "de")]
    [InlineData("Máy in bị kẹt giấy", "vi", "vi")]
    // Cyrillic from a customer who reads Russian is Russian; Latin letters from that customer are not.
    [InlineData("Бумага застряла", "ru", "ru")]
    [InlineData("paper jam", "ru", "en")]
    // As before: English without a choice, for an English reader, and Latin letters from a Japanese or Chinese reader.
    [InlineData("paper jam", null, "en")]
    [InlineData("paper jam", "en-GB", "en")]
    [InlineData("paper jam", "ja", "en")]
    [InlineData("paper jam", "zh-Hans", "en")]
    // The script still decides where it can, whatever the choice.
    [InlineData("紙詰まりです", "fr", "ja")]
    [InlineData("打印机卡纸了", "fr", "zh-Hans")]
    // No letters: the text does not say, and stays English as it always did; a name .NET does not know is no choice.
    [InlineData("50.1", "fr", "en")]
    [InlineData("paper jam", "xx-nonsense", "en")]
    public void Latin_letters_are_in_the_customers_language_when_its_script_is_latin(string text, string? chosen, string expected) =>
        Assert.Equal(expected, ConversationLanguage.Of(text, chosen));

    [Fact]
    public void A_languages_script_is_the_one_its_own_name_is_written_in()
    {
        // ICU's native names: "français" and "English" share Latin letters, "русский" is Cyrillic, "日本語" neither.
        Assert.Equal(LetterScript.Of(CultureInfo.GetCultureInfo("fr").NativeName), LetterScript.Of(CultureInfo.GetCultureInfo("en").NativeName));
        Assert.NotEqual(LetterScript.Of(CultureInfo.GetCultureInfo("ru").NativeName), LetterScript.Of(CultureInfo.GetCultureInfo("en").NativeName));
        Assert.NotEqual(LetterScript.Of(CultureInfo.GetCultureInfo("ja").NativeName), LetterScript.Of("paper jam"));
        Assert.Null(LetterScript.Of("13.20 !"));
    }

    /// <summary>
    /// Through the real host: a customer who reads French and one who reads Japanese both write Latin letters the
    /// assistant cannot answer. The French customer's choice is written through the account store, as a cloud with
    /// French resources would have stored it: this build has no French satellite assembly, so the language API refuses
    /// "fr" (rightly), and the test project cannot add one to the cloud's build without code.
    /// </summary>
    [Theory, BothEngines]
    public async Task Unanswered_questions_and_the_assistants_figures_count_latin_letters_in_the_customers_chosen_language(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var french = await host.SignedInClientAsync(AccountRole.Customer);
        Assert.True(await host.Services.GetRequiredService<IAccountStore>().SetLanguageAsync(await AccountIdAsync(french), "fr", Ct));
        var japanese = await host.SignedInClientAsync(AccountRole.Customer);
        using (var set = await japanese.PutAsJsonAsync("/api/auth/language", new { language = "ja" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var frenchSession = await HandedOverAsync(french, "Bonjour", "Elle fait un bruit bizarre parfois");
        var japaneseSession = await HandedOverAsync(japanese, "Hello", "It makes a strange noise sometimes");

        var unanswered = await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered");
        Assert.Equal([new LanguageCount("en", 1), new LanguageCount("fr", 1)], unanswered.Languages);
        var asked = Assert.Single((await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered?language=fr")).Questions);
        Assert.Equal(("fr", "Bonjour", frenchSession), (asked.Language, asked.Text, Assert.Single(asked.SessionIds)));
        Assert.Equal(japaneseSession, Assert.Single(Assert.Single((await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered?language=en")).Questions).SessionIds));

        foreach (var id in new[] { frenchSession, japaneseSession })
        {
            await OkAsync<SupportSession>(agent, $"/api/sessions/{id}/take");
            await OkAsync<SupportSession>(agent, $"/api/sessions/{id}/close", new { summary = "Noise", category = "Hardware fault", solution = "Checked the rollers." });
        }
        var figures = await agent.GetJsonAsync<List<AssistantLanguageFigures>>("/api/support/figures/assistant");
        Assert.Equal(["en", "fr"], figures.Select(f => f.Language));
        Assert.All(figures, f => Assert.Equal((1, 1), (f.Conversations, f.HandedOver)));
    }

    private static async Task<string> HandedOverAsync(HttpClient customer, string first, string second)
    {
        var session = await OpenAsync(customer, null, first);
        await OkAsync<SupportMessage>(customer, $"/api/me/sessions/{session.Id}/messages", new { text = second });
        var handed = await SessionAsync(customer, session.Id);
        Assert.Contains(handed.HandoverReason, new[] { SupportBot.NotSureReason, SupportBot.NoArticleReason });
        return session.Id;
    }
}
