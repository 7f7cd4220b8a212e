using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Hosting;
using Portal.Shared.Layout;

namespace Portal.Tests.Shared;

public class MainLayoutTests : PortalTestContext
{
    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

    [Fact]
    public void Shell_says_which_storage_and_which_clusters_it_runs_on()
    {
        var layout = RenderLayout();

        var environment = layout.Find("[aria-label=Environment]").TextContent;
        Assert.Contains("SQLite (.portal/portal.db)", environment, StringComparison.Ordinal);
        Assert.Contains("cluster: sandbox (embedded)", environment, StringComparison.Ordinal);
        Assert.Contains("page body", layout.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedded_default_shows_a_banner_that_it_is_not_for_production()
    {
        var layout = RenderLayout();

        var banner = layout.Find(".embedded-banner").TextContent;
        Assert.Contains("Embedded default", banner, StringComparison.Ordinal);
        Assert.Contains("development sign-in", banner, StringComparison.Ordinal);
        Assert.Contains("not for production", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_configuration_shows_no_embedded_banner_and_lists_every_cluster()
    {
        Services.AddSingleton(new PortalEnvironment("PostgreSQL", "Hangfire on PostgreSQL", ["prod-eu", "prod-us"], "OpenID Connect", IsEmbeddedDefault: false));
        ClusterRegistry.Disconnect("sandbox");
        ClusterRegistry.ConnectInCluster("prod-eu");
        ClusterRegistry.ConnectInCluster("prod-us");

        var layout = RenderLayout();

        Assert.Empty(layout.FindAll(".embedded-banner"));
        Assert.Contains("clusters: prod-eu, prod-us", layout.Find("[aria-label=Environment]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_connected_or_removed_while_the_page_is_open_shows_in_the_app_bar_at_once()
    {
        var layout = RenderLayout();

        ClusterRegistry.Connect("lab", "kubeconfig", null);
        layout.WaitForAssertion(() => Assert.Contains("clusters: lab, sandbox (embedded)", layout.Find("[aria-label=Environment]").TextContent, StringComparison.Ordinal));

        ClusterRegistry.Disconnect("sandbox");
        ClusterRegistry.Disconnect("lab");
        layout.WaitForAssertion(() => Assert.Contains("no clusters", layout.Find("[aria-label=Environment]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Dark_mode_button_toggles_the_theme()
    {
        var layout = RenderLayout();

        layout.Find("button[aria-label='Switch to dark mode']").Click();

        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("button[aria-label='Switch to light mode']")));
    }

    [Fact]
    public void Layout_marks_itself_interactive_after_the_first_render()
    {
        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Equal("true", layout.Find(".mud-layout").GetAttribute("data-interactive")));
    }

    [Fact]
    public void Navigation_links_to_the_overview_the_blueprint_and_the_certificates()
    {
        var layout = RenderLayout();

        var hrefs = layout.FindAll("nav a, .mud-navmenu a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/", hrefs);
        Assert.Contains("/blueprints/charmed-airbyte", hrefs);
        Assert.Contains("/certificates", hrefs);
    }
}
