using Portal.Features.Blueprints;

namespace Portal.Tests.Features;

public class BlueprintPageTests : PortalTestContext
{
    [Fact]
    public void Blueprint_page_lists_every_component_and_relation()
    {
        var page = Render<BlueprintPage>(p => p.Add(x => x.Name, "charmed-airbyte"));

        var components = page.FindAll("[aria-label=Components] tbody tr");
        var relations = page.FindAll("[aria-label=Relations] tbody tr");
        Assert.Equal(10, components.Count);
        Assert.Equal(12, relations.Count);
        Assert.Contains(relations, r => r.TextContent.Contains("airbyte:db", StringComparison.Ordinal) && r.TextContent.Contains("postgresql:database", StringComparison.Ordinal));
    }

    [Fact]
    public void Blueprint_page_says_what_the_operator_must_set()
    {
        var page = Render<BlueprintPage>(p => p.Add(x => x.Name, "charmed-airbyte"));

        var postgresql = page.FindAll("[aria-label=Components] tbody tr").Single(r => r.QuerySelector("td")!.TextContent == "postgresql");
        Assert.Contains("mode", postgresql.TextContent, StringComparison.Ordinal);
        Assert.Contains("host (when 'mode' is 'external')", postgresql.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_blueprint_says_so_and_names_the_known_ones()
    {
        var page = Render<BlueprintPage>(p => p.Add(x => x.Name, "kubeflow"));

        Assert.Contains("There is no blueprint named 'kubeflow'", page.Markup, StringComparison.Ordinal);
        Assert.Contains("charmed-airbyte", page.Markup, StringComparison.Ordinal);
    }
}
