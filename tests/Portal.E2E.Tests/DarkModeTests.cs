using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The theme: it follows the system's colour scheme at first, and the app bar button switches it.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class DarkModeTests(PortalFixture portal, BrowserFixture browser)
{
    [Theory]
    [InlineData(ColorScheme.Light, false)]
    [InlineData(ColorScheme.Dark, true)]
    public async Task The_portal_starts_in_the_system_scheme_and_the_button_switches_it(ColorScheme system, bool startsDark)
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl, system);
        var page = await BlueprintPage.OpenAsync(tab, "charmed-airbyte");

        await ExpectDarkAsync(page, startsDark);
        await tab.ScreenshotAsync(startsDark ? "dark" : "light");

        await page.SwitchTo(dark: !startsDark).ClickAsync();
        await ExpectDarkAsync(page, !startsDark);
        await tab.ScreenshotAsync(startsDark ? "switched-to-light" : "switched-to-dark");

        await page.SwitchTo(dark: startsDark).ClickAsync();
        await ExpectDarkAsync(page, startsDark);
    }

    // The button names what it does next; the page background says what the operator sees.
    private static async Task ExpectDarkAsync(Shell page, bool dark)
    {
        await Expect(page.SwitchTo(dark: !dark)).ToBeVisibleAsync();
        await Expect(page.SwitchTo(dark: dark)).ToHaveCountAsync(0);
        try
        {
            await page.Page.WaitForFunctionAsync(
                "dark => { const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);"
                + " return ((0.2126 * r + 0.7152 * g + 0.0722 * b) < 128) === dark; }",
                dark);
        }
        catch (TimeoutException)
        {
            // The assertion below says what the background is instead.
        }

        var background = await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.True(dark == Luminance(background) < 128, $"the page background is {background}; expected a {(dark ? "dark" : "light")} one");
    }

    private static double Luminance(string cssColor)
    {
        var parts = Channels().Matches(cssColor).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();
        return (0.2126 * parts[0]) + (0.7152 * parts[1]) + (0.0722 * parts[2]);
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Channels();
}
