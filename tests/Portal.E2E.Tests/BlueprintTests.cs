using Microsoft.Playwright;
using Portal.Domain.Blueprints;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The blueprint page: what a stack of charmed-airbyte contains, drawn and listed.</summary>
[Collection(PortalCollection.Name)]
public sealed class BlueprintTests(PortalFixture portal, BrowserFixture browser)
{
    private static readonly Blueprint Blueprint = BlueprintCatalog.CharmedAirbyte;

    [Fact]
    public async Task The_blueprint_page_draws_all_ten_components_and_every_relation()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var page = await BlueprintPage.OpenAsync(tab, Blueprint.Name);

        await Expect(page.Heading(Blueprint.Name)).ToBeVisibleAsync();
        Assert.Equal(10, Blueprint.Components.Count);
        await Expect(page.Nodes).ToHaveCountAsync(10);
        var drawn = await page.Nodes.EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.node)");
        Assert.Equal(Blueprint.Components.Select(c => c.Name).Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
        await Expect(page.Edges).ToHaveCountAsync(Blueprint.Relations.Count);

        // Each box is on screen, shows its name, and no two overlap: the operator can read every component.
        var boxes = new List<(string Name, LocatorBoundingBoxResult Box)>();
        foreach (var name in drawn)
        {
            await Expect(page.Node(name).Locator("text.node-name")).ToHaveTextAsync(name);
            var box = await page.Node(name).Locator("rect.node-box").BoundingBoxAsync();
            Assert.True(box is { Width: > 40, Height: > 20 }, $"{name} is drawn {box?.Width}×{box?.Height}");
            boxes.Add((name, box!));
        }

        foreach (var (a, b) in boxes.SelectMany((a, i) => boxes.Skip(i + 1).Select(b => (a, b))))
        {
            Assert.False(Overlap(a.Box, b.Box), $"{a.Name} and {b.Name} overlap");
        }

        // The tables list the same components and relations.
        await Expect(page.ComponentRows).ToHaveCountAsync(Blueprint.Components.Count);
        await Expect(page.RelationRows).ToHaveCountAsync(Blueprint.Relations.Count);
        await tab.ScreenshotAsync("blueprint");
        await tab.ScreenshotAsync("diagram", page.Diagram);
    }

    [Fact]
    public async Task An_unknown_blueprint_says_so_and_names_the_known_ones()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var page = await BlueprintPage.OpenAsync(tab, "no-such-blueprint");

        await Expect(page.Heading("Blueprint not found")).ToBeVisibleAsync();
        await Expect(tab.Page.GetByText("There is no blueprint named 'no-such-blueprint'")).ToContainTextAsync(Blueprint.Name);
    }

    private static bool Overlap(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
}
