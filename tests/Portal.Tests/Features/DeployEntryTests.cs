using Portal.Domain.Access;
using Portal.Features.Home;

namespace Portal.Tests.Features;

public class DeployEntryTests : PortalTestContext
{
    [Theory]
    [InlineData(PortalRole.Viewer, false)]
    [InlineData(PortalRole.Operator, true)]
    [InlineData(PortalRole.Admin, true)]
    public void The_overview_offers_Deploy_a_stack_only_to_operators(PortalRole role, bool offered)
    {
        SignInAs("someone", role);

        var page = Render<OverviewPage>();

        page.WaitForElement("[aria-label=Environment]");
        Assert.Equal(offered, page.FindAll("[data-testid=deploy-stack]").Count == 1);
        if (offered)
        {
            Assert.Equal("/deploy", page.Find("[data-testid=deploy-stack]").GetAttribute("href"));
        }
    }
}
