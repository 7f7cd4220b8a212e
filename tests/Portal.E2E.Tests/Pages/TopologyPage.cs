using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>The live topology of one stack (<c>/stacks/{name}</c>): the graph, the stack's status and the drawers.</summary>
public sealed class TopologyPage(PortalTab tab) : Shell(tab)
{
    public static async Task<TopologyPage> OpenAsync(PortalTab tab, string stack)
    {
        await tab.OpenAsync($"/stacks/{stack}");
        return new TopologyPage(tab);
    }

    /// <summary>The stack's header; <c>data-status</c> holds the stack status word.</summary>
    public ILocator StackStatus => Page.GetByTestId("stack-status");

    /// <summary>Every component box of the graph.</summary>
    public ILocator Nodes => Page.Locator("[data-testid^='node-']");

    /// <summary>A component's box; <c>data-status</c> holds its status word (active, waiting, error…) and it shows its message.</summary>
    public ILocator Node(string component) => Page.GetByTestId($"node-{component}");

    public ILocator Drawer => Page.GetByTestId("component-drawer");

    public ILocator WhyChain => Drawer.GetByTestId("why-chain");

    /// <summary>The drawer's recent events, one element per event (<c>data-reason</c> holds its reason).</summary>
    public ILocator Events => Drawer.GetByTestId("events").Locator("li");

    public ILocator Logs => Drawer.GetByTestId("logs");

    /// <summary>The pod picker of the drawer's log view.</summary>
    public ILocator LogPod => Drawer.GetByLabel("Pod", new LocatorGetByLabelOptions { Exact = true });
}
