using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Tests.Plans;
using Portal.Domain.Topology;

namespace Portal.Domain.Tests.Topology;

public sealed class LayeredLayoutTests
{
    private static GraphLayout Blueprint(LayoutOptions? options = null) =>
        TopologyLayout.ForBlueprint(BlueprintCatalog.CharmedAirbyte, ComponentCatalog.Default, options);

    [Fact]
    public void Blueprint_ReadsTopDownLikeTheSeedDiagram()
    {
        var layout = Blueprint();
        int Layer(string name) => layout[name].Layer;

        Assert.Equal(0, Layer("lego"));
        Assert.True(Layer("lego") < Layer("ingress"), "lego above the ingress it serves");
        Assert.True(Layer("ingress") < Layer("oauth2-proxy"), "the ingress above what it routes to");
        Assert.True(Layer("oauth2-proxy") < Layer("airbyte"), "the proxy above Airbyte");
        Assert.True(Layer("airbyte") < Layer("temporal"));
        Assert.True(Layer("temporal") < Layer("temporal-admin"));
        Assert.True(Layer("ingress-webhooks") < Layer("airbyte-webhooks"));
        Assert.True(Layer("airbyte-webhooks") < Layer("temporal"));
        var bottom = layout.LayerCount - 1;
        Assert.Equal(bottom, Layer("postgresql"));
        Assert.Equal(bottom, Layer("minio"));
    }

    [Fact]
    public void Blueprint_HasSixLayersAsReasoned()
    {
        // Longest paths once routes and certificates are drawn upward: lego → ingress → oauth2-proxy → airbyte → temporal →
        // postgresql/temporal-admin, and storage sinks to the bottom.
        var layers = Blueprint().Nodes.GroupBy(n => n.Layer).OrderBy(g => g.Key)
            .Select(g => string.Join(",", g.Select(n => n.Name).Order(StringComparer.Ordinal))).ToList();

        Assert.Equal(
            ["ingress-webhooks,lego", "airbyte-webhooks,ingress", "oauth2-proxy", "airbyte", "temporal", "minio,postgresql,temporal-admin"],
            layers);
    }

    [Fact]
    public void Blueprint_HasNoCrossing()
    {
        // A crossing-free layered drawing exists: the webhooks path (ingress-webhooks, airbyte-webhooks and its lane down
        // to temporal) on one side; lego, ingress, the proxy and the ingress→airbyte lane on the other; below airbyte its
        // lanes to minio and postgresql, then temporal; at the bottom minio, postgresql, temporal-admin in that order, so
        // airbyte→minio, airbyte→postgresql, temporal→postgresql and temporal→temporal-admin do not cross.
        // The sweeps must find it.
        var layout = Blueprint();

        Assert.Equal(0, layout.Crossings);
        Assert.Equal(0, LayoutGeometry.Crossings(layout));
    }

    [Fact]
    public void Blueprint_CrossingsAreNeverWorseThanTheNaiveOrder()
    {
        var naive = Blueprint(new LayoutOptions { CrossingSweeps = 0 });

        Assert.True(Blueprint().Crossings <= naive.Crossings);
        Assert.Equal(naive.Crossings, LayoutGeometry.Crossings(naive));
    }

    [Fact]
    public void Blueprint_LongEdgesGoThroughOneLanePerLayerTheyCross()
    {
        var layout = Blueprint();

        var route = layout.Edge("airbyte:nginx-route--ingress:nginx-route"); // airbyte (3) up to ingress (1)
        Assert.Equal(1, route.LayersCrossed);
        Assert.Equal(4, route.Points.Count);
        Assert.Equal(route.Points[1].X, route.Points[2].X); // the lane runs straight through layer 2

        var webhooks = layout.Edge("airbyte-webhooks:temporal--temporal:temporal-host-info"); // layer 1 down to layer 4
        Assert.Equal(2, webhooks.LayersCrossed);
        Assert.Equal(6, webhooks.Points.Count);

        var adjacent = layout.Edge("temporal:admin--temporal-admin:admin");
        Assert.Equal(0, adjacent.LayersCrossed);
        Assert.Equal(2, adjacent.Points.Count);
    }

    [Fact]
    public void Blueprint_EdgesRunFromTheRequirersBoxToTheProvidersBox()
    {
        var layout = Blueprint();

        var database = layout.Edge("airbyte:db--postgresql:database"); // drawn downward
        Assert.True(LayoutGeometry.OnBottomCentre(database.Points[0], layout["airbyte"]));
        Assert.True(LayoutGeometry.OnTopCentre(database.Points[^1], layout["postgresql"]));

        var certificates = layout.Edge("ingress:certificates--lego:certificates"); // drawn upward: lego is above
        Assert.Equal("ingress", certificates.From);
        Assert.True(LayoutGeometry.OnTopCentre(certificates.Points[0], layout["ingress"]));
        Assert.True(LayoutGeometry.OnBottomCentre(certificates.Points[^1], layout["lego"]));
    }

