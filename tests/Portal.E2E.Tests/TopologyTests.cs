using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The live topology of a deployed stack while a fault comes and goes in the cluster, all without a page reload.</summary>
[Collection(PortalCollection.Name)]
public sealed class TopologyTests(PortalFixture portal, BrowserFixture browser)
{
    // The sandbox's own fault switch: pods of a template with this annotation crash over and over (CrashLoopBackOff).
    private const string FaultAnnotation = "sandbox.portal.airbyte.io/fault";
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_crash_loop_in_airbyte_turns_its_node_to_error_its_dependents_to_waiting_and_back_when_it_heals()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await portal.DeployAirbyteAsync($"topo-{Guid.NewGuid().ToString("N")[..6]}", ct);
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var topology = await TopologyPage.OpenAsync(tab, stack.Name);
        // A marker on the window: it survives live updates, and would be gone after a reload.
        await tab.Page.EvaluateAsync("() => window.__noReload = 'still here'");

        // Green: every component of the blueprint is active.
        await Expect(topology.StackStatus).ToHaveAttributeAsync("data-status", "active", new() { Timeout = Ms(Converge) });
        await Expect(topology.Nodes).ToHaveCountAsync(10);
        foreach (var node in await topology.Nodes.AllAsync())
        {
            await Expect(node).ToHaveAttributeAsync("data-status", "active");
        }

        await tab.ScreenshotAsync("green", docs: "topology.png");

        // A crash loop in the Airbyte server's pods.
        await SetFaultAsync(stack, "airbyte-server", "\"crash-loop\"", ct);
        await Expect(topology.Node("airbyte")).ToHaveAttributeAsync("data-status", "error", new() { Timeout = Ms(Converge) });
        await Expect(topology.Node("airbyte")).ToContainTextAsync("airbyte-server", new() { Timeout = Ms(Converge) });
        await Expect(topology.Node("oauth2-proxy")).ToHaveAttributeAsync("data-status", "waiting", new() { Timeout = Ms(Converge) });
        await Expect(topology.Node("oauth2-proxy")).ToContainTextAsync("airbyte");
        await Expect(topology.StackStatus).ToHaveAttributeAsync("data-status", "error");
        await tab.ScreenshotAsync("crash-loop");

        // The drawer explains it: the chain, the BackOff events, the crashing container's log.
        await topology.Node("airbyte").ClickAsync();
        await Expect(topology.Drawer).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/stacks/{stack.Name}/components/airbyte$"));
        await Expect(topology.WhyChain).ToContainTextAsync("airbyte-server");
        await Expect(topology.Events.Filter(new() { HasText = "BackOff" }).First).ToBeVisibleAsync(new() { Timeout = Ms(Converge) });
        var crashing = (await topology.LogPod.Locator("option").AllTextContentsAsync()).First(p => p.StartsWith("airbyte-server-", StringComparison.Ordinal));
        await topology.LogPod.SelectOptionAsync(crashing);
        await Expect(topology.Logs).ToContainTextAsync("fatal", new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("drawer", docs: "component-drawer.png");

        // The fault goes away: the stack heals by itself, on the same page.
        await SetFaultAsync(stack, "airbyte-server", "null", ct);
        await Expect(topology.Node("airbyte")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = Ms(Converge) });
        await Expect(topology.StackStatus).ToHaveAttributeAsync("data-status", "active", new() { Timeout = Ms(Converge) });
        await Expect(topology.Node("oauth2-proxy")).ToHaveAttributeAsync("data-status", "active");
        Assert.Equal("still here", await tab.Page.EvaluateAsync<string>("() => window.__noReload"));
        await tab.ScreenshotAsync("healed");
    }

    private Task<string> SetFaultAsync(DeployedStack stack, string deployment, string value, CancellationToken ct) =>
        portal.KubectlAsync(
            ["patch", "deployment", deployment, "-n", stack.Namespace, "--type", "merge",
             "-p", $"{{\"spec\":{{\"template\":{{\"metadata\":{{\"annotations\":{{\"{FaultAnnotation}\":{value}}}}}}}}}}}"], ct);

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
