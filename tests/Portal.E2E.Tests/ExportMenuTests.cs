using Microsoft.Playwright;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The stack header's Export menu downloads the stack, in the browser the operator is signed in with.</summary>
[Collection(PortalCollection.Name)]
public sealed class ExportMenuTests(PortalFixture portal, BrowserFixture browser)
{
    [Fact]
    public async Task The_Export_menu_downloads_the_stack_as_Kubernetes_YAML_and_as_a_Juju_bundle()
    {
        var stack = await portal.AirbyteStackAsync();
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var topology = await TopologyPage.OpenAsync(tab, stack.Name);

        await tab.Page.GetByTestId("stack-export").ClickAsync();
        await Expect(tab.Page.GetByTestId("export-juju-bundle")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("menu", docs: "export-menu.png");

        var kubernetes = await DownloadAsync(tab, tab.Page.GetByTestId("export-kubernetes"));
        Assert.Equal($"{stack.Name}-kubernetes.yaml", kubernetes.Name);
        Assert.Contains("kind: Deployment", kubernetes.Text, StringComparison.Ordinal);
        // The client secret the fixture deployed with is in the cluster only.
        Assert.DoesNotContain("test-client-secret-xyz", kubernetes.Text, StringComparison.Ordinal);

        await tab.Page.GetByTestId("stack-export").ClickAsync();
        var bundle = await DownloadAsync(tab, tab.Page.GetByTestId("export-juju-bundle"));
        Assert.Equal($"{stack.Name}-bundle.yaml", bundle.Name);
        Assert.Contains("applications:", bundle.Text, StringComparison.Ordinal);
        Assert.Contains("relations:", bundle.Text, StringComparison.Ordinal);
        await Expect(topology.StackStatus).ToBeVisibleAsync();
    }

    private static async Task<(string Name, string Text)> DownloadAsync(PortalTab tab, ILocator item)
    {
        // The link's own answer first, so that a refusal says what it was rather than "the download was cancelled".
        var href = await item.Locator("xpath=ancestor-or-self::a[1]").GetAttributeAsync("href");
        var answer = await tab.Page.APIRequest.GetAsync(href!);
        Assert.True(answer.Ok, $"GET {href} answered {answer.Status} with the signed-in browser's cookies: {await answer.TextAsync()}");

        var download = await tab.Page.RunAndWaitForDownloadAsync(() => item.ClickAsync());
        Assert.Null(await download.FailureAsync());
        var path = await download.PathAsync();
        return (download.SuggestedFilename, await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }
}
