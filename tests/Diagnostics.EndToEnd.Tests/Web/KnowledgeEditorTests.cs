using Diagnostics.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>Editing the knowledge base in the dashboard: an agent drafts, the draft is checked, a supervisor publishes.</summary>
public sealed class KnowledgeEditorTests
{
    [Fact(Timeout = 180_000)]
    public async Task An_agent_drafts_a_change_and_a_supervisor_publishes_it_as_a_new_version()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var chromium = await Chromium.LaunchAsync();
        await using var agent = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop);
        await using var supervisor = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop);

        await agent.RunAsync(async page =>
        {
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            await page.GotoAsync("/dashboard/kb/paper-jam/edit");
            var text = page.GetByTestId("article-markdown");
            await Expect(text).ToBeEnabledAsync();
            var original = await text.InputValueAsync();

            // A broken header is caught before anything is stored.
            await text.FillAsync(original.Replace("title: ", "titel: ", StringComparison.Ordinal));
            await page.GetByTestId("save-draft").ClickAsync();
            await Expect(page.GetByTestId("editor-errors")).ToContainTextAsync("titel");

            await text.FillAsync(original.Replace("title: Paper jam", "title: Paper jam (any tray)", StringComparison.Ordinal));
            await page.GetByTestId("save-draft").ClickAsync();
            await Expect(page.GetByTestId("editor-message")).ToHaveTextAsync("Draft v2 saved.");
            // Agents draft; publishing is for supervisors.
            await Expect(page.GetByTestId("publish-draft")).ToHaveCountAsync(0);
        });

        await supervisor.RunAsync(async page =>
        {
            await supervisor.SignInAsync(CloudProcess.SupervisorEmail, CloudProcess.DemoPassword);
            await page.GotoAsync("/dashboard/kb/paper-jam/edit");
            await Expect(page.GetByTestId("editing-version")).ToHaveTextAsync("editing draft v2");
            await Expect(page.GetByTestId("publish-draft")).ToBeEnabledAsync();
            await page.GetByTestId("publish-draft").ClickAsync();
            // Publishing stores the version and rebuilds the search index of every article in every language before the
            // page answers: seconds on a loaded machine (CI saw more than Playwright's default 5 s), so a longer deadline.
            await Expect(page.GetByTestId("editor-message")).ToHaveTextAsync("Version 2 is published.", new() { Timeout = 30_000 });

            await page.GotoAsync("/dashboard/kb/paper-jam");
            await Expect(page.GetByTestId("article-title")).ToHaveTextAsync("Paper jam (any tray)");
            await Expect(page.GetByTestId("article-state")).ToHaveTextAsync("published v2");
            await Expect(page.GetByTestId("article-version")).ToHaveCountAsync(2);
        });
    }
}
