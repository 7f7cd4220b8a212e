using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>The landing page (<c>/</c>): the stacks and what the portal runs on.</summary>
public sealed class OverviewPage(PortalTab tab) : Shell(tab)
{
    public const string Path = "/";

    public static async Task<OverviewPage> OpenAsync(PortalTab tab)
    {
        await tab.OpenAsync(Path);
        return new OverviewPage(tab);
    }

    /// <summary>The stack's card: its status (<c>data-status</c>), cluster and namespace, counts, running or last operation.</summary>
    public ILocator Stack(string name) => Page.GetByTestId($"stack-card-{name}");

    /// <summary>A row of the environment panel, by its header (Storage, Jobs, Clusters, Sign-in).</summary>
    public ILocator Environment(string header) =>
        Page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions
        {
            Has = Page.GetByRole(AriaRole.Rowheader, new PageGetByRoleOptions { Name = header, Exact = true }),
        });
}
