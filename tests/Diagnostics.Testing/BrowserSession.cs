using System.Text;
using Microsoft.Playwright;
using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// One person's browser: its own cookies, one page. Steps run through <see cref="RunAsync"/> leave a screenshot and
/// the page's HTML in the test output when they fail, so a red browser test says what the page showed.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>How long an action or an expectation waits for the page: long enough for a loaded 2-core CI machine.</summary>
    // Generous: CI runs the other test assemblies beside the browser on two cores; a timeout, never a wait.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly IBrowserContext _context;

    private BrowserSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Where failure captures go: beside the test binary, one folder per test.</summary>
    public static string FailureFolder { get; } = Path.Combine(AppContext.BaseDirectory, "browser-failures");

    internal static async Task<BrowserSession> OpenAsync(IBrowserContext context)
    {
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page);
    }

    /// <summary>Signs in through the real sign-in form and waits until it has sent the person on.</summary>
    public async Task SignInAsync(string email, string password)
    {
        await Page.GotoAsync("/account/login");
        await Page.GetByTestId("email").FillAsync(email);
        await Page.GetByTestId("password").FillAsync(password);
        await Page.GetByTestId("sign-in").ClickAsync();
        // Committed is enough: the next step waits for what it needs. Waiting for "load" of the redirect target
        // hung now and then in headless Chromium after a form POST, though the page had rendered and gone live.
        await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/login", StringComparison.Ordinal),
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>Opens a page and waits until its server connection is live, so clicks reach the interactive page.</summary>
    public async Task GotoLiveAsync(string path, bool allParts = false)
    {
        await Page.GotoAsync(path);
        if (!allParts)
        {
            await ExpectLiveAsync();
            return;
        }
        var statuses = Page.GetByTestId("live-status");
        await Assertions.Expect(statuses.First).ToBeAttachedAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        foreach (var status in await statuses.AllAsync())
            await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "live", new() { Timeout = (float)Patience.TotalMilliseconds });
    }

    /// <summary>The page's <c>live-status</c> is <c>live</c> (its data-state, the same in every language): the interactive circuit is connected and subscribed.</summary>
    public Task ExpectLiveAsync() =>
        Assertions.Expect(Page.GetByTestId("live-status")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = (float)Patience.TotalMilliseconds });

    /// <summary>Runs the steps; when they fail, saves a screenshot and the HTML of the page, then rethrows.</summary>
    public async Task RunAsync(Func<IPage, Task> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        try
        {
            await steps(Page);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            var saved = await TrySaveAsync(Path.Combine(FailureFolder, TestName()), "failure");
            TestContext.Current.TestOutputHelper?.WriteLine($"Browser at {Page.Url} when the test failed; saved {saved}");
            throw;
        }
    }

    /// <summary>
    /// Saves a full-page PNG (or of <paramref name="part"/> alone, when given) and the current HTML as <c>{name}.png</c>
    /// and <c>{name}.html</c> in <paramref name="folder"/>.
    /// </summary>
    public async Task<string> SaveAsync(string folder, string name, ILocator? part = null)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, name + ".html"), await Page.ContentAsync(), Encoding.UTF8);
        var png = Path.Combine(folder, name + ".png");
        if (part is not null)
        {
            await part.ScreenshotAsync(new LocatorScreenshotOptions { Path = png, Animations = ScreenshotAnimations.Disabled });
            return png;
        }
        // A full-page capture leaves fixed bars (the companion's tab bar) where the screen's bottom was, over the middle
        // of the page; a screen as tall as the page shows them where a reader meets them, at the end.
        var screen = Page.ViewportSize;
        var height = await Page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        if (screen is not null && height > screen.Height)
            await Page.SetViewportSizeAsync(screen.Width, height);
        try
        {
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = png, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        }
        finally
        {
            if (screen is not null)
                await Page.SetViewportSizeAsync(screen.Width, screen.Height);
        }
        return png;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private async Task<string> TrySaveAsync(string folder, string name)
    {
        try
        {
            return await SaveAsync(folder, name);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // The page may be gone (browser crashed): the original failure matters more than the capture.
            return $"nothing ({ex.Message})";
        }
    }

    private static string TestName()
    {
        var name = TestContext.Current.Test?.TestDisplayName ?? "unknown-test";
        var safe = new StringBuilder();
        foreach (var c in name[(name.LastIndexOf('.') + 1)..])
            safe.Append(char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return safe.ToString();
    }
}
