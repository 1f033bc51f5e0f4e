using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Support;

/// <summary>
/// A support conversation end to end with real processes and two browsers: a customer on a phone whose real
/// (simulated) printer jams, and an agent on the dashboard. The assistant answers with the jam's steps and fix card,
/// the customer asks for a person, the agent takes the conversation with the live device beside it, the two chat, the
/// customer approves the fix card in the chat, the printer clears the jam, the agent closes with a solution, the
/// customer rates the help and a supervisor reviews the conversation for the agent.
/// </summary>
public sealed class SupportChatTests
{
    private static readonly float LoopPatienceMs = 90_000;

    [Fact(Timeout = 300_000)]
    public async Task A_customer_on_a_phone_and_an_agent_on_the_dashboard_solve_a_jam_in_the_chat()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: ["--Support:FixCheckInterval=00:00:00.500"]);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-chat-printer");
        var code = await printer.PairingCodeAsync(ct);
        var screenshots = Environment.GetEnvironmentVariable(Web.ScreenshotsTests.FolderVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : null;
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone);
        await using var agent = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop);

        await customer.RunAsync(phone => agent.RunAsync(async desk =>
        {
            await CompanionSteps.SignInAndPairAsync(customer, code, printer.DeviceId);
            await printer.RestartAsync(SimulatedPrinterProcess.JamAtOnce);
            await customer.GotoLiveAsync($"/app/devices/{printer.DeviceId}");
            await Expect(phone.GetByTestId("device-problem").First).ToHaveAttributeAsync("data-condition", "PAPER_JAM", new() { Timeout = LoopPatienceMs });

            // The customer asks for help from the device page; the assistant answers from the jam it reports.
            await phone.GetByTestId("device-get-help").ClickAsync();
            await customer.ExpectLiveAsync();
            await Expect(phone.GetByTestId("help-device")).ToHaveValueAsync(printer.DeviceId);
            await phone.GetByTestId("help-text").FillAsync("It stopped printing and blinks orange");
            await phone.GetByTestId("help-start").ClickAsync();
            await phone.WaitForURLAsync("**/app/support/ss-*");
            await customer.ExpectLiveAsync();
            var chat = phone.GetByTestId("chat");
            await Expect(chat.GetByTestId("article-card")).ToHaveAttributeAsync("data-article-id", "paper-jam");
            var fixCard = chat.GetByTestId("fix-card");
            await Expect(fixCard).ToHaveAttributeAsync("data-state", "proposed");
            await phone.GetByTestId("chat-handover").ClickAsync();
            await Expect(chat).ToHaveAttributeAsync("data-state", "queued");

            // The agent starts taking conversations and gets this one, with the device live beside it.
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            await agent.GotoLiveAsync("/dashboard/support");
            await desk.GetByTestId("availability-toggle").ClickAsync();
            var mine = desk.GetByTestId("my-session");
            await Expect(mine).ToHaveCountAsync(1);
            await mine.GetByRole(AriaRole.Link).ClickAsync();
            await desk.WaitForURLAsync("**/dashboard/support/ss-*");
            await Expect(desk.GetByTestId("handover-reason")).ToContainTextAsync("The customer asked for a person.");
            await Expect(desk.GetByTestId("panel-condition")).ToHaveAttributeAsync("data-code", "ipp:media-jam");
            var agentChat = desk.GetByTestId("chat");
            await Expect(agentChat).ToHaveAttributeAsync("data-state", "assigned");
            await Expect(agentChat.Locator("[data-internal=true]")).ToContainTextAsync("Handed over: The customer asked for a person.");
            // The hand-over note comes first; the assistant's part of the conversation unfolds on request.
            await Expect(agentChat.GetByTestId("message").First).ToHaveAttributeAsync("data-internal", "true");
            await Expect(agentChat.GetByTestId("status-card")).ToHaveCountAsync(0);
            await desk.GetByTestId("assistant-transcript-toggle").ClickAsync();
            await Expect(agentChat.GetByTestId("status-card")).ToContainTextAsync("ipp:media-jam");
            await desk.GetByTestId("assistant-transcript-toggle").ClickAsync();
            await Expect(agentChat.GetByTestId("status-card")).ToHaveCountAsync(0);
            if (screenshots is not null)
                await agent.SaveAsync(screenshots, "23-dashboard-handover");

            // They chat.
            await Expect(chat.GetByTestId("chat-state")).ToContainTextAsync("With ");
            // Each side sees the other writing, until the message arrives.
            await desk.GetByTestId("chat-input").FillAsync("Hello, I can see the jam in tray 1. Tap Approve on the fix card and the printer pushes the sheet out.");
            await Expect(chat.GetByTestId("chat-typing-other")).ToHaveTextAsync("Alex Agent is writing…");
            await desk.GetByTestId("chat-send").ClickAsync();
            await Expect(chat.Locator("[data-author=agent]").Last).ToContainTextAsync("Tap Approve on the fix card");
            await Expect(chat.GetByTestId("chat-typing-other")).ToHaveCountAsync(0);
            await phone.GetByTestId("chat-input").FillAsync("OK, doing it now");
            await Expect(agentChat.GetByTestId("chat-typing-other")).ToContainTextAsync("is writing…");
            await phone.GetByTestId("chat-send").ClickAsync();
            await Expect(agentChat.Locator("[data-author=customer]").Last).ToContainTextAsync("OK, doing it now");
            await Expect(agentChat.GetByTestId("chat-typing-other")).ToHaveCountAsync(0);
            if (screenshots is not null)
                await customer.SaveAsync(screenshots, "20-companion-chat");

            // The fix card approved in the chat: the printer runs it and the jam clears, on both pages.
            await fixCard.GetByTestId("chat-fix-approve").ClickAsync();
            await Expect(fixCard).ToHaveAttributeAsync("data-state", "verified", new() { Timeout = LoopPatienceMs });
            await Expect(fixCard.GetByTestId("chat-fix-state")).ToHaveTextAsync("Fixed.");
            await Expect(agentChat.GetByTestId("fix-card")).ToHaveAttributeAsync("data-state", "verified");
            await Expect(desk.GetByTestId("panel-no-conditions")).ToBeVisibleAsync(new() { Timeout = LoopPatienceMs });
            if (screenshots is not null)
                await agent.SaveAsync(screenshots, "21-dashboard-conversation");

            // The agent closes with a solution (folded away, and confirmed); the customer keeps it and rates the help.
            await desk.GetByTestId("close-fold").Locator("summary").ClickAsync();
            await desk.GetByTestId("close-category").SelectOptionAsync("Paper handling");
            await desk.GetByTestId("close-summary").FillAsync("Jam in tray 1 cleared by the printer's own fix");
            await desk.GetByTestId("close-solution").FillAsync("When it jams again, approve the fix in the app or follow the steps above.");
            await desk.GetByTestId("close-send").ClickAsync();
            await Expect(desk.GetByTestId("close-confirm-text")).ToBeVisibleAsync();
            await Expect(agentChat).ToHaveAttributeAsync("data-state", "assigned");
            await desk.GetByTestId("close-confirm").ClickAsync();
            await Expect(agentChat).ToHaveAttributeAsync("data-state", "closed");
            await Expect(chat).ToHaveAttributeAsync("data-state", "closed");
            await Expect(chat.GetByTestId("solution-text")).ToHaveTextAsync("When it jams again, approve the fix in the app or follow the steps above.");
            await phone.GetByTestId("rating-5").ClickAsync();
            await phone.GetByTestId("rating-comment").FillAsync("Quick and clear");
            await phone.GetByTestId("rating-send").ClickAsync();
            await Expect(chat.GetByTestId("rating-card")).ToHaveTextAsync("Rated 5 out of 5: “Quick and clear”");
            await Expect(agentChat.GetByTestId("rating-card")).ToContainTextAsync("Rated 5 out of 5");
        }));

        // A supervisor finds the ended conversation among those not reviewed yet and scores it; the agent reads it on the desk.
        await using var lead = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop);
        await lead.RunAsync(async review =>
        {
            await lead.SignInAsync(CloudProcess.SupervisorEmail, CloudProcess.DemoPassword);
            await review.GotoAsync("/dashboard/support/history?reviewed=false");
            var row = review.GetByTestId("history-row");
            await Expect(row).ToHaveCountAsync(1);
            await row.GetByRole(AriaRole.Link).ClickAsync();
            await review.WaitForURLAsync("**/dashboard/support/ss-*");
            // The page has two live parts (the chat and the device panel); the review form lives with the chat's circuit.
            await Expect(review.GetByTestId("chat").GetByTestId("live-status")).ToHaveAttributeAsync("data-state", "live");
            await review.GetByTestId("rubric-right-fix").CheckAsync();
            await review.GetByTestId("rubric-plain-words").CheckAsync();
            await review.GetByTestId("review-score").SelectOptionAsync("4");
            await review.GetByTestId("review-comment-input").FillAsync("Good use of the fix card; greet the customer by name next time.");
            await review.GetByTestId("review-send").ClickAsync();
            await Expect(review.GetByTestId("quality-review")).ToHaveAttributeAsync("data-score", "4");
            await Expect(review.GetByTestId("review-summary")).ToContainTextAsync("4/5 for Alex Agent · by Sam Supervisor");
            if (screenshots is not null)
                await lead.SaveAsync(screenshots, "22-dashboard-review");
        });
        await agent.RunAsync(async desk =>
        {
            await agent.GotoLiveAsync("/dashboard/support");
            await Expect(desk.GetByTestId("my-review")).ToContainTextAsync("greet the customer by name next time");
        });

        using var supervisor = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = cloud.BaseAddress };
        using (var login = await supervisor.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.SupervisorEmail, password = CloudProcess.DemoPassword }, ct))
            login.EnsureSuccessStatusCode();
        var audit = await supervisor.GetFromJsonAsync<List<JsonElement>>($"api/devices/{printer.DeviceId}/audit", ct);
        var approval = audit!.Single(a => a.GetProperty("action").GetString() == "consent.approved");
        Assert.Contains("in support session ss-", approval.GetProperty("actor").GetString(), StringComparison.Ordinal);
        using var figures = JsonDocument.Parse(await supervisor.GetStringAsync("api/support/figures", ct));
        Assert.Equal((1, 0, 5.0, 4.0), (figures.RootElement.GetProperty("closed").GetInt32(), figures.RootElement.GetProperty("resolvedByBot").GetInt32(),
            figures.RootElement.GetProperty("satisfactionMean").GetDouble(), figures.RootElement.GetProperty("reviewScoreMean").GetDouble()));
    }
}
