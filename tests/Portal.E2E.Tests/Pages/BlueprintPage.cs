using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>A blueprint (<c>/blueprints/{name}</c>): its diagram, components and relations.</summary>
public sealed class BlueprintPage(PortalTab tab, string name) : Shell(tab)
{
    public string Name { get; } = name;

    public static async Task<BlueprintPage> OpenAsync(PortalTab tab, string name)
    {
        await tab.OpenAsync($"/blueprints/{name}");
        return new BlueprintPage(tab, name);
    }

    public ILocator Diagram => Page.GetByRole(AriaRole.Img, new PageGetByRoleOptions { Name = $"Diagram of the {Name} blueprint" });

    /// <summary>Every component's box in the diagram; <c>data-node</c> holds the component's name.</summary>
    public ILocator Nodes => Diagram.Locator("g.node");

    /// <summary>Every relation's line in the diagram.</summary>
    public ILocator Edges => Diagram.Locator("g.edge");

    public ILocator Node(string component) => Diagram.Locator($"g.node[data-node='{component}']");

    // MudTable puts its aria-label on its wrapper, not on the table: the table has no accessible name to find it by.
    public ILocator ComponentRows => Page.Locator("[aria-label='Components'] tbody tr");

    public ILocator RelationRows => Page.Locator("[aria-label='Relations'] tbody tr");
}
