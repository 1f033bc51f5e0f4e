using Microsoft.Playwright;
using Xunit;

namespace Diagnostics.Testing;

/// <summary>
/// Debian's Chromium driven by Playwright, headless. Playwright's own browser builds are never downloaded: the
/// package's driver (with the node it bundles) talks to <see cref="ExecutablePath"/>. A missing Chromium fails under
/// CI=true and skips elsewhere, saying what to install.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>No GPU, no sandbox (CI runs as root), and nothing that phones home: the machine has no internet.</summary>
    private static readonly string[] Arguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts a browser (a fresh temporary profile each time).</summary>
    public static async Task<Chromium> LaunchAsync()
    {
        Require();
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new browser context (own cookies and storage) showing one page, sized like <paramref name="viewport"/>, its
    /// language (Accept-Language and <c>navigator.language</c>) set to <paramref name="locale"/>.
    /// </summary>
    public async Task<BrowserSession> NewSessionAsync(Uri baseAddress, Viewport viewport, string locale = "en-GB")
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(viewport);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = viewport.Width, Height = viewport.Height },
            IsMobile = viewport.IsMobile,
            HasTouch = viewport.IsMobile,
            DeviceScaleFactor = viewport.IsMobile ? 2 : 1,
            Locale = locale,
            TimezoneId = "UTC",
        });
        return await BrowserSession.OpenAsync(context);
    }

    /// <summary>Fails under CI=true and skips elsewhere when Chromium is not installed.</summary>
    public static void Require()
    {
        if (File.Exists(ExecutablePath))
            return;
        const string message = $"Chromium is not installed at {ExecutablePath} (install chromium (apt-get install chromium)).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI must install it.");
        Assert.Skip(message);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>The screen a test browses with.</summary>
public sealed record Viewport(int Width, int Height, bool IsMobile)
{
    /// <summary>A laptop, as a support agent at a desk uses the dashboard.</summary>
    public static Viewport Desktop { get; } = new(1366, 900, IsMobile: false);

    /// <summary>A phone (375 x 812 CSS pixels, touch), as a customer uses the companion app.</summary>
    public static Viewport Phone { get; } = new(375, 812, IsMobile: true);
}
