using Portal.Domain.Naming;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The landing page with a stack deployed through the API.</summary>
[Collection(PortalCollection.Name)]
public sealed class OverviewTests(PortalFixture portal, BrowserFixture browser)
{
    [Fact]
    public async Task The_overview_shows_the_deployed_stack_as_a_card_with_its_cluster_status_and_operation()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await portal.AirbyteStackAsync();

        // The deploy really happened in the cluster: the stack's workloads are there (PostgreSQL is external: none of its own).
        var components = await portal.KubectlAsync(
            ["get", "deployments,statefulsets", "-n", stack.Namespace, "-l", PortalLabels.StackSelector(stack.Name),
             "-o", "jsonpath={range .items[*]}{.metadata.labels.portal\\.airbyte\\.io/component}{\"\\n\"}{end}"], ct);
        var deployed = components.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "airbyte", "temporal", "minio", "oauth2-proxy" }, deployed);
        Assert.DoesNotContain("postgresql", deployed);

        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var overview = await OverviewPage.OpenAsync(tab);

        await Expect(overview.Stack(stack.Name)).ToHaveCountAsync(1);
        await Expect(overview.Stack(stack.Name)).ToContainTextAsync($"{stack.Cluster} / {stack.Namespace}");
        await Expect(overview.Stack(stack.Name)).ToContainTextAsync("Deploy");
        await Expect(overview.Stack(stack.Name)).ToContainTextAsync("succeeded");
        await Expect(overview.Stack(stack.Name)).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 90_000 });
        await tab.ScreenshotAsync("overview");
    }

    [Fact]
    public async Task The_overview_says_the_portal_runs_on_the_embedded_default_and_is_not_for_production()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var overview = await OverviewPage.OpenAsync(tab);

        await Expect(overview.EmbeddedBanner).ToContainTextAsync("not for production");
        await Expect(overview.Environment("Clusters")).ToContainTextAsync("sandbox (embedded)");
        await Expect(overview.Environment("Storage")).ToContainTextAsync("SQLite");
        await Expect(overview.Environment("Jobs")).ToContainTextAsync("Hangfire in memory");
    }
}