    [Fact]
    public void Blueprint_NoBoxesOverlapAndNoLaneCrossesABox()
    {
        var layout = Blueprint();

        Assert.Empty(LayoutGeometry.OverlappingNodes(layout));
        Assert.Empty(LayoutGeometry.LanesThroughNodes(layout));
        Assert.All(layout.Nodes, n => Assert.True(n.X >= 0 && n.Right <= layout.Width && n.Bottom <= layout.Height, n.Name));
    }

    [Fact]
    public void Layout_IsTheSameTwiceAndWhateverTheInputOrder()
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var reversed = TopologyLayout.Compute(
            blueprint.Components.Reverse().Select(c => (c.Name, c.Kind)), blueprint.Relations.Reverse(), ComponentCatalog.Default);

        Assert.Equal(LayoutGeometry.Fingerprint(Blueprint()), LayoutGeometry.Fingerprint(Blueprint()));
        Assert.Equal(LayoutGeometry.Fingerprint(Blueprint()), LayoutGeometry.Fingerprint(reversed));
    }

    [Fact]
    public void Layout_OfAStack_DependsOnlyOnItsStructureNotItsConfig()
    {
        var stack = TestStacks.CharmedAirbyte();
        var reconfigured = stack.With("airbyte", "log-level", "DEBUG").With("postgresql", "mode", "in-cluster");

        var layout = TopologyLayout.ForStack(stack, ComponentCatalog.Default);

        Assert.Equal(LayoutGeometry.Fingerprint(layout), LayoutGeometry.Fingerprint(TopologyLayout.ForStack(reconfigured, ComponentCatalog.Default)));
        Assert.Equal(LayoutGeometry.Fingerprint(layout), LayoutGeometry.Fingerprint(Blueprint()));
    }

    [Theory]
    [InlineData("grafana", "oauth2-proxy", "grafana:db", "postgresql:database", Interfaces.PostgresqlClient)] // a new app on the database
    [InlineData("backup", "minio", "minio:backup", "backup:object-storage", Interfaces.ObjectStorage)] // new storage under minio
    public void Layout_AddingAComponent_KeepsTheOtherComponentsLayersAndSides(
        string name, string kind, string requirer, string provider, string @interface)
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var before = Blueprint();
        var after = TopologyLayout.Compute(
            blueprint.Components.Select(c => (c.Name, c.Kind)).Append((name, kind)),
            blueprint.Relations.Append(RelationSpec.Of(requirer, provider, @interface)),
            ComponentCatalog.Default);

        // minio itself moves when something is put under it; every other component keeps its layer.
        foreach (var node in before.Nodes.Where(n => n.Name != "minio"))
        {
            Assert.Equal(node.Layer, after[node.Name].Layer);
        }

        // The entry points stay on the same sides (no mirror flip), and the new graph is still crossing-free.
        Assert.True(after["lego"].X < after["ingress-webhooks"].X);
        Assert.True(after["ingress"].X < after["airbyte-webhooks"].X);
        Assert.Equal(0, after.Crossings);
    }

    [Fact]
    public void Layout_CyclicInput_IsStillDrawnWithEveryEdgeBetweenItsNodes()
    {
        var layout = LayeredLayout.Compute(
            [new("a"), new("b"), new("c")],
            [new("a", "b"), new("b", "c"), new("c", "a")]);

        Assert.Equal(3, layout.Edges.Count);
        Assert.Empty(LayoutGeometry.OverlappingNodes(layout));
        foreach (var edge in layout.Edges)
        {
            Assert.True(LayoutGeometry.OnBoundaryCentre(edge.Points[0], layout[edge.From]), edge.Key);
            Assert.True(LayoutGeometry.OnBoundaryCentre(edge.Points[^1], layout[edge.To]), edge.Key);
        }
    }

    [Fact]
    public void Layout_EdgeToAnUnknownNode_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => LayeredLayout.Compute([new("a")], [new("a", "ghost")]));
    }

    [Fact]
    public void Layout_EmptyGraph_IsJustTheMargins()
    {
        var layout = LayeredLayout.Compute([], []);

        Assert.Empty(layout.Nodes);
        Assert.Equal(0, layout.LayerCount);
        Assert.Equal(2 * LayoutOptions.Default.Margin, layout.Width);
    }

    [Fact]
    public void TierHints_PlaceStorageAtTheBottomAndKeepEntryPointsOnTop()
    {
        // gateway and s1 both point only at app2 (layer 3): the entry point stays on top, the plain source moves down next
        // to what it uses. db is used by app (layer 1) only, but as storage it sinks to the bottom layer.
        LayoutNode[] nodes =
        [
            new("entry", LayoutTier.Entry), new("gateway", LayoutTier.Entry), new("s1"),
            new("app"), new("worker"), new("app2"), new("db", LayoutTier.Storage),
        ];
        LayoutEdge[] edges =
        [
            new("entry", "app"), new("app", "worker"), new("worker", "app2"), new("app", "db"), new("gateway", "app2"), new("s1", "app2"),
        ];

        var layout = LayeredLayout.Compute(nodes, edges);

        Assert.Equal(4, layout.LayerCount);
        Assert.Equal(0, layout["entry"].Layer);
        Assert.Equal(0, layout["gateway"].Layer);
        Assert.Equal(2, layout["s1"].Layer);
        Assert.Equal(3, layout["db"].Layer);
    }
}
