using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>Moving around the portal: the navigation menu, the browser's back and forward buttons, the drawer.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class NavigationTests(PortalFixture portal, BrowserFixture browser)
{
    [Fact]
    public async Task The_menu_links_open_their_pages_in_the_same_circuit_and_back_and_forward_work()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var shell = await OverviewPage.OpenAsync(tab);
        await Expect(shell.Heading("Overview")).ToBeVisibleAsync();

        // A full page load would drop this; Blazor's client-side navigation keeps it.
        await tab.Page.EvaluateAsync("() => window.e2eSameDocument = true");

        await shell.MenuLink("Blueprint").ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(BlueprintUrl());
        await Expect(shell.Heading("charmed-airbyte")).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveTitleAsync("charmed-airbyte · Blueprint · Airbyte Portal");
        await tab.ScreenshotAsync("blueprint");

        await shell.MenuLink("Overview").ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(new Uri(portal.BaseUrl, OverviewPage.Path).ToString());
        await Expect(shell.Heading("Overview")).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveTitleAsync("Overview · Airbyte Portal");

        await tab.Page.GoBackAsync();
        await Expect(shell.Heading("charmed-airbyte")).ToBeVisibleAsync();
        await tab.Page.GoForwardAsync();
        await Expect(shell.Heading("Overview")).ToBeVisibleAsync();

        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.e2eSameDocument === true"), "the page was reloaded while navigating");
    }

    [Fact]
    public async Task An_address_that_is_no_page_says_so_and_links_back_to_the_overview()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var shell = await OverviewPage.OpenAsync(tab);

        // Followed from inside the running portal, the router shows its not-found view. (Loaded directly, the server
        // answers a bare 404 today, without the portal around it.)
        await tab.Page.EvaluateAsync("() => Blazor.navigateTo('/no-such-page')");
        await Expect(tab.Page.GetByText("Nothing here")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("not-found");

        await tab.Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Go to the overview" }).ClickAsync();
        await Expect(shell.Heading("Overview")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_menu_button_hides_and_shows_the_navigation()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var shell = await OverviewPage.OpenAsync(tab);
        await Expect(shell.MenuLink("Overview")).ToBeInViewportAsync();

        await shell.ToggleNavigation.ClickAsync();
        await Expect(shell.MenuLink("Overview")).Not.ToBeInViewportAsync();
        await tab.ScreenshotAsync("drawer-closed");

        await shell.ToggleNavigation.ClickAsync();
        await Expect(shell.MenuLink("Overview")).ToBeInViewportAsync();
    }

    [GeneratedRegex("/blueprints/charmed-airbyte$")]
    private static partial Regex BlueprintUrl();
}
