using System.Globalization;
using Portal.Domain.Certificates;
using Portal.Features.Certificates;
using Portal.Provisioning.Certificates;
using static Portal.Tests.Fakes.CertificateWorld;

namespace Portal.Tests.Features;

/// <summary>The expiry timeline across stacks: a bar per certificate in its band, the now line, renewal markers, month ticks, the
/// table soonest first and the stacks whose cluster did not answer.</summary>
public class CertificatesTimelineTests : PortalTestContext
{
    private const string Down = "Cluster eu did not answer: connection refused.";

    public CertificatesTimelineTests() => Certificates.Expiries =
    [
        Expiries("prod", AcmeLane(), InternalLane(), ManualLane(), ExternalLane(), MissingLane()),
        Expiries("staging", InternalLane() with { Host = "staging.example.com" }),
        new StackCertificateExpiries("prod-eu", "eu", [], Down),
    ];

    private static double Number(AngleSharp.Dom.IElement element, string attribute) =>
        double.Parse(element.GetAttribute(attribute)!, CultureInfo.InvariantCulture);

    [Fact]
    public void Every_certificate_is_a_bar_in_its_band_from_not_before_to_not_after_with_a_now_line()
    {
        var page = Render<ExpiryTimelinePage>();

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=bar]").Count));
        var rows = page.FindAll("[data-testid=timeline-row]");
        Assert.Equal(
            [("prod", Acme), ("prod", External), ("prod", InternalCa), ("prod", Manual), ("staging", "staging.example.com")],
            rows.Select(r => (r.GetAttribute("data-stack"), r.GetAttribute("data-host"))));
        var bands = rows.ToDictionary(r => r.GetAttribute("data-host")!, r => r.QuerySelector("[data-testid=bar]")!);
        Assert.Contains("band-warning", bands[Acme].ClassList);
        Assert.Contains("band-expired", bands[External].ClassList);
        Assert.Contains("band-healthy", bands[InternalCa].ClassList);
        Assert.Contains("band-critical", bands[Manual].ClassList);

        var now = Number(page.Find("[data-testid=now-line]"), "x1");
        foreach (var (host, bar) in bands)
        {
            var (start, end) = (Number(bar, "x"), Number(bar, "x") + Number(bar, "width"));
            // Every certificate but the expired one is valid now: its bar spans the now line; the expired one ends before it.
            Assert.True(host == External ? end < now : start < now && now < end, $"{host}: {start}..{end}, now {now}");
        }

        // Lifetimes: the internal CA's year is longer on the axis than the ACME certificate's 90 days.
        Assert.True(Number(bands[InternalCa], "width") > 3 * Number(bands[Acme], "width"));
        var title = bands[Acme].QuerySelector("title")!.TextContent;
        Assert.Contains($"prod · {Acme} (ACME)", title, StringComparison.Ordinal);
        Assert.Contains("2026-12-16 12:01 UTC", title, StringComparison.Ordinal);
        Assert.Contains("renews 2026-12-01 12:01 UTC", title, StringComparison.Ordinal);
    }

    [Fact]
    public void Renewals_are_marked_and_the_axis_has_month_ticks()
    {
        var page = Render<ExpiryTimelinePage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=bar]")));
        var renewal = page.Find($"[data-testid=timeline-row][data-host='{Acme}'] [data-testid=renewal]");
        Assert.Contains("next renewal 2026-12-01 12:01 UTC", renewal.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll($"[data-testid=timeline-row][data-host='{Manual}'] [data-testid=renewal]"));
        var ticks = page.FindAll("[data-testid=tick] text").Select(t => t.TextContent).ToList();
        Assert.InRange(ticks.Count, 3, 12);
        Assert.Contains("Jan 2027", ticks);
    }

    [Fact]
    public void The_table_lists_the_certificates_soonest_first_and_the_stacks_that_did_not_answer()
    {
        var page = Render<ExpiryTimelinePage>();

        page.WaitForAssertion(() => Assert.Equal(
            [External, Manual, Acme, InternalCa, "staging.example.com"],
            page.FindAll("[data-testid=expiry-row]").Select(r => r.GetAttribute("data-host"))));
        var first = page.Find("[data-testid=expiry-row]");
        Assert.Equal("expired", first.GetAttribute("data-band"));
        Assert.Contains("expired 2 days ago", first.TextContent, StringComparison.Ordinal);
        Assert.Equal("/stacks/prod/certificates", first.QuerySelector("a")!.GetAttribute("href"));
        var problem = page.Find("[data-testid=stack-problem]");
        Assert.Equal("prod-eu", problem.GetAttribute("data-stack"));
        Assert.Contains(Down, problem.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_certificates_the_page_says_so()
    {
        Certificates.Expiries = [new StackCertificateExpiries("prod-eu", "eu", [], Down)];

        var page = Render<ExpiryTimelinePage>();

        page.WaitForAssertion(() => Assert.Contains("among those that answered", page.Find("[data-testid=no-certificates]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=timeline]"));
        Assert.Single(page.FindAll("[data-testid=stack-problem]"));
    }

    [Theory]
    [InlineData(90, 1)]
    [InlineData(365, 1)]
    [InlineData(800, 3)]
    [InlineData(3650, 12)]
    public void Ticks_fall_on_the_first_of_a_month_and_are_at_most_a_dozen(int days, int minimumStep)
    {
        var start = new DateTimeOffset(2026, 3, 14, 8, 0, 0, TimeSpan.Zero);

        var ticks = ExpiryTimeline.Ticks(start, start.AddDays(days));

        Assert.InRange(ticks.Count, 2, 13);
        Assert.All(ticks, t => Assert.Equal((1, TimeSpan.Zero), (t.At.Day, t.At.TimeOfDay)));
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.True(((pair.Second.At.Year - pair.First.At.Year) * 12) + pair.Second.At.Month - pair.First.At.Month >= minimumStep));
        Assert.True(ticks[0].At > start);
    }

    [Fact]
    public void A_ten_year_root_does_not_squash_the_short_certificates()
    {
        var now = Now;
        var root = new CertificateExpiry("root.example.com", CertificateSource.InternalCa, now - TimeSpan.FromDays(3000), now + TimeSpan.FromDays(650), ExpiryBand.Healthy, null);
        var shortLived = new CertificateExpiry("a.example.com", CertificateSource.Acme, now - TimeSpan.FromDays(30), now + TimeSpan.FromDays(60), ExpiryBand.Healthy, null);

        var layout = ExpiryTimeline.Build([new StackCertificateExpiries("prod", "sandbox", [root, shortLived], null)], now);

        var bar = layout.Rows.Single(r => r.Certificate.Host == "a.example.com");
        Assert.True(bar.X2 - bar.X1 > (layout.PlotRight - layout.PlotLeft) / 20, "a 90-day certificate stays readable");
        Assert.Equal(layout.PlotLeft, layout.Rows.Single(r => r.Certificate.Host == "root.example.com").X1);
    }
}
