using AngleSharp.Dom;
using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;
using Portal.Features.Topology;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class RelationDrawerTests : PortalTestContext
{
    private const string AirbyteDb = "airbyte:db--postgresql:database";
    private const string AirbyteTemporal = "airbyte:temporal--temporal:temporal-host-info";

    private IRenderedComponent<TopologyPage> Open(StackWorld world, string relation)
    {
        Live.Seed(world.Snapshot());
        return Render<TopologyPage>(p => p.Add(x => x.Name, "prod").Add(x => x.Relation, relation));
    }

    private static IElement Drawer(IRenderedComponent<TopologyPage> page) => page.Find("[data-testid=relation-drawer]");

    [Fact]
    public void A_relation_says_what_it_carries_by_key_name_and_every_check_passed()
    {
        var page = Open(StackWorld.Healthy(), AirbyteDb);

        var drawer = Drawer(page);
        Assert.Contains("airbyte:db → postgresql:database", drawer.QuerySelector("h2")!.TextContent, StringComparison.Ordinal);
        var carries = drawer.QuerySelector("[data-testid=relation-carries]")!;
        Assert.Contains("airbyte-db-relation", carries.TextContent, StringComparison.Ordinal);
        Assert.Equal(["✓ host", "✓ port", "✓ database", "✓ username", "✓ password", "✓ sslmode"], carries.QuerySelectorAll(".key").Select(k => k.TextContent.Trim()));
        var checks = drawer.QuerySelectorAll("[data-testid=relation-checks] tr.check");
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.Equal("passed", c.GetAttribute("data-result")));
        Assert.Contains(checks, c => c.GetAttribute("data-check") == "credentials");
    }

    [Fact]
    public void A_missing_key_shows_as_missing()
    {
        var world = StackWorld.Healthy().Update<ObservedSecret>("airbyte-db-relation", s => s with { KeyNames = s.KeyNames.Where(k => k != "password").ToList() });

        var page = Open(world, AirbyteDb);

        var password = Drawer(page).QuerySelectorAll(".key").Single(k => k.TextContent.Contains("password", StringComparison.Ordinal));
        Assert.Contains("absent", password.ClassList);
        var credentials = Drawer(page).QuerySelector("tr.check[data-check=credentials]")!;
        Assert.NotEqual("passed", credentials.GetAttribute("data-result"));
    }

    [Fact]
    public void A_pending_relation_shows_the_check_that_waits_and_on_which_component()
    {
        var page = Open(StackWorld.Healthy().CrashLoop("temporal"), AirbyteTemporal);

        var drawer = Drawer(page);
        Assert.Contains("pending", drawer.QuerySelector(".drawer-head")!.TextContent, StringComparison.Ordinal);
        var provider = drawer.QuerySelector("tr.check[data-check=provider]")!;
        Assert.Equal("pending", provider.GetAttribute("data-result"));
        Assert.Equal("/stacks/prod/components/temporal", provider.QuerySelector(".check-waiting a")!.GetAttribute("href"));
    }

    [Fact]
    public void Each_requirer_pod_shows_which_revision_of_the_relation_secret_it_loaded()
    {
        var world = StackWorld.Healthy().Update<ObservedSecret>("airbyte-db-relation", s => s with
        {
            Annotations = new Dictionary<string, string> { [PortalLabels.RevisionAnnotation] = "2" },
        });

        var page = Open(world, AirbyteDb);

        var loaded = page.Find("[aria-label='Loaded revisions']");
        var server = loaded.QuerySelectorAll("tr").Single(r => r.TextContent.Contains(StackWorld.PodOf("airbyte-server"), StringComparison.Ordinal));
        Assert.Contains("revision 1", server.TextContent, StringComparison.Ordinal);
        Assert.NotNull(server.QuerySelector(".tone-waiting"));
    }

    [Fact]
    public void A_route_relation_names_its_ingress_and_an_unknown_key_says_so()
    {
        var page = Open(StackWorld.Healthy(), "airbyte:nginx-route--ingress:nginx-route");
        Assert.Contains("The Ingress ingress-airbyte routes airbyte's hostname", Drawer(page).QuerySelector("[data-testid=relation-carries]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(Drawer(page).QuerySelectorAll(".key"));

        page.Render(p => p.Add(x => x.Relation, "a:b--c:d"));
        Assert.Contains("has no relation 'a:b--c:d'", Drawer(page).TextContent, StringComparison.Ordinal);
    }
}
