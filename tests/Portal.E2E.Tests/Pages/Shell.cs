using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>What every page shows around its content (Shared/Layout): the app bar, the navigation drawer, the
/// embedded-default banner, the page heading.</summary>
public class Shell(PortalTab tab)
{
    public PortalTab Tab { get; } = tab;

    public IPage Page => Tab.Page;

    public ILocator Menu => Page.GetByRole(AriaRole.Navigation, new PageGetByRoleOptions { Name = "Main navigation" });

    public ILocator ToggleNavigation => Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Toggle navigation" });

    /// <summary>The banner the embedded default shows on every page.</summary>
    public ILocator EmbeddedBanner => Page.GetByRole(AriaRole.Status).Filter(new LocatorFilterOptions { HasText = "Embedded default" });

    /// <summary>The app bar's account menu; its label is "name · role".</summary>
    public ILocator UserMenu => Page.GetByTestId("user-menu");

    public ILocator MenuLink(string name) => Menu.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = name, Exact = true });

    /// <summary>The page's own title, its one level-1 heading.</summary>
    public ILocator Heading(string name) =>
        Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = name, Level = 1, Exact = true });

    /// <summary>The app bar button that switches the theme; its name says what it switches to.</summary>
    public ILocator SwitchTo(bool dark) =>
        Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = dark ? "Switch to dark mode" : "Switch to light mode", Exact = true });
}
