using Portal.Features.Home;

namespace Portal.Tests.Features;

public class OverviewPageTests : PortalTestContext
{
    [Fact]
    public void Overview_shows_the_environment_the_portal_runs_on()
    {
        var page = Render<OverviewPage>();

        var environment = page.Find("[aria-label=Environment]").TextContent;
        Assert.Contains("SQLite (.portal/portal.db)", environment, StringComparison.Ordinal);
        Assert.Contains("Hangfire in memory", environment, StringComparison.Ordinal);
        Assert.Contains("sandbox (embedded)", environment, StringComparison.Ordinal);
        Assert.Contains("development sign-in", environment, StringComparison.Ordinal);
    }
}
