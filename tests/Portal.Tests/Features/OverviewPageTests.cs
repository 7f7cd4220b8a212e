using System.Text.RegularExpressions;
using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;
using Portal.Features.Home;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public partial class OverviewPageTests : PortalTestContext
{
    private static readonly DateTimeOffset T0 = StackWorld.Now - TimeSpan.FromHours(1);

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DatePattern();

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

    [Fact]
    public void Without_stacks_the_overview_says_so_and_points_to_the_blueprint()
    {
        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Contains("No stack is deployed yet", page.Find("[data-testid=no-stacks]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_stack_is_a_card_with_its_live_status_counts_place_and_last_operation()
    {
        StackService.Stacks = [StoredStacks.Summary("prod", last: StoredStacks.Deployed(T0)), StoredStacks.Summary("staging", active: new(Guid.NewGuid(), "Reconfigure", "Running", T0, null))];
        var broken = StackWorld.Healthy("prod").CrashLoop("airbyte-server").Snapshot();
        Live.Seed(broken);
        Live.Seed(StackWorld.Healthy("staging").Snapshot());

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() =>
        {
            var prod = page.Find("[data-testid=stack-card-prod]");
            Assert.Equal("error", prod.GetAttribute("data-status"));
            var counts = prod.QuerySelector("[aria-label='Components by status']")!.TextContent;
            Assert.Contains("1 error", counts, StringComparison.Ordinal);
            Assert.All(broken.Status.Counts, pair => Assert.Contains($"{pair.Value} {pair.Key.ToString().ToLowerInvariant()}", counts, StringComparison.Ordinal));
            Assert.Contains("sandbox / airbyte-prod", prod.TextContent, StringComparison.Ordinal);
            Assert.Contains("Deploy", prod.TextContent, StringComparison.Ordinal);
            Assert.Contains("succeeded", prod.TextContent, StringComparison.Ordinal);
            Assert.Contains($"Pod/{StackWorld.PodOf("airbyte-server")}", prod.QuerySelector(".card-cause")!.TextContent, StringComparison.Ordinal);
            Assert.Equal("/stacks/prod", prod.QuerySelector("a.card-name")!.GetAttribute("href"));

            var staging = page.Find("[data-testid=stack-card-staging]");
            Assert.Equal("active", staging.GetAttribute("data-status"));
            Assert.Contains("Reconfigure", staging.TextContent, StringComparison.Ordinal);
            Assert.Contains("running", staging.TextContent, StringComparison.Ordinal);
            Assert.Empty(staging.QuerySelectorAll(".card-cause"));
        });
    }

    [Fact]
    public void Certificates_show_which_TLS_Secrets_are_there_and_no_date_the_certificate_service_did_not_give()
    {
        var world = StackWorld.Healthy("prod");
        var tls = ObjectNames.TlsSecret("hooks.example.com");
        var withoutHooks = StackObservation.Create("prod", world.Objects.Where(o => o.Name != tls));
        Live.Seed(world.Snapshot() with { Observation = withoutHooks });
        StackService.Stacks = [StoredStacks.Summary("prod"), StoredStacks.Summary("new", deployed: false)];

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() =>
        {
            var certificates = page.Find("[data-testid=stack-card-prod] [data-testid=certificates]").TextContent;
            Assert.Contains("1 of 2 TLS Secrets present, missing " + tls, certificates, StringComparison.Ordinal);
            Assert.Contains("no certificate known", certificates, StringComparison.Ordinal);
            Assert.DoesNotMatch(DatePattern(), certificates);
            Assert.Contains("no certificate known", page.Find("[data-testid=stack-card-new] [data-testid=certificates]").TextContent, StringComparison.Ordinal);
            Assert.Empty(page.FindAll("[data-testid=stack-card-new] [data-testid=tls-secrets]"));
        });
    }

    [Fact]
    public void Each_card_shows_its_soonest_certificate_expiry_in_its_band_read_once_for_the_whole_overview()
    {
        StackService.Stacks = [StoredStacks.Summary("prod"), StoredStacks.Summary("staging"), StoredStacks.Summary("eu"), StoredStacks.Summary("bare")];
        Certificates.Expiries =
        [
            CertificateWorld.Expiries("prod", CertificateWorld.AcmeLane(), CertificateWorld.ManualLane(), CertificateWorld.InternalLane()),
            CertificateWorld.Expiries("staging", CertificateWorld.InternalLane()),
            new StackCertificateExpiries("eu", "eu", [], "Cluster eu did not answer: connection refused."),
            new StackCertificateExpiries("bare", StackWorld.Cluster, [], null),
        ];

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() =>
        {
            var prod = page.Find("[data-testid=stack-card-prod] [data-testid=soonest-expiry]");
            Assert.Equal($"{CertificateWorld.Manual} expires in 3 days", prod.TextContent.Trim());
            Assert.Equal("critical", prod.GetAttribute("data-band"));
            Assert.Contains("band-critical", prod.ClassList);
            Assert.Equal("/stacks/prod/certificates", prod.GetAttribute("href"));
        });
        var staging = page.Find("[data-testid=stack-card-staging] [data-testid=soonest-expiry]");
        Assert.Equal(($"{CertificateWorld.InternalCa} expires in 60 days", "healthy"), (staging.TextContent.Trim(), staging.GetAttribute("data-band")));
        Assert.Equal("certificate expiry unknown: Cluster eu did not answer: connection refused.", page.Find("[data-testid=stack-card-eu] [data-testid=expiry-unknown]").TextContent);
        Assert.Equal("no TLS certificate", page.Find("[data-testid=stack-card-bare] [data-testid=expiry-unknown]").TextContent);
        Assert.Equal(1, Certificates.ExpiriesCalls);
    }

    [Fact]
    public void A_certificate_service_that_fails_leaves_a_sentence_on_the_cards_not_an_error()
    {
        StackService.Stacks = [StoredStacks.Summary("prod")];
        Certificates.ExpiriesFault = new IOException("the portal database is gone");

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Equal(
            "certificate expiry unknown: the certificates could not be read (the portal database is gone)",
            page.Find("[data-testid=stack-card-prod] [data-testid=expiry-unknown]").TextContent));
    }

    [Fact]
    public void A_stored_stack_without_live_state_is_a_card_of_unknown_status()
    {
        StackService.Stacks = [StoredStacks.Summary("new", deployed: false)];

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() =>
        {
            var card = page.Find("[data-testid=stack-card-new]");
            Assert.Equal("unknown", card.GetAttribute("data-status"));
            Assert.Contains("Not deployed yet", card.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_live_update_of_one_stack_redraws_its_card_and_no_other()
    {
        var prod = StackWorld.Healthy("prod");
        var staging = StackWorld.Healthy("staging");
        StackService.Stacks = [StoredStacks.Summary("prod"), StoredStacks.Summary("staging")];
        Live.Seed(prod.Snapshot());
        Live.Seed(staging.Snapshot());
        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindComponents<StackCard>().Count));
        var cards = page.FindComponents<StackCard>().ToDictionary(c => c.Instance.Name);
        page.WaitForAssertion(() => Assert.Equal(1, Live.OpenSubscriptions));
        var stagingRenders = cards["staging"].RenderCount;
        var prodRenders = cards["prod"].RenderCount;

        Live.Publish(prod.CrashLoop("temporal").Snapshot(), ["temporal", "airbyte"]);

        page.WaitForAssertion(() => Assert.Equal("error", page.Find("[data-testid=stack-card-prod]").GetAttribute("data-status")));
        // Both cards are in the same render batch of the page: once the prod card's count moved, the staging card's would have.
        page.WaitForAssertion(() => Assert.True(cards["prod"].RenderCount > prodRenders));
        Assert.Equal(stagingRenders, cards["staging"].RenderCount);
    }

    [Fact]
    public void A_stack_that_appears_or_is_deleted_live_comes_and_goes_without_a_reload()
    {
        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-stacks]")));
        var world = StackWorld.Healthy("prod");

        Live.Publish(world.Snapshot(), ["airbyte"]);
        page.WaitForAssertion(() => Assert.Equal("active", page.Find("[data-testid=stack-card-prod]").GetAttribute("data-status")));

        Live.Publish(world.Snapshot(), removed: true);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=stack-card-prod]")));
    }

    [Fact]
    public async Task Refresh_loads_the_stored_stacks_again()
    {
        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-stacks]")));
        StackService.Stacks = [StoredStacks.Summary("prod", last: new OperationSummary(Guid.NewGuid(), "Deploy", "Failed", T0, T0))];

        await page.InvokeAsync(() => page.Find("button[aria-label='Refresh the stacks']").Click());

        page.WaitForAssertion(() => Assert.Contains("failed", page.Find("[data-testid=stack-card-prod]").TextContent, StringComparison.Ordinal));
        Assert.Equal(2, StackService.ListCalls);
        Assert.Equal(2, Certificates.ExpiriesCalls);
    }

    [Fact]
    public async Task Leaving_the_overview_unsubscribes()
    {
        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.Equal(1, Live.OpenSubscriptions));
        Assert.Equal([null], Live.Subscribed);

        await DisposeComponentsAsync();

        Assert.Equal(0, Live.OpenSubscriptions);
    }
}
