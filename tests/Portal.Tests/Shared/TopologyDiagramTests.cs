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
}
