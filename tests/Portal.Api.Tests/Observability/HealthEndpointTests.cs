using System.Net;
using Portal.Domain.Access;
using Portal.Api.Tests.Security;

namespace Portal.Api.Tests.Observability;

/// <summary><c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> on the real portal (SQLite, in-memory Hangfire): anonymous, JSON with
/// a sentence per check, 503 naming what is not ready, never a secret; and the scrape endpoint behind a token when so configured.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Liveness_answers_anonymously_with_one_check_and_the_portals_security_headers()
    {
        await using var factory = new PortalApiFactory();
        using var anonymous = factory.Client(token: null);

        using var response = await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken);
        var health = await Health.GetAsync(anonymous, "/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", health.Status);
        Assert.Equal("The portal process answers.", health.Description("process"));
        Assert.Single(health.Json.GetProperty("checks").EnumerateArray());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_200_once_the_database_and_the_job_server_answer_and_no_cluster_waits()
    {
        await using var factory = new PortalApiFactory();
        using var anonymous = factory.Client(token: null);

        var health = await Eventually.GetAsync(() => Health.GetAsync(anonymous, "/readyz"), h => h.Code == HttpStatusCode.OK, "the portal is ready");

        Assert.Equal("Healthy", health.Status);
        Assert.Equal(["database", "jobs", "clusters"], health.Json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("The portal database (SQLite) answers.", health.Description("database"));
        Assert.Contains("job server(s) run the steps", health.Description("jobs"), StringComparison.Ordinal);
        Assert.Equal("No cluster is connected.", health.Description("clusters"));
    }

    [Fact]
    public async Task Readiness_stays_200_but_degraded_naming_the_cluster_whose_watch_is_down_and_says_nothing_secret()
    {
        await using var factory = new PortalApiFactory();
        using var anonymous = factory.Client(token: null, allowServerErrors: true);
        factory.ConnectTestCluster();

        var health = await Eventually.GetAsync(
            () => Health.GetAsync(anonymous, "/readyz"),
            h => h.Description("clusters").Contains("not reachable", StringComparison.Ordinal),
            "the cluster's watch is reported down");

        // One unreachable cluster of several must not take the portal out of its Service: it is where the operator sees it.
        Assert.Equal(HttpStatusCode.OK, health.Code);
        Assert.Equal("Degraded", health.Status);
        Assert.Equal("Degraded", health.CheckStatus("clusters"));
        Assert.StartsWith($"Cluster {PortalApiFactory.Cluster} is not reachable", health.Description("clusters"), StringComparison.Ordinal);
        Assert.NotEqual("synced", health.Check("clusters").GetProperty("data").GetProperty(PortalApiFactory.Cluster).GetString());
        Assert.Equal("Healthy", health.CheckStatus("database"));
        Assert.DoesNotContain(PortalApiFactory.KubeToken, health.Json.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(PortalApiFactory.Token, health.Json.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scrape_endpoint_serves_prometheus_text_to_anyone_by_default()
    {
        await using var factory = new PortalApiFactory();
        using var anonymous = factory.Client(token: null);

        using var response = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains(samples, s => s.Name == "target_info" && s.Label("service_name") == "airbyte-portal");
    }

    [Fact]
    public async Task With_anonymous_scrapes_turned_off_a_scrape_needs_a_viewer_token()
    {
        await using var factory = new PortalApiFactory();
        factory.Settings["Portal:Telemetry:Prometheus:AllowAnonymous"] = "false";
        using var anonymous = factory.Client(token: null);
        using var viewer = factory.Client(token: await factory.TokenAsync(PortalRole.Viewer));

        using var refused = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var served = await viewer.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("target_info", await served.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Portal:Telemetry:Prometheus:Path", "/readyz", "Portal:Telemetry:Prometheus:Path '/readyz' is taken by the portal")]
    [InlineData("Portal:Telemetry:Otlp:Endpoint", "collector:4317", "Portal:Telemetry:Otlp:Endpoint must be an http:// or https:// address")]
    [InlineData("Portal:Telemetry:Otlp:Protocol", "udp", "Portal:Telemetry:Otlp:Protocol must be 'grpc' or 'http/protobuf', not 'udp'")]
    [InlineData("Portal:Telemetry:GaugeRefreshInterval", "00:00:00", "Portal:Telemetry:GaugeRefreshInterval must be a positive duration")]
    public async Task A_wrong_telemetry_setting_stops_the_start_with_a_sentence_naming_it(string key, string value, string message)
    {
        await using var factory = new PortalApiFactory();
        factory.Settings[key] = value;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(() => factory.Client(token: null)));

        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }
}
