using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Topology;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class TopologyPageTests : PortalTestContext
{
    private const string AirbyteDb = "airbyte:db--postgresql:database";
    private const string AirbyteTemporal = "airbyte:temporal--temporal:temporal-host-info";
    private const string ProxyUpstream = "oauth2-proxy:upstream--airbyte:upstream";

    private readonly StackWorld _world = StackWorld.Healthy();

    public TopologyPageTests()
    {
        StackService.Views["prod"] = StoredStacks.View(_world, StoredStacks.Deployed(StackWorld.Now - TimeSpan.FromHours(1)));
    }

    private IRenderedComponent<TopologyPage> RenderPage(string? component = null, string? relation = null) =>
        Render<TopologyPage>(p => p.Add(x => x.Name, "prod").Add(x => x.Component, component).Add(x => x.Relation, relation));

    private static IElement Node(IRenderedComponent<TopologyPage> page, string component) => page.Find($"[data-testid='node-{component}']");

    private static IElement Edge(IRenderedComponent<TopologyPage> page, string key) => page.Find($"[data-testid='edge-{key}']");

    [Fact]
    public void Every_component_is_a_node_with_its_status_kind_icon_and_message()
    {
        Live.Seed(_world.CrashLoop("airbyte-server").Snapshot());

        var page = RenderPage();

        var nodes = page.FindAll("g[data-testid^='node-']");
        Assert.Equal(10, nodes.Count);
        var airbyte = Node(page, "airbyte");
        Assert.Equal("g", airbyte.TagName, ignoreCase: true);
        Assert.Equal("error", airbyte.GetAttribute("data-status"));
        Assert.Contains("tone-error", airbyte.ClassList);
        var message = Live.Find("prod")!.Status.Component("airbyte").Message;
        Assert.Contains(message, airbyte.TextContent, StringComparison.Ordinal);
        Assert.Contains("error", airbyte.QuerySelector(".node-status")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("airbyte", airbyte.QuerySelector(".node-kind")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(airbyte.QuerySelector("svg.node-icon path"));
        Assert.Equal("active", Node(page, "postgresql").GetAttribute("data-status"));
        Assert.Equal("active", Node(page, "minio").GetAttribute("data-status"));
    }

    [Theory]
    [InlineData(AirbyteDb, "healthy", "tone-active")]
    [InlineData(AirbyteTemporal, "pending", "tone-waiting")]
    [InlineData("temporal:admin--temporal-admin:admin", "healthy", "tone-active")]
    public void Edges_carry_the_relation_key_and_are_coloured_by_relation_health(string key, string status, string tone)
    {
        Live.Seed(_world.CrashLoop("temporal").Snapshot());

        var page = RenderPage();

        Assert.Equal(12, page.FindAll("g[data-testid^='edge-']").Count);
        var edge = Edge(page, key);
        Assert.Equal(status, edge.GetAttribute("data-status"));
        Assert.Contains(tone, edge.ClassList);
        Assert.EndsWith($"-arrow-{tone["tone-".Length..]})", edge.QuerySelector("polyline.edge-line")!.GetAttribute("marker-end"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pending_edge_says_why_in_its_tooltip_and_is_labelled_with_its_interface()
    {
        Live.Seed(_world.CrashLoop("temporal").Snapshot());

        var page = RenderPage();

        var edge = Edge(page, AirbyteTemporal);
        Assert.Contains("airbyte:temporal → temporal:temporal-host-info (temporal-host-info): pending", edge.QuerySelector("title")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(page.FindAll(".edge-label"), l => l.TextContent == "temporal-host-info");
    }

    [Fact]
    public void An_update_through_the_channel_recolours_the_graph_without_moving_a_node()
    {
        Live.Seed(_world.Snapshot());
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal("active", Node(page, "airbyte").GetAttribute("data-status")));
        var positions = page.FindAll("g[data-testid^='node-']").ToDictionary(n => n.GetAttribute("data-node")!, n => n.GetAttribute("transform"));

        Live.Publish(_world.CrashLoop("airbyte-server").Snapshot(), ["airbyte", "oauth2-proxy"], [ProxyUpstream]);

        page.WaitForAssertion(() => Assert.Equal("error", Node(page, "airbyte").GetAttribute("data-status")));
        Assert.Equal("waiting", Node(page, "oauth2-proxy").GetAttribute("data-status"));
        Assert.Equal("pending", Edge(page, ProxyUpstream).GetAttribute("data-status"));
        Assert.Equal("error", page.Find("[data-testid=stack-status]").GetAttribute("data-status"));
        Assert.Equal(positions, page.FindAll("g[data-testid^='node-']").ToDictionary(n => n.GetAttribute("data-node")!, n => n.GetAttribute("transform")));
    }

    [Fact]
    public void A_changed_node_pulses_and_an_unchanged_one_does_not()
    {
        Live.Seed(_world.Snapshot());
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(Node(page, "airbyte")));
        Assert.DoesNotContain(page.FindAll("g[data-testid^='node-']"), n => n.ClassList.Any(c => c.StartsWith("pulse", StringComparison.Ordinal)));

        Live.Publish(_world.CrashLoop("airbyte-server").Snapshot(), ["airbyte"], [ProxyUpstream]);

        page.WaitForAssertion(() => Assert.Contains("pulse-a", Node(page, "airbyte").ClassList));
        Assert.DoesNotContain(Node(page, "temporal").ClassList, c => c.StartsWith("pulse", StringComparison.Ordinal));
        Assert.Contains("pulse-a", Edge(page, ProxyUpstream).ClassList);
        Assert.DoesNotContain(Edge(page, AirbyteDb).ClassList, c => c.StartsWith("pulse", StringComparison.Ordinal));

        // A second change while the first pulse still shows restarts it under the other name.
        Live.Publish(_world.Snapshot(), ["airbyte"]);
        page.WaitForAssertion(() => Assert.Contains("pulse-b", Node(page, "airbyte").ClassList));

        // Later, another component changes: only that one pulses.
        Clock.Advance(TimeSpan.FromSeconds(3));
        Live.Publish(_world.Snapshot(), ["temporal"]);
        page.WaitForAssertion(() => Assert.Contains("pulse-a", Node(page, "temporal").ClassList));
        Assert.DoesNotContain(Node(page, "airbyte").ClassList, c => c.StartsWith("pulse", StringComparison.Ordinal));
    }

    [Fact]
    public void The_stack_header_shows_the_status_counts_and_each_root_cause_with_its_action()
    {
        Live.Seed(_world.CrashLoop("airbyte-server").Snapshot());

        var page = RenderPage();

        var header = page.Find("[data-testid=stack-status]");
        Assert.Equal("error", header.GetAttribute("data-status"));
        Assert.Contains("sandbox / airbyte-prod", header.TextContent, StringComparison.Ordinal);
        Assert.Contains("Deploy", header.TextContent, StringComparison.Ordinal);
        var counts = header.QuerySelector("[aria-label='Components by status']")!.TextContent;
        Assert.Contains("1 error", counts, StringComparison.Ordinal);
        var cause = Assert.Single(header.QuerySelectorAll(".root-cause"));
        Assert.Contains($"Pod/{StackWorld.PodOf("airbyte-server")}", cause.TextContent, StringComparison.Ordinal);
        Assert.Contains("Action", cause.TextContent, StringComparison.Ordinal);
        Assert.Equal("/stacks/prod/components/airbyte", cause.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Pods_on_an_old_secret_revision_flag_their_node_and_the_drawer_lists_them()
    {
        var secret = Portal.Domain.Naming.ObjectNames.RelationSecret(_world.Spec.Relations.First(r => r.Requirer.Component == "temporal" && r.Interface == "postgresql_client"));
        var world = _world.Update<Portal.Domain.Status.Observation.ObservedSecret>(secret, s => s with
        {
            Annotations = new Dictionary<string, string>(s.Annotations) { [Portal.Domain.Naming.PortalLabels.RevisionAnnotation] = "2" },
        });
        Live.Seed(world.Snapshot());

        var page = RenderPage(component: "temporal");

        var flag = page.Find("[data-testid='node-flag-temporal']");
        Assert.Contains($"of Secret {secret} (revision 2 is live", flag.QuerySelector("title")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("revision 2 is live", Node(page, "temporal").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid='node-flag-airbyte']"));
        var drawer = page.Find("[data-testid=stale-secrets]");
        var items = drawer.QuerySelectorAll("li");
        Assert.NotEmpty(items);
        Assert.All(items, li => Assert.Equal(secret, li.GetAttribute("data-secret")));
        Assert.Contains("still runs revision 1", items[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("/stacks/prod/secrets", drawer.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Clicking_a_node_or_an_edge_puts_its_drawer_in_the_url()
    {
        Live.Seed(_world.Snapshot());
        var page = RenderPage();
        var navigation = Services.GetRequiredService<NavigationManager>();

        // Find and click in one dispatch: a live update may re-render in between otherwise.
        await page.InvokeAsync(() => Node(page, "temporal").Click());
        Assert.EndsWith("/stacks/prod/components/temporal", navigation.Uri, StringComparison.Ordinal);

        await page.InvokeAsync(() => Edge(page, AirbyteDb).Click());
        Assert.EndsWith($"/stacks/prod/relations/{AirbyteDb}", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_drawer_follows_the_parameters_and_closing_it_goes_back_to_the_stack()
    {
        Live.Seed(_world.Snapshot());
        var page = RenderPage(component: "airbyte");
        Assert.Contains("airbyte", page.Find("[data-testid=component-drawer] h2").TextContent, StringComparison.Ordinal);
        Assert.Contains("selected", Node(page, "airbyte").ClassList);

        page.Render(p => p.Add(x => x.Component, null).Add(x => x.Relation, AirbyteDb));

        Assert.Empty(page.FindAll("[data-testid=component-drawer]"));
        Assert.NotNull(page.Find("[data-testid=relation-drawer]"));
        Assert.Contains("selected", Edge(page, AirbyteDb).ClassList);

        await page.InvokeAsync(() => page.Find("[data-testid=relation-drawer] button[aria-label=Close]").Click());
        Assert.EndsWith("/stacks/prod", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaving_the_page_unsubscribes()
    {
        Live.Seed(_world.Snapshot());
        RenderPage();
        Assert.Equal(1, Live.OpenSubscriptions);

        await DisposeComponentsAsync();

        Assert.Equal(0, Live.OpenSubscriptions);
    }

    [Fact]
    public void Another_stack_in_the_url_subscribes_to_that_stack_and_drops_the_first()
    {
        var staging = StackWorld.Healthy("staging").CrashLoop("temporal");
        Live.Seed(_world.Snapshot());
        Live.Seed(staging.Snapshot());
        var page = RenderPage();

        page.Render(p => p.Add(x => x.Name, "staging"));

        page.WaitForAssertion(() => Assert.Equal("error", Node(page, "temporal").GetAttribute("data-status")));
        Assert.Equal(["prod", "staging"], Live.Subscribed);
        Assert.Equal(1, Live.OpenSubscriptions);
        Assert.Contains("staging", page.Find("[data-testid=stack-status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stack_without_live_state_says_where_it_runs_and_an_unknown_one_says_there_is_none()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Contains("No live state of prod yet", page.Find("[data-testid=no-live-state]").TextContent, StringComparison.Ordinal));

        var unknown = Render<TopologyPage>(p => p.Add(x => x.Name, "nope"));
        unknown.WaitForAssertion(() => Assert.Contains("There is no stack named 'nope'", unknown.Find("[data-testid=no-stack]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void The_live_state_arriving_later_draws_the_graph()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-live-state]")));

        Live.Publish(_world.Snapshot(), ["airbyte"]);

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("g[data-testid^='node-']").Count));
    }

    [Fact]
    public void An_unreachable_cluster_is_said_plainly()
    {
        _world.Reachable = false;
        Live.Seed(_world.Snapshot());

        var page = RenderPage();

        Assert.Contains("cluster not reachable", page.Find("[data-testid=stack-status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_stack_keeps_its_last_state_and_says_it_was_deleted()
    {
        Live.Seed(_world.Snapshot());
        var page = RenderPage();

        Live.Publish(_world.Snapshot(), removed: true);

        page.WaitForAssertion(() => Assert.Contains("was deleted", page.Find("[data-testid=stack-status]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Forty_components_are_all_drawn_with_no_edge_label_over_a_box()
    {
        var large = StackWorld.Healthy("large", copies: 4);
        Live.Seed(large.Snapshot());

        var page = Render<TopologyPage>(p => p.Add(x => x.Name, "large"));

        var nodes = page.FindAll("g[data-testid^='node-']");
        Assert.Equal(40, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("active", n.GetAttribute("data-status")));
        Assert.Equal(48, page.FindAll("g[data-testid^='edge-']").Count);
        var boxes = TopologyModel.Layout(large.Spec, Domain.Catalog.ComponentCatalog.Default).Nodes;
        foreach (var label in page.FindAll(".edge-label"))
        {
            var x = double.Parse(label.GetAttribute("x")!, System.Globalization.CultureInfo.InvariantCulture);
            var y = double.Parse(label.GetAttribute("y")!, System.Globalization.CultureInfo.InvariantCulture);
            var width = label.TextContent.Length * 6.2;
            Assert.DoesNotContain(boxes, b => x < b.Right && x + width > b.X && y - 11 < b.Bottom && y + 3 > b.Y);
        }
    }
}
