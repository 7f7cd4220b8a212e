using Microsoft.Playwright;

namespace Portal.E2E.Tests;

/// <summary>Playwright's driver and one headless Chromium for the collection; each test opens its own
/// <see cref="PortalTab"/> (a fresh browser context) on it.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        // Assertions wait for their condition; the default 5 s is short for a server sharing two cores with other tests.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        try
        {
            _browser = await Chromium.LaunchAsync(_playwright);
        }
        catch
        {
            _playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new tab, in a browser context of its own, on the portal at <paramref name="baseUrl"/>; the system colour
    /// scheme it reports is <paramref name="colorScheme"/>.</summary>
    public Task<PortalTab> NewTabAsync(Uri baseUrl, ColorScheme colorScheme = ColorScheme.Light) =>
        PortalTab.CreateAsync(_browser ?? throw new InvalidOperationException("The fixture is not initialized."), baseUrl, colorScheme);

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
