using System.Text.RegularExpressions;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// One problem across two languages with real processes: a customer whose phone is set to Chinese asks the assistant
/// about a jam in Chinese, asks for a person, and approves the fix card in Chinese; an agent whose browser is English
/// reads the hand-over in English, sees that the customer writes Chinese, and turns the assistant's card into English.
/// </summary>
public sealed partial class SupportLanguageTests
{
    private static readonly float LoopPatienceMs = 90_000;

    [Fact(Timeout = 300_000)]
    public async Task A_Chinese_customer_asks_for_a_person_and_approves_the_fix_and_an_English_agent_reads_the_hand_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-zh-printer");
        var code = await printer.PairingCodeAsync(ct);
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone, locale: "zh-CN");
        await using var agent = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop, locale: "en-GB");
        var sessionPath = "";

        await customer.RunAsync(async page =>
        {
            await CompanionSteps.SignInAndPairAsync(customer, code, printer.DeviceId);
            await printer.RestartAsync(SimulatedPrinterProcess.JamAtOnce);
            await customer.GotoLiveAsync($"/app/devices/{printer.DeviceId}");
            var card = page.GetByTestId("fix-card").First;
            await Expect(card).ToHaveAttributeAsync("data-state", "proposed", new() { Timeout = LoopPatienceMs });

            // While the printer is jammed, a question to the assistant, in Chinese: the paper-jam article in Chinese.
            await customer.GotoLiveAsync($"/app/support?device={printer.DeviceId}");
            await page.GetByTestId("help-text").FillAsync("打印机卡纸了");
            await page.GetByTestId("help-start").ClickAsync();
            await page.WaitForURLAsync("**/app/support/*");
            await customer.ExpectLiveAsync();
            var article = page.GetByTestId("article-card").First;
            await Expect(article.GetByTestId("article-title")).ToHaveTextAsync("卡纸", new() { Timeout = LoopPatienceMs });
            await Expect(page.GetByTestId("chat-handover")).ToHaveTextAsync("联系人工客服");
            await page.GetByTestId("chat-handover").ClickAsync();
            // The conversation's own line, stored once in English, read in the customer's language.
            await Expect(page.GetByTestId("messages")).ToContainTextAsync("客服人员将接手对话");
            await Expect(page.GetByTestId("chat")).ToHaveAttributeAsync("data-state", QueuedOrAssigned());
            sessionPath = "/dashboard/support/" + await page.GetByTestId("chat").GetAttributeAsync("data-session-id");

            // The fix card in Chinese: the article's translated title and "what the printer will do", our own sentences.
            await customer.GotoLiveAsync($"/app/devices/{printer.DeviceId}");
            card = page.GetByTestId("fix-card").First;
            await Expect(card.Locator(".problem-title")).ToHaveTextAsync("卡纸");
            await Expect(card.GetByTestId("fix-preview")).ToContainTextAsync("进纸辊");
            await Expect(card.GetByTestId("fix-state")).ToHaveTextAsync("解决方法已准备好，只有在您批准后才会执行。");
            await Expect(card.GetByTestId("fix-approve")).ToHaveTextAsync("批准");
            await card.GetByTestId("fix-approve").ClickAsync();
            await Expect(card).ToHaveAttributeAsync("data-state", "verified", new() { Timeout = LoopPatienceMs });
            await Expect(card.GetByTestId("fix-state")).ToHaveTextAsync("已解决。");
        });

        await agent.RunAsync(async page =>
        {
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            await agent.GotoLiveAsync(sessionPath, allParts: true);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

            // Whose language the conversation is in, named for the agent.
            var language = page.GetByTestId("customer-language");
            await Expect(language).ToHaveAttributeAsync("data-language", "zh-Hans");
            await Expect(language).ToContainTextAsync("Chinese");

            // The hand-over note: English, for staff, naming the customer's language and the article by its English title.
            var note = page.Locator("[data-testid=message][data-internal=true][data-author=bot]");
            await Expect(note).ToContainTextAsync("Handed over: The customer asked for a person.");
            await Expect(note).ToContainTextAsync("Customer's language: Chinese");
            await Expect(note).ToContainTextAsync("(zh-Hans)");
            await Expect(note).ToContainTextAsync("The assistant showed: Paper jam");

            // What came before the hand-over is folded behind the note; the agent opens it.
            var transcript = page.GetByTestId("assistant-transcript-toggle");
            await transcript.ClickAsync();
            await Expect(transcript).ToHaveAttributeAsync("aria-expanded", "true");

            // What the customer typed is shown as written and marked as not translated.
            var typed = page.Locator("[data-testid=message][data-author=customer]").First;
            await Expect(typed.GetByTestId("message-text")).ToHaveTextAsync("打印机卡纸了");
            await Expect(typed.GetByTestId("message-not-translated")).ToBeVisibleAsync();

            // The assistant's card as the customer read it, then in English at a click.
            var card = page.Locator("[data-testid=message][data-kind=article]").First;
            await Expect(card.GetByTestId("article-title")).ToHaveTextAsync("卡纸");
            await card.GetByTestId("message-translate").ClickAsync();
            await Expect(card.GetByTestId("article-title")).ToHaveTextAsync("Paper jam");
            await Expect(card).ToHaveAttributeAsync("data-language", new Regex("^en"));
        });
    }

    [GeneratedRegex("^(queued|assigned)$")]
    private static partial Regex QueuedOrAssigned();
}
