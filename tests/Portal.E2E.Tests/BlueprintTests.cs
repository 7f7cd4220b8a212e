using Microsoft.Playwright;
using Portal.Domain.Blueprints;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The blueprint page: what a stack of charmed-airbyte contains, drawn and listed.</summary>
[Collection(PortalCollection.Name)]
public sealed class BlueprintTests(PortalFixture portal)
{
    private static readonly Blueprint Blueprint = BlueprintCatalog.CharmedAirbyte;

    [Fact]
    public async Task The_blueprint_page_draws_all_ten_components_and_every_relation()
    {
        await using var tab = await portal.NewPageAsync();
        await tab.OpenAsync($"/blueprints/{Blueprint.Name}");

        await Expect(tab.Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = Blueprint.Name, Level = 1 })).ToBeVisibleAsync();
        var diagram = tab.Page.GetByRole(AriaRole.Img, new PageGetByRoleOptions { Name = $"Diagram of the {Blueprint.Name} blueprint" });
        var nodes = diagram.Locator("g.node");
        await Expect(nodes).ToHaveCountAsync(10);
        Assert.Equal(10, Blueprint.Components.Count);
        var drawn = await nodes.EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.node)");
        Assert.Equal(Blueprint.Components.Select(c => c.Name).Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
        await Expect(diagram.Locator("g.edge")).ToHaveCountAsync(Blueprint.Relations.Count);

        // Each box is on screen, shows its name, and no two overlap: the operator can read every component.
        var boxes = new List<(string Name, LocatorBoundingBoxResult Box)>();
        foreach (var name in drawn)
        {
            var node = diagram.Locator($"g.node[data-node='{name}']");
            await Expect(node.Locator("text.node-name")).ToHaveTextAsync(name);
            var box = await node.Locator("rect.node-box").BoundingBoxAsync();
            Assert.True(box is { Width: > 40, Height: > 20 }, $"{name} is drawn {box?.Width}×{box?.Height}");
            boxes.Add((name, box!));
        }

        foreach (var (a, b) in boxes.SelectMany((a, i) => boxes.Skip(i + 1).Select(b => (a, b))))
        {
            Assert.False(Overlap(a.Box, b.Box), $"{a.Name} and {b.Name} overlap");
        }

        // The tables list the same components and relations (MudTable puts its aria-label on its wrapper, not on the table).
        await Expect(tab.Page.Locator("[aria-label='Components'] tbody tr")).ToHaveCountAsync(Blueprint.Components.Count);
        await Expect(tab.Page.Locator("[aria-label='Relations'] tbody tr")).ToHaveCountAsync(Blueprint.Relations.Count);
        await tab.ScreenshotAsync("blueprint");
        await tab.ScreenshotAsync("diagram", diagram);
    }

    [Fact]
    public async Task An_unknown_blueprint_says_so_and_names_the_known_ones()
    {
        await using var tab = await portal.NewPageAsync();
        await tab.OpenAsync("/blueprints/no-such-blueprint");

        await Expect(tab.Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Blueprint not found" })).ToBeVisibleAsync();
        await Expect(tab.Page.GetByText("There is no blueprint named 'no-such-blueprint'")).ToContainTextAsync(Blueprint.Name);
    }

    private static bool Overlap(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
}
