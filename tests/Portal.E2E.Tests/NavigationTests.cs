using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>Moving around the portal: the navigation menu, the browser's back and forward buttons, the drawer.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class NavigationTests(PortalFixture portal)
{
    [Fact]
    public async Task The_menu_links_open_their_pages_in_the_same_circuit_and_back_and_forward_work()
    {
        await using var tab = await portal.NewPageAsync();
        await tab.OpenAsync("/");
        await Expect(Heading(tab, "Overview")).ToBeVisibleAsync();

        // A full page load would drop this; Blazor's client-side navigation keeps it.
        await tab.Page.EvaluateAsync("() => window.e2eSameDocument = true");

        await Menu(tab).GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Blueprint" }).ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(BlueprintUrl());
        await Expect(Heading(tab, "charmed-airbyte")).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveTitleAsync("charmed-airbyte · Blueprint · Airbyte Portal");
        await tab.ScreenshotAsync("blueprint");

        await Menu(tab).GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Overview" }).ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(new Uri(portal.BaseUrl, "/").ToString());
        await Expect(Heading(tab, "Overview")).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveTitleAsync("Overview · Airbyte Portal");

        await tab.Page.GoBackAsync();
        await Expect(Heading(tab, "charmed-airbyte")).ToBeVisibleAsync();
        await tab.Page.GoForwardAsync();
        await Expect(Heading(tab, "Overview")).ToBeVisibleAsync();

        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.e2eSameDocument === true"), "the page was reloaded while navigating");
    }

    [Fact]
    public async Task An_address_that_is_no_page_says_so_and_links_back_to_the_overview()
    {
        await using var tab = await portal.NewPageAsync();
        await tab.OpenAsync("/");

        // Followed from inside the portal (a link, a bookmark opened in the running app): the router's not-found view.
        await tab.Page.EvaluateAsync("() => Blazor.navigateTo('/no-such-page')");
        await Expect(tab.Page.GetByText("Nothing here")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("not-found");

        await tab.Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Go to the overview" }).ClickAsync();
        await Expect(Heading(tab, "Overview")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_menu_button_hides_and_shows_the_navigation()
    {
        await using var tab = await portal.NewPageAsync();
        await tab.OpenAsync("/");
        var overviewLink = Menu(tab).GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Overview" });
        var toggle = tab.Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Toggle navigation" });
        await Expect(overviewLink).ToBeInViewportAsync();

        await toggle.ClickAsync();
        await Expect(overviewLink).Not.ToBeInViewportAsync();
        await tab.ScreenshotAsync("drawer-closed");

        await toggle.ClickAsync();
        await Expect(overviewLink).ToBeInViewportAsync();
    }

    private static ILocator Heading(PortalPage tab, string name) =>
        tab.Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = name, Level = 1, Exact = true });

    private static ILocator Menu(PortalPage tab) =>
        tab.Page.GetByRole(AriaRole.Navigation, new PageGetByRoleOptions { Name = "Main navigation" });

    [GeneratedRegex("/blueprints/charmed-airbyte$")]
    private static partial Regex BlueprintUrl();
}
