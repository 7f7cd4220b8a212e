using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Features.Certificates;
using Portal.Features.Topology;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Shared.Layout;
using Portal.Tests.Fakes;
using static Portal.Tests.Fakes.CertificateWorld;

namespace Portal.Tests.Features;

/// <summary>A stack's certificate lanes: every fact of a lane, the band colours, which writes a lane offers to whom, the periodic
/// refresh and a cluster that does not answer.</summary>
public class CertificatesPageTests : PortalTestContext
{
    public CertificatesPageTests()
    {
        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Ok(Stack());
        SignInAs("olga", PortalRole.Operator);
    }

    private IRenderedComponent<CertificatesPage> RenderPage() =>
        Render<CertificatesPage>(p => p.Add(x => x.Name, "prod"));

    private static IElement Lane(IRenderedComponent<CertificatesPage> page, string host) => page.Find($"[data-testid=lane][data-host='{host}']");

    private static string Text(IElement lane, string testId) => lane.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    [Fact]
    public void Each_hostname_is_a_lane_with_every_fact_of_its_certificate()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal([Acme, InternalCa, Manual, External, Missing], page.FindAll("[data-testid=lane]").Select(l => l.GetAttribute("data-host"))));
        Assert.Contains(Policy, page.Find("[data-testid=policy]").TextContent, StringComparison.Ordinal);
        var lane = Lane(page, Acme);
        var live = AcmeLane().Live!;
        Assert.Equal("ACME", Text(lane, "source"));
        Assert.Equal($"CN={Acme}", Text(lane, "subject"));
        Assert.Equal([Acme, $"www.{Acme}"], lane.QuerySelectorAll("[data-testid=sans] .san").Select(s => s.TextContent));
        Assert.Equal("CN=R11, O=Let's Encrypt, C=US", Text(lane, "issuer"));
        Assert.Equal("04A1B2C3D4E5F60718293A4B5C6D7E8F9A0B", Text(lane, "serial"));
        Assert.Equal("ECDSA 256", Text(lane, "key-type"));
        Assert.Equal(live.NotBefore.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture), Text(lane, "not-before"));
        Assert.Equal("2026-12-16 12:01 UTC", Text(lane, "not-after"));
        Assert.Equal("3A:7B:C4:D2:E1:9F:0A:6B…", Text(lane, "fingerprint"));
        Assert.Equal("expires in 20 days", Text(lane, "expiry"));
        Assert.Contains("2026-12-01 12:01 UTC (in 5d)", Text(lane, "next-renewal"), StringComparison.Ordinal);
        var attempt = Text(lane, "last-attempt");
        Assert.Contains("2h ago", attempt, StringComparison.Ordinal);
        Assert.Contains("failed", attempt, StringComparison.Ordinal);
        Assert.Equal("3 failures in a row", Text(lane, "failures"));
        Assert.Equal(AcmeError, Text(lane, "attempt-error"));
        var ingress = Text(lane, "ingress");
        Assert.Contains("ingress", ingress, StringComparison.Ordinal);
        Assert.Equal(["airbyte-ingress", "airbyte-ingress-api"], lane.QuerySelectorAll("[data-testid=ingress] .ingress-object").Select(o => o.TextContent));
        Assert.Equal("airbyte-example-com-tls", Text(lane, "secret"));
        Assert.Equal("4", Text(lane, "live-revision"));
        var previous = lane.QuerySelectorAll("[data-testid=previous-revision]");
        Assert.Equal(["3", "2"], previous.Select(p => p.GetAttribute("data-revision")));
        Assert.Contains("serial 03FFEE", previous[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("expired 10 days ago", previous[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("Matches", lane.QuerySelector("[data-testid=served-state]")!.GetAttribute("data-state"));
        var served = Text(lane, "served");
        Assert.Contains("matches", served, StringComparison.Ordinal);
        Assert.Contains("serves revision 4", served, StringComparison.Ordinal);
        Assert.Contains("203.0.113.7:443", served, StringComparison.Ordinal);
        Assert.Contains("3A:7B:C4:D2", Text(lane, "served-fingerprint"), StringComparison.Ordinal);
        Assert.Empty(lane.QuerySelectorAll("[data-testid=lane-problem]"));
    }

    [Fact]
    public void Days_left_are_coloured_by_band_and_every_served_state_and_source_reads_in_words()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=lane]").Count));
        var expected = new Dictionary<string, (string Band, string Source, string Served, string ServedWord)>
        {
            [Acme] = ("warning", "ACME", "Matches", "matches"),
            [InternalCa] = ("healthy", "internal CA", "NotReachable", "not reachable"),
            [Manual] = ("critical", "manual", "Differs", "differs"),
            [External] = ("expired", "external", "Matches", "matches"),
        };
        foreach (var (host, (band, source, served, word)) in expected)
        {
            var lane = Lane(page, host);
            var chip = lane.QuerySelector("[data-testid=expiry]")!;
            Assert.Equal(band, chip.GetAttribute("data-band"));
            Assert.Contains($"band-{band}", chip.ClassList);
            Assert.Contains($"band-{band}", lane.ClassList);
            Assert.Equal(source, Text(lane, "source"));
            Assert.Equal(served, lane.QuerySelector("[data-testid=served-state]")!.GetAttribute("data-state"));
            Assert.StartsWith(word, Text(lane, "served"), StringComparison.Ordinal);
        }

        Assert.Equal("expired 2 days ago", Text(Lane(page, External), "expiry"));
        Assert.Contains("not reachable from the portal: connection refused", Text(Lane(page, InternalCa), "served"), StringComparison.Ordinal);
        Assert.Contains("RSA 2048", Text(Lane(page, Manual), "key-type"), StringComparison.Ordinal);
        Assert.Contains("upload a new certificate before it expires", Text(Lane(page, Manual), "next-renewal"), StringComparison.Ordinal);
        Assert.Equal("none recorded", Text(Lane(page, Manual), "last-attempt"));
    }

    [Fact]
    public void A_hostname_whose_Secret_is_missing_shows_the_problem_in_its_lane()
    {
        var page = RenderPage();

        var lane = page.WaitForElement($"[data-testid=lane][data-host='{Missing}']");
        Assert.Equal(MissingProblem, Text(lane, "lane-problem"));
        Assert.Equal("no certificate", Text(lane, "expiry"));
        Assert.Empty(lane.QuerySelectorAll("[data-testid=subject]"));
        Assert.Equal("no revision yet", Text(lane, "revision"));
        Assert.Contains("the Ingress has no load-balancer address yet", Text(lane, "served"), StringComparison.Ordinal);
        Assert.Contains("no Ingress object names this Secret", Text(lane, "ingress"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_viewer_sees_every_write_disabled_with_the_role_it_needs()
    {
        SignInAs("vera", PortalRole.Viewer);
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(15, page.FindAll("[data-testid=lane] button[data-refusal]").Count));
        Assert.All(page.FindAll("[data-testid=lane-actions], [data-testid=lane] .lane-actions button"), button =>
        {
            Assert.True(button.HasAttribute("disabled"));
            Assert.Equal("Needs the Operator role.", button.GetAttribute("data-refusal"));
        });
    }

    [Fact]
    public void An_operator_may_not_rotate_a_manual_certificate_nor_write_an_external_one()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=lane]").Count));

        static (bool Disabled, string? Refusal) State(IElement lane, string action)
        {
            var button = lane.QuerySelector($"button[data-testid={action}]")!;
            return (button.HasAttribute("disabled"), button.GetAttribute("data-refusal"));
        }

        var acme = Lane(page, Acme);
        Assert.Equal((false, null), State(acme, "rotate"));
        Assert.Equal((false, null), State(acme, "rollback"));
        Assert.Equal((false, null), State(acme, "upload"));

        var manual = Lane(page, Manual);
        Assert.Equal((true, "A manual certificate is not issued by the portal: upload a new certificate."), State(manual, "rotate"));
        Assert.Equal((false, null), State(manual, "rollback"));
        Assert.Equal((false, null), State(manual, "upload"));

        var external = Lane(page, External);
        const string Outside = "Managed outside the portal (tls-secret-name corp-wildcard-tls).";
        Assert.Equal((true, Outside), State(external, "rotate"));
        Assert.Equal((true, Outside), State(external, "rollback"));
        Assert.Equal((true, Outside), State(external, "upload"));

        Assert.Equal((true, "No earlier revision is kept for this hostname yet."), State(Lane(page, InternalCa), "rollback"));
    }

    [Fact]
    public void A_cluster_that_does_not_answer_is_a_banner_not_an_error_page()
    {
        const string Down = "Cluster sandbox did not answer: connection refused.";
        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Unavailable(Down);

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains(Down, page.Find("[data-testid=certificates-unavailable]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=lane]"));
        Assert.Empty(page.FindAll(".mud-progress-linear"));
    }

    [Fact]
    public async Task The_page_refreshes_every_ten_seconds_keeps_the_last_lanes_when_the_cluster_goes_and_stops_when_it_is_left()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=lane]").Count));
        Assert.Equal(1, Certificates.ListCalls);

        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Ok(Stack("prod", AcmeLane() with { Revision = 5 }));
        Clock.Advance(CertificatesPage.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("5", page.Find("[data-testid=live-revision]").TextContent));
        Assert.Single(page.FindAll("[data-testid=lane]"));

        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Unavailable("Cluster sandbox did not answer.");
        Clock.Advance(CertificatesPage.RefreshInterval);
        page.WaitForAssertion(() => Assert.Contains("Showing what was read 10s ago", page.Find("[data-testid=certificates-unavailable]").TextContent, StringComparison.Ordinal));
        Assert.Single(page.FindAll("[data-testid=lane]"));

        var calls = Certificates.ListCalls;
        await DisposeComponentsAsync();
        Clock.Advance(CertificatesPage.RefreshInterval * 3);
        Assert.Equal(calls, Certificates.ListCalls);
    }

    [Fact]
    public void Refresh_reads_the_certificates_again()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=lane]").Count));
        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Ok(Stack("prod", InternalLane()));

        page.Find("button[data-testid=refresh]").Click();

        page.WaitForAssertion(() => Assert.Equal([InternalCa], page.FindAll("[data-testid=lane]").Select(l => l.GetAttribute("data-host"))));
        Assert.Equal(2, Certificates.ListCalls);
    }

    [Fact]
    public void An_unknown_stack_says_so()
    {
        var page = Render<CertificatesPage>(p => p.Add(x => x.Name, "nope"));

        page.WaitForAssertion(() => Assert.Contains("There is no stack named 'nope'", page.Find("[data-testid=no-stack]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void The_stack_page_links_to_its_certificates_for_viewers_too_and_the_menu_to_the_timeline()
    {
        SignInAs("vera", PortalRole.Viewer);
        var world = StackWorld.Healthy();
        StackService.Views["prod"] = StoredStacks.View(world);
        Live.Seed(world.Snapshot());
        Services.AddSingleton(TimeProvider.System);

        var topology = Render<TopologyPage>(p => p.Add(x => x.Name, "prod"));
        Assert.Equal("/stacks/prod/certificates", topology.WaitForElement("[data-testid=stack-certificates]").GetAttribute("href"));

        var menu = Render<NavMenu>();
        Assert.Contains("/certificates", menu.FindAll("a").Select(a => a.GetAttribute("href")));
    }
}
