using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// The main actions of both apps with the keyboard alone, in real Chromium: Tab to move, typing to fill, Enter to act.
/// At every stop the focused element must show where focus is (a computed outline, WCAG 2.4.7), and a heading that
/// takes focus after navigation (for screen readers) must draw none.
/// </summary>
[Collection(SharesDemoCloud.Name)]
public sealed class KeyboardTests(DemoCloud demo)
{
    /// <summary>More Tab presses than any page here needs to reach its main action; reaching it later is a finding in itself.</summary>
    private const int MaxTabs = 80;

    [Fact(Timeout = 300_000)]
    public async Task A_customer_writes_and_an_agent_opens_a_device_and_takes_and_answers_the_conversation_with_the_keyboard_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        await demo.AllOnlineAsync();
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone);
        await using var agent = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop);

        string sessionId = "";
        await customer.RunAsync(async phone =>
        {
            await SignInWithKeysAsync(phone, CloudProcess.CustomerEmail);
            // The customer writes in their conversation: Tab to the message box, type, Tab to Send, Enter.
            sessionId = await OpenSupportSessionAsync(phone, DemoCloud.FirstCustomersDevice, ct);
            await customer.GotoLiveAsync($"/app/support/{sessionId}");
            await TabToAsync(phone, "chat-input");
            await phone.Keyboard.TypeAsync("Typed without a mouse");
            await Expect(phone.GetByTestId("chat-send")).ToBeEnabledAsync();
            await TabToAsync(phone, "chat-send");
            await phone.Keyboard.PressAsync("Enter");
            await Expect(phone.GetByTestId("chat").Locator("[data-author=customer]").Last).ToContainTextAsync("Typed without a mouse");
        });

        await agent.RunAsync(async desk =>
        {
            await SignInWithKeysAsync(desk, CloudProcess.AgentEmail);

            // A device from the list: Tab to its link, Enter; the page's heading takes focus without a ring.
            await agent.GotoLiveAsync("/dashboard/devices");
            await TabToAsync(desk, element => element.Href?.StartsWith("/dashboard/devices/", StringComparison.Ordinal) == true);
            await desk.Keyboard.PressAsync("Enter");
            await desk.WaitForURLAsync("**/dashboard/devices/*");
            await ExpectNoRingOnAFocusedHeadingAsync(desk);

            // The conversation (with the assistant or queued: either way the agent can take it): take it, reply, all by keys.
            await agent.GotoLiveAsync($"/dashboard/support/{sessionId}", allParts: true);
            await TabToAsync(desk, "session-take");
            await desk.Keyboard.PressAsync("Enter");
            var chat = desk.GetByTestId("chat");
            await Expect(chat).ToHaveAttributeAsync("data-state", "assigned");
            await TabToAsync(desk, "chat-input");
            await desk.Keyboard.TypeAsync("Hello, I am looking at your printer now.");
            await Expect(desk.GetByTestId("chat-send")).ToBeEnabledAsync();
            await TabToAsync(desk, "chat-send");
            await desk.Keyboard.PressAsync("Enter");
            await Expect(chat.Locator("[data-author=agent]").Last).ToContainTextAsync("looking at your printer now");
            // Closing stays deliberate by keyboard too: the fold opens with Enter, and the first press only asks.
            await TabToAsync(desk, element => element.Tag == "SUMMARY");
            await desk.Keyboard.PressAsync("Enter");
            await TabToAsync(desk, "close-send");
            await desk.Keyboard.PressAsync("Enter");
            await Expect(desk.GetByTestId("close-confirm-text")).ToBeVisibleAsync();
            await Expect(chat).ToHaveAttributeAsync("data-state", "assigned");
        });
    }

    private static async Task SignInWithKeysAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await TabToAsync(page, "email");
        await page.Keyboard.TypeAsync(email);
        await TabToAsync(page, "password");
        await page.Keyboard.TypeAsync(CloudProcess.DemoPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/login", StringComparison.Ordinal),
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    }

    private static Task TabToAsync(IPage page, string testId) => TabToAsync(page, element => element.TestId == testId, testId);

    /// <summary>Presses Tab until the focused element is the one wanted, checking at every stop that focus is visible.</summary>
    private static async Task TabToAsync(IPage page, Func<FocusedElement, bool> wanted, string? what = null)
    {
        var path = new List<string>();
        for (var presses = 0; presses < MaxTabs; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await FocusedAsync(page);
            if (focused is null)
                continue; // Focus left the document (the browser's own UI) for one press.
            path.Add(focused.ToString());
            Assert.False(focused.IsHeading, $"Tab stopped on a heading ({focused}); headings are not controls.");
            Assert.True(focused.RingVisible, $"Focus is not visible on {focused} at {page.Url}: outline {focused.OutlineStyle} {focused.OutlineWidth}.");
            if (wanted(focused))
                return;
        }
        Assert.Fail($"{what ?? "the element"} was not reached in {MaxTabs} Tab presses at {page.Url}; focus went: {string.Join(" → ", path)}");
    }

    private static async Task ExpectNoRingOnAFocusedHeadingAsync(IPage page)
    {
        var focused = await FocusedAsync(page);
        if (focused is { IsHeading: true })
            Assert.True(focused.OutlineStyle == "none" || focused.OutlineWidth == "0px", $"The focused heading draws a focus ring: {focused}.");
    }

    private static async Task<FocusedElement?> FocusedAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement?>("""
            () => {
              const e = document.activeElement;
              if (!e || e === document.body || e === document.documentElement) return null;
              // A control drawn by its label (a visually hidden radio in a tab-like label) shows its ring on the label.
              const ringed = [e, e.parentElement, e.closest('label')].filter(x => x);
              const ring = ringed.map(x => getComputedStyle(x)).find(s => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1);
              const own = getComputedStyle(e);
              return { testId: e.getAttribute('data-testid'), tag: e.tagName, href: e.getAttribute('href'),
                       outlineStyle: own.outlineStyle, outlineWidth: own.outlineWidth, ringVisible: !!ring };
            }
            """);
        if (json is not { ValueKind: JsonValueKind.Object } element)
            return null;
        return new FocusedElement(
            element.GetProperty("testId").GetString(), element.GetProperty("tag").GetString() ?? "", element.GetProperty("href").GetString(),
            element.GetProperty("outlineStyle").GetString() ?? "", element.GetProperty("outlineWidth").GetString() ?? "", element.GetProperty("ringVisible").GetBoolean());
    }

    private static async Task<string> OpenSupportSessionAsync(IPage page, string deviceId, CancellationToken ct)
    {
        var cookies = await page.Context.CookiesAsync();
        using var client = new HttpClient { BaseAddress = new Uri(new Uri(page.Url).GetLeftPart(UriPartial.Authority)) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/me/sessions") { Content = JsonContent.Create(new { deviceId, text = "My printer stopped printing" }) };
        request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        using var response = await client.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("The session has no id.");
    }

    private sealed record FocusedElement(string? TestId, string Tag, string? Href, string OutlineStyle, string OutlineWidth, bool RingVisible)
    {
        public bool IsHeading => Tag is "H1" or "H2" or "H3" or "H4" or "H5" or "H6";

        public override string ToString() => $"<{Tag.ToLowerInvariant()}{(TestId is null ? "" : $" data-testid={TestId}")}{(Href is null ? "" : $" href={Href}")}>";
    }
}
