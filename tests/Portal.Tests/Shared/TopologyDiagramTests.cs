using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Topology;
using Portal.Shared.Topology;

namespace Portal.Tests.Shared;

public class TopologyDiagramTests : PortalTestContext
{
    private IRenderedComponent<TopologyDiagram> RenderBlueprint()
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        return Render<TopologyDiagram>(p => p
            .Add(d => d.Layout, TopologyLayout.ForBlueprint(blueprint, ComponentCatalog.Default))
            .Add(d => d.Nodes, blueprint.Components.ToDictionary(c => c.Name, c => new DiagramNode(c.Kind, "kind")))
            .Add(d => d.Edges, blueprint.Relations.ToDictionary(r => r.Key, r => new DiagramEdge(r.Interface, "healthy"))));
    }

    [Fact]
    public void Every_component_is_a_node_with_its_name_and_kind()
    {
        var diagram = RenderBlueprint();

        var nodes = diagram.FindAll("g.node");
        Assert.Equal(10, nodes.Count);
        var ingress = diagram.Find("g.node[data-node=ingress-webhooks]");
        Assert.Equal("ingress-webhooks", ingress.QuerySelector(".node-name")!.TextContent);
        Assert.Equal("nginx-ingress", ingress.QuerySelector(".node-subtitle")!.TextContent);
    }

    [Fact]
    public void Every_relation_is_an_edge_carrying_its_css_class()
    {
        var diagram = RenderBlueprint();

        var edges = diagram.FindAll("g.edge");
        Assert.Equal(12, edges.Count);
        Assert.All(edges, e => Assert.Contains("healthy", e.ClassList));
        Assert.NotNull(diagram.Find("g.edge[data-edge='airbyte:db--postgresql:database'] polyline"));
    }

    [Fact]
    public void Parallel_relations_share_one_label_that_counts_them()
    {
        var diagram = RenderBlueprint();

        var labels = diagram.FindAll(".edge-label").Select(l => l.TextContent).ToList();
        Assert.Contains("postgresql_client ×2", labels);
        Assert.Equal(11, labels.Count);
    }

    [Fact]
    public void Labels_do_not_overlap_each_other()
    {
        var diagram = RenderBlueprint();

        var boxes = diagram.FindAll(".edge-label")
            .Select(l => (X: double.Parse(l.GetAttribute("x")!, System.Globalization.CultureInfo.InvariantCulture),
                          Y: double.Parse(l.GetAttribute("y")!, System.Globalization.CultureInfo.InvariantCulture),
                          W: l.TextContent.Length * 6.2))
            .ToList();
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && Math.Abs(a.Y - b.Y) < 14;
                Assert.False(overlap, $"labels at ({a.X},{a.Y}) and ({b.X},{b.Y}) overlap");
            }
        }
    }

    [Fact]
    public void A_node_with_a_status_carries_it_in_data_status_and_its_whole_message_even_when_the_box_shortens_it()
    {
        var message = "CrashLoopBackOff: back-off 40s restarting failed container server in pod airbyte-server-5d8f7-x1";
        var diagram = Render<TopologyDiagram>(p => p
            .Add(d => d.Layout, TopologyLayout.ForBlueprint(BlueprintCatalog.CharmedAirbyte, ComponentCatalog.Default))
            .Add(d => d.Nodes, new Dictionary<string, DiagramNode>
            {
                ["airbyte"] = new("airbyte", "") { Status = "error", Tone = "error", Message = message, Icon = KindIcons.Material("Hub") },
            }));

        var node = diagram.Find("[data-testid=node-airbyte]");
        Assert.Equal("error", node.GetAttribute("data-status"));
        Assert.Contains(message, node.TextContent, StringComparison.Ordinal);
        var lines = node.QuerySelectorAll(".node-message-line").Select(l => l.TextContent).ToList();
        Assert.Equal(2, lines.Count);
        Assert.EndsWith("…", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{lines[0]} {lines[1][..^1]}", message, StringComparison.Ordinal);
        Assert.Null(diagram.Find("[data-testid=node-temporal]").GetAttribute("data-status"));
    }

    [Fact]
    public void Parallel_relations_are_drawn_apart_so_that_each_can_be_clicked()
    {
        var clicked = new List<string>();
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var diagram = Render<TopologyDiagram>(p => p
            .Add(d => d.Layout, TopologyLayout.ForBlueprint(blueprint, ComponentCatalog.Default))
            .Add(d => d.Edges, blueprint.Relations.ToDictionary(r => r.Key, r => new DiagramEdge(r.Interface, "")))
            .Add(d => d.OnEdgeClick, (string key) => clicked.Add(key)));

        var db = diagram.Find("[data-testid='edge-temporal:db--postgresql:database'] polyline.edge-line").GetAttribute("points");
        var visibility = diagram.Find("[data-testid='edge-temporal:visibility--postgresql:database'] polyline.edge-line").GetAttribute("points");
        Assert.NotEqual(db, visibility);

        diagram.Find("[data-testid='edge-temporal:visibility--postgresql:database']").Click();
        Assert.Equal(["temporal:visibility--postgresql:database"], clicked);
    }

    [Fact]
    public void Nodes_are_keyboard_buttons_only_when_something_listens()
    {
        var opened = new List<string>();
        var layout = TopologyLayout.ForBlueprint(BlueprintCatalog.CharmedAirbyte, ComponentCatalog.Default);

        var still = Render<TopologyDiagram>(p => p.Add(d => d.Layout, layout));
        Assert.Null(still.Find("[data-testid=node-lego]").GetAttribute("role"));

        var live = Render<TopologyDiagram>(p => p.Add(d => d.Layout, layout).Add(d => d.OnNodeClick, (string name) => opened.Add(name)));
        var lego = live.Find("[data-testid=node-lego]");
        Assert.Equal("button", lego.GetAttribute("role"));
        Assert.Equal("0", lego.GetAttribute("tabindex"));
        lego.KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        Assert.Equal(["lego"], opened);
    }

    [Fact]
    public void An_interactive_diagram_attaches_pan_and_zoom_once_per_layout()
    {
        var layout = TopologyLayout.ForBlueprint(BlueprintCatalog.CharmedAirbyte, ComponentCatalog.Default);
        var module = JSInterop.SetupModule("./js/topology.js");
        module.SetupVoid("attach", _ => true).SetVoidResult();
        module.SetupVoid("reset", _ => true).SetVoidResult();

        var diagram = Render<TopologyDiagram>(p => p.Add(d => d.Layout, layout).Add(d => d.Interactive, true));
        diagram.Render(p => p.Add(d => d.SelectedNode, "airbyte"));

        Assert.Single(module.Invocations, i => i.Identifier == "attach");
        Assert.DoesNotContain(module.Invocations, i => i.Identifier == "reset");
        Assert.NotNull(diagram.Find("[aria-label='Zoom in']"));

        diagram.Render(p => p.Add(d => d.Layout, TopologyLayout.ForBlueprint(BlueprintCatalog.CharmedAirbyte, ComponentCatalog.Default)));
        Assert.Single(module.Invocations, i => i.Identifier == "reset");
    }

    [Fact]
    public void Every_clickable_edge_has_a_handle_on_its_line_clear_of_nodes_at_the_centre_of_its_box()
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var layout = TopologyLayout.ForBlueprint(blueprint, ComponentCatalog.Default);
        var diagram = Render<TopologyDiagram>(p => p
            .Add(d => d.Layout, layout)
            .Add(d => d.OnEdgeClick, (string _) => { }));

        foreach (var edge in diagram.FindAll("g.edge"))
        {
            var handle = edge.QuerySelector("circle.edge-handle")!;
            var (x, y) = (Number(handle, "cx"), Number(handle, "cy"));
            var extent = edge.QuerySelector("rect.edge-extent")!;
            Assert.Equal(x, Number(extent, "x") + (Number(extent, "width") / 2), 1);
            Assert.Equal(y, Number(extent, "y") + (Number(extent, "height") / 2), 1);
            Assert.DoesNotContain(layout.Nodes, n => x > n.X && x < n.Right && y > n.Y && y < n.Bottom);
            var points = edge.QuerySelector("polyline.edge-line")!.GetAttribute("points")!.Split(' ')
                .Select(p => p.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.Contains(points.Zip(points.Skip(1)), s => OnSegment(x, y, s.First, s.Second));
        }
    }

    private static double Number(AngleSharp.Dom.IElement element, string attribute) =>
        double.Parse(element.GetAttribute(attribute)!, System.Globalization.CultureInfo.InvariantCulture);

    // Within a pixel of the segment (coordinates are rounded to a tenth).
    private static bool OnSegment(double x, double y, double[] a, double[] b)
    {
        var length = Math.Pow(b[0] - a[0], 2) + Math.Pow(b[1] - a[1], 2);
        var t = Math.Clamp((((x - a[0]) * (b[0] - a[0])) + ((y - a[1]) * (b[1] - a[1]))) / length, 0, 1);
        return Math.Sqrt(Math.Pow(x - (a[0] + (t * (b[0] - a[0]))), 2) + Math.Pow(y - (a[1] + (t * (b[1] - a[1]))), 2)) < 1;
    }
}
