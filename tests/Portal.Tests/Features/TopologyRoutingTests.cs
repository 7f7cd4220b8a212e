using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Topology;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

/// <summary>The addresses of the topology page through the real router: a deep link opens the right drawer, and going back to
/// the stack's address (what the browser's back button does) closes it.</summary>
public class TopologyRoutingTests : PortalTestContext
{
    public TopologyRoutingTests() => Live.Seed(StackWorld.Healthy().Snapshot());

    [Theory]
    [InlineData("/stacks/prod", null, null)]
    [InlineData("/stacks/prod/components/temporal", "component-drawer", "temporal")]
    [InlineData("/stacks/prod/relations/airbyte:db--postgresql:database", "relation-drawer", "airbyte:db → postgresql:database")]
    [InlineData("/stacks/prod/relations/airbyte%3Adb--postgresql%3Adatabase", "relation-drawer", "airbyte:db → postgresql:database")]
    public void A_deep_link_opens_the_drawer_it_names(string address, string? drawer, string? title)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(address);

        var app = Render<Routes>();

        app.WaitForAssertion(() => Assert.NotNull(app.Find("[data-testid=stack-status]")));
        if (drawer is null)
        {
            Assert.Empty(app.FindAll("[data-testid=component-drawer], [data-testid=relation-drawer]"));
        }
        else
        {
            Assert.Contains(title!, app.Find($"[data-testid={drawer}] h2").TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Links_match_the_routes_and_going_back_to_the_stack_closes_the_drawer()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(TopologyLinks.Stack("prod"));
        var app = Render<Routes>();
        app.WaitForAssertion(() => Assert.NotNull(app.Find("[data-testid=stack-status]")));

        app.InvokeAsync(() => navigation.NavigateTo(TopologyLinks.Component("prod", "airbyte")));
        app.WaitForAssertion(() => Assert.NotNull(app.Find("[data-testid=component-drawer]")));
        app.InvokeAsync(() => navigation.NavigateTo(TopologyLinks.Relation("prod", "temporal:admin--temporal-admin:admin")));
        app.WaitForAssertion(() => Assert.NotNull(app.Find("[data-testid=relation-drawer]")));

        app.InvokeAsync(() => navigation.NavigateTo(TopologyLinks.Stack("prod")));

        app.WaitForAssertion(() => Assert.Empty(app.FindAll("[data-testid=component-drawer], [data-testid=relation-drawer]")));
        Assert.Equal(1, Live.OpenSubscriptions);
    }
}
