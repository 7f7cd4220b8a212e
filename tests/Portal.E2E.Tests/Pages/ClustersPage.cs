using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>The clusters page (<c>/clusters</c>): the connected clusters and the form that adds one from a kubeconfig.</summary>
public sealed class ClustersPage(PortalTab tab) : Shell(tab)
{
    public static async Task<ClustersPage> OpenAsync(PortalTab tab)
    {
        await tab.OpenAsync("/clusters");
        return new ClustersPage(tab);
    }

    public ILocator AddButton => Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Add a cluster", Exact = true });

    public ILocator Name => Page.Locator("input[data-testid='cluster-name']");

    public ILocator Kubeconfig => Page.Locator("textarea[data-testid='kubeconfig']");

    public ILocator TestConnection => Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Test connection", Exact = true });

    public ILocator Connect => Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Connect", Exact = true });

    /// <summary>What "Test connection" found: the server and its version, or why not.</summary>
    public ILocator TestResult => Page.GetByLabel("Test result");

    public ILocator Notice => Page.GetByTestId("notice");

    /// <summary>The row of cluster <paramref name="name"/> in the list.</summary>
    public ILocator Row(string name) => Page.Locator("tr").Filter(new LocatorFilterOptions { Has = Page.Locator("td b", new PageLocatorOptions { HasTextString = name }) });
}
