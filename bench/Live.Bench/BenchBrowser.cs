using Microsoft.Playwright;
using Portal.E2E.Tests;

namespace Portal.Live.Bench;

/// <summary>One headless Debian Chromium (launched as the end-to-end tests launch it) and a browser context signed in through
/// the development sign-in as dev-admin; pages opened in it share the sign-in cookie.</summary>
internal sealed class BenchBrowser : IAsyncDisposable
{
    private const float TimeoutMs = 120_000;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BenchBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
    }

    public IBrowserContext Context { get; }

    public static async Task<BenchBrowser> StartAsync(Uri baseUrl)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await Chromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(TimeoutMs);
        context.SetDefaultNavigationTimeout(TimeoutMs);

        // The portal sends a visitor who is not signed in to /signin; one click there signs the context in.
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Continue as dev-admin (Admin)", Exact = true }).ClickAsync();
        await WaitForInteractiveAsync(page);
        await page.CloseAsync();
        return new BenchBrowser(playwright, browser, context);
    }

    /// <summary>The layout marks the shell <c>data-interactive="true"</c> once the circuit runs.</summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>Navigates <paramref name="page"/> to <paramref name="path"/> and returns the milliseconds from the navigation's
    /// start to the first frame in which <paramref name="condition"/> (a JS expression) holds, as the browser measures them.</summary>
    public static async Task<double> TimeToAsync(IPage page, string path, string condition)
    {
        await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        var handle = await page.WaitForFunctionAsync(
            $"() => ({condition}) ? performance.now() : null",
            null,
            new PageWaitForFunctionOptions { PollingInterval = null, Timeout = TimeoutMs });
        return await handle.JsonValueAsync<double>();
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
