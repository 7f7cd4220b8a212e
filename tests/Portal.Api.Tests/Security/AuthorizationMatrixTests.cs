using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Observability;
using Portal.Security;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests.Security;

/// <summary>The portal with a browser signed in for each role and an API token for each role.</summary>
public sealed class MatrixPortal : IAsyncLifetime
{
    public PortalApiFactory Factory { get; } = new();

    public Dictionary<PortalRole, HttpClient> Browsers { get; } = [];

    public Dictionary<PortalRole, string> Tokens { get; } = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var role in PortalRoles.All)
        {
            Browsers[role] = await Factory.SignedInAsync(role);
            Tokens[role] = await Factory.TokenAsync(role);
        }
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>Every page and every API endpoint × anonymous / Viewer / Operator / Admin gets exactly what it should: pages 302 to
/// sign-in when anonymous and 403 when the role is too low; the API 401 and 403.</summary>
public sealed partial class AuthorizationMatrixTests(MatrixPortal portal) : IClassFixture<MatrixPortal>
{
    /// <summary>Every /api/v1 endpoint with the role it needs; a new endpoint needs a row here.</summary>
    private static readonly (string Method, string Pattern, string Url, PortalRole Role)[] ApiEndpoints =
    [
        ("GET", "/api/v1/blueprints", "/api/v1/blueprints", PortalRole.Viewer),
        ("GET", "/api/v1/blueprints/{name}", "/api/v1/blueprints/charmed-airbyte", PortalRole.Viewer),
        ("GET", "/api/v1/clusters", "/api/v1/clusters", PortalRole.Viewer),
        ("GET", "/api/v1/clusters/{name}", "/api/v1/clusters/nowhere", PortalRole.Viewer),
        ("POST", "/api/v1/clusters", "/api/v1/clusters", PortalRole.Admin),
        ("POST", "/api/v1/clusters/test", "/api/v1/clusters/test", PortalRole.Admin),
        ("PATCH", "/api/v1/clusters/{name}", "/api/v1/clusters/nowhere", PortalRole.Admin),
        ("DELETE", "/api/v1/clusters/{name}", "/api/v1/clusters/nowhere", PortalRole.Admin),
        ("GET", "/api/v1/stacks", "/api/v1/stacks", PortalRole.Viewer),
        ("POST", "/api/v1/stacks", "/api/v1/stacks", PortalRole.Operator),
        ("POST", "/api/v1/stacks/validate", "/api/v1/stacks/validate", PortalRole.Operator),
        ("POST", "/api/v1/stacks/preview", "/api/v1/stacks/preview", PortalRole.Operator),
        ("POST", "/api/v1/stacks/preflight", "/api/v1/stacks/preflight", PortalRole.Operator),
        ("GET", "/api/v1/stacks/{name}", "/api/v1/stacks/prod", PortalRole.Viewer),
        ("PATCH", "/api/v1/stacks/{name}", "/api/v1/stacks/prod", PortalRole.Operator),
        ("DELETE", "/api/v1/stacks/{name}", "/api/v1/stacks/prod", PortalRole.Operator),
        ("POST", "/api/v1/stacks/{name}/preview-update", "/api/v1/stacks/prod/preview-update", PortalRole.Operator),
        ("GET", "/api/v1/stacks/{name}/manifests", "/api/v1/stacks/prod/manifests", PortalRole.Viewer),
        ("GET", "/api/v1/stacks/{name}/export/{format}", "/api/v1/stacks/prod/export/juju-bundle", PortalRole.Viewer),
        ("GET", "/api/v1/stacks/{name}/topology", "/api/v1/stacks/prod/topology", PortalRole.Viewer),
        ("GET", "/api/v1/certificates", "/api/v1/certificates", PortalRole.Viewer),
        ("GET", "/api/v1/stacks/{name}/certificates", "/api/v1/stacks/prod/certificates", PortalRole.Viewer),
        ("POST", "/api/v1/stacks/{name}/certificates/{host}/rotate", "/api/v1/stacks/prod/certificates/airbyte.example.com/rotate", PortalRole.Operator),
        ("POST", "/api/v1/stacks/{name}/certificates/{host}/rollback", "/api/v1/stacks/prod/certificates/airbyte.example.com/rollback", PortalRole.Operator),
        ("PUT", "/api/v1/stacks/{name}/certificates/{host}", "/api/v1/stacks/prod/certificates/airbyte.example.com", PortalRole.Operator),
        ("GET", "/api/v1/stacks/{name}/secrets", "/api/v1/stacks/prod/secrets", PortalRole.Viewer),
        ("POST", "/api/v1/stacks/{name}/secrets/{secret}/preview-rotation", "/api/v1/stacks/prod/secrets/oauth2-proxy.cookie-secret/preview-rotation", PortalRole.Operator),
        ("POST", "/api/v1/stacks/{name}/secrets/{secret}/rotate", "/api/v1/stacks/prod/secrets/oauth2-proxy.cookie-secret/rotate", PortalRole.Operator),
        ("POST", "/api/v1/stacks/{name}/secrets/{secret}/rollback", "/api/v1/stacks/prod/secrets/oauth2-proxy.cookie-secret/rollback", PortalRole.Operator),
        ("PUT", "/api/v1/stacks/{name}/secrets/{secret}/policy", "/api/v1/stacks/prod/secrets/oauth2-proxy.cookie-secret/policy", PortalRole.Operator),
        ("POST", "/api/v1/stacks/{name}/secrets/{secret}/reveal", "/api/v1/stacks/prod/secrets/airbyte-webhooks.signing-secret/reveal", PortalRole.Operator),
        ("GET", "/api/v1/operations/{id}", "/api/v1/operations/00000000-0000-0000-0000-000000000001", PortalRole.Viewer),
        ("POST", "/api/v1/operations/{id}/retry", "/api/v1/operations/00000000-0000-0000-0000-000000000001/retry", PortalRole.Operator),
        ("POST", "/api/v1/operations/{id}/cancel", "/api/v1/operations/00000000-0000-0000-0000-000000000001/cancel", PortalRole.Operator),
        ("GET", "/api/v1/audit", "/api/v1/audit", PortalRole.Viewer),
        ("GET", "/api/v1/audit/export.csv", "/api/v1/audit/export.csv", PortalRole.Viewer),
        ("GET", "/api/v1/tokens", "/api/v1/tokens", PortalRole.Admin),
        ("GET", "/api/v1/tokens/{id}", "/api/v1/tokens/nosuchtoken1", PortalRole.Admin),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", PortalRole.Admin),
        ("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/nosuchtoken1", PortalRole.Admin),
    ];

    /// <summary>The role the matrix gives an endpoint (upper-case method, path template), or null when it has no row; the API
    /// reference (docs/api.md) names it, as the OpenAPI document does not.</summary>
    internal static string? RoleOf(string method, string pattern) =>
        ApiEndpoints.Where(a => a.Method == method && a.Pattern == pattern).Select(a => a.Role.ToString()).FirstOrDefault();

    /// <summary>Pages whose role is pinned here, besides the rule that every page declares one, and the browser routes that are
    /// no component (<see cref="BrowserRoutes"/>).</summary>
    private static readonly (string Url, PortalRole? Role)[] KnownPages =
    [
        ("/", PortalRole.Viewer),
        ("/blueprints/charmed-airbyte", PortalRole.Viewer),
        ("/clusters", PortalRole.Viewer),
        ("/audit", PortalRole.Viewer),
        ("/stacks/prod", PortalRole.Viewer),
        ("/stacks/prod/components/airbyte", PortalRole.Viewer),
        ("/stacks/prod/relations/airbyte-db", PortalRole.Viewer),
        ("/stacks/prod/edit", PortalRole.Operator),
        ("/tokens", PortalRole.Admin),
        ("/signin", null),
        ("/jobs", PortalRole.Admin),
        ("/jobs/jobs/succeeded", PortalRole.Admin),
        ("/audit/export.csv", PortalRole.Viewer),
        ("/stacks/prod/export/juju-bundle", PortalRole.Viewer),
    ];

    /// <summary>Endpoints outside /api/v1 that answer anyone on purpose: the probes, which a kubelet or load balancer calls without
    /// credentials, and the Prometheus scrape (anonymous by default; <c>Portal:Telemetry:Prometheus:AllowAnonymous=false</c> puts
    /// it behind a Viewer token).</summary>
    private static readonly string[] AnonymousEndpoints = [PortalObservability.LivenessPath, PortalObservability.ReadinessPath, "/metrics"];

    /// <summary>Browser routes outside the router: Hangfire's dashboard, the audit CSV and the stack export downloads.</summary>
    private static readonly string[] BrowserRoutes = ["/jobs", "/jobs/jobs/succeeded", "/audit/export.csv", "/stacks/prod/export/juju-bundle"];

    public static TheoryData<string, string, string> ApiCalls()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, _, url, _) in ApiEndpoints)
        {
            foreach (var caller in Callers)
            {
                data.Add(method, url, caller);
            }
        }

        return data;
    }

    public static TheoryData<string, string> PageVisits()
    {
        var data = new TheoryData<string, string>();
        foreach (var url in Pages().Select(p => p.Url).Concat(KnownPages.Select(p => p.Url)).Distinct(StringComparer.Ordinal))
        {
            foreach (var caller in Callers)
            {
                data.Add(url, caller);
            }
        }

        return data;
    }

    private static readonly string[] Callers = ["anonymous", .. PortalRoles.All.Select(r => r.ToString())];

    public static TheoryData<string, string> AnonymousEndpointCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (var url in AnonymousEndpoints)
        {
            foreach (var caller in Callers.Append("token"))
            {
                data.Add(url, caller);
            }
        }

        return data;
    }

    [Fact]
    public void The_probes_and_the_scrape_are_mapped_for_anonymous_callers()
    {
        var endpoints = portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var url in AnonymousEndpoints)
        {
            var endpoint = Assert.Single(endpoints, e => e.RoutePattern.RawText == url);
            Assert.NotNull(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.DoesNotContain(endpoint.Metadata.OfType<IAuthorizeData>(), a => a.Policy is not null);
        }
    }

    [Theory]
    [MemberData(nameof(AnonymousEndpointCalls))]
    public async Task The_probes_and_the_scrape_answer_every_caller_with_the_security_headers(string url, string caller)
    {
        using var anonymous = portal.Factory.NewBrowser();
        using var bearer = portal.Factory.Client(token: portal.Tokens[PortalRole.Viewer], allowServerErrors: true);
        var client = caller switch
        {
            "anonymous" => anonymous,
            "token" => bearer,
            _ => portal.Browsers[Enum.Parse<PortalRole>(caller)],
        };

        var response = await client.GetAsync(url, Browser.Ct);

        // Readiness may be 503 here (this portal's test cluster is not reachable); what matters is that nobody is turned away.
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{caller} on {url}: {(int)response.StatusCode}");
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public void Every_api_endpoint_is_in_the_matrix_with_the_role_it_declares()
    {
        var mapped = portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Endpoint: e)))
            .ToList();

        var missing = mapped.Where(m => !ApiEndpoints.Any(a => a.Method == m.Method && a.Pattern == Normalize(m.Endpoint.RoutePattern.RawText!)))
            .Select(m => $"{m.Method} {m.Endpoint.RoutePattern.RawText}").ToList();
        Assert.True(missing.Count == 0, $"Add these endpoints to the authorization matrix with their role: {string.Join(", ", missing)}");
        Assert.Equal(ApiEndpoints.Length, mapped.Count);

        foreach (var (method, endpoint) in mapped)
        {
            var declared = endpoint.Metadata.OfType<IAuthorizeData>().Select(a => PortalPolicies.RoleOf(a.Policy)).Where(r => r is not null).ToList();
            var row = ApiEndpoints.Single(a => a.Method == method && a.Pattern == Normalize(endpoint.RoutePattern.RawText!));
            Assert.Null(endpoint.Metadata.GetMetadata<RoleDefaultedToAdmin>());
            Assert.Equal(row.Role, Assert.Single(declared));
        }
    }

    [Theory]
    [MemberData(nameof(ApiCalls))]
    public async Task An_api_call_gets_401_without_a_token_403_below_its_role_and_is_served_at_or_above_it(string method, string url, string caller)
    {
        var needed = ApiEndpoints.Single(a => a.Method == method && a.Url == url).Role;
        using var client = portal.Factory.Client(token: caller == "anonymous" ? null : portal.Tokens[Enum.Parse<PortalRole>(caller)]);

        var response = await client.SendJsonAsync(new HttpMethod(method), url, method is "GET" or "DELETE" ? null : new JsonObject());

        if (caller == "anonymous")
        {
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
        }
        else if (!Enum.Parse<PortalRole>(caller).Includes(needed))
        {
            var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains($"needs the {needed} role; the token has {caller}", Detail(problem), StringComparison.Ordinal);
        }
        else
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_browser_signed_in_to_the_ui_cannot_call_the_api_with_its_cookie()
    {
        var response = await portal.Browsers[PortalRole.Admin].GetAsync("/api/v1/stacks", Browser.Ct);

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void Every_page_declares_a_role_policy_or_allows_anonymous_visitors()
    {
        var undeclared = typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes<RouteAttribute>().Any())
            .Where(t => t.GetCustomAttribute<AllowAnonymousAttribute>() is null
                && !t.GetCustomAttributes<AuthorizeAttribute>().Any(a => PortalPolicies.RoleOf(a.Policy) is not null))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(undeclared.Count == 0, $"Give these pages @attribute [Authorize(Policy = PortalPolicies.…)]: {string.Join(", ", undeclared)}");
    }

    [Fact]
    public void Pinned_pages_declare_the_role_the_matrix_expects()
    {
        foreach (var (url, role) in KnownPages.Where(p => !BrowserRoutes.Contains(p.Url)))
        {
            Assert.Equal(role, Pages().Single(p => Matches(p.Url, url)).Role);
        }
    }

    [Theory]
    [MemberData(nameof(PageVisits))]
    public async Task A_page_redirects_anonymous_visitors_to_sign_in_answers_403_below_its_role_and_200_at_or_above_it(string url, string caller)
    {
        var needed = Pages().Concat(KnownPages).First(p => p.Url == url).Role;
        using var anonymous = portal.Factory.NewBrowser();
        var browser = caller == "anonymous" ? anonymous : portal.Browsers[Enum.Parse<PortalRole>(caller)];

        var response = await browser.GetAsync(url, Browser.Ct);

        var body = await response.Content.ReadAsStringAsync(Browser.Ct);
        if (needed is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else if (caller == "anonymous")
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal($"/signin?returnUrl={Uri.EscapeDataString(url)}", response.Headers.Location?.PathAndQuery);
        }
        else if (!Enum.Parse<PortalRole>(caller).Includes(needed.Value))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("Airbyte Portal jobs", body, StringComparison.Ordinal);
        }
        else
        {
            // A download about a stack the matrix portal does not have gets past authorization to the stack's 404.
            var allowed = response.StatusCode == HttpStatusCode.OK
                || (response.StatusCode == HttpStatusCode.NotFound && body.Contains("no stack named prod", StringComparison.Ordinal));
            Assert.True(allowed, $"{caller} on {url}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_page_refused_to_a_signed_in_person_carries_only_the_shell_whose_router_names_the_role()
    {
        var response = await portal.Browsers[PortalRole.Viewer].GetAsync("/tokens", Browser.Ct);

        var body = await response.Content.ReadAsStringAsync(Browser.Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("_framework/blazor.web.js", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Create a token", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_circuit_hub_needs_a_signed_in_person()
    {
        using var anonymous = portal.Factory.NewBrowser();

        var refused = await anonymous.PostAsync("/_blazor/negotiate?negotiateVersion=1", null, Browser.Ct);
        var accepted = await portal.Browsers[PortalRole.Viewer].PostAsync("/_blazor/negotiate?negotiateVersion=1", null, Browser.Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Theory]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/favicon.svg")]
    [InlineData("/openapi/v1.json")]
    public async Task What_the_sign_in_page_needs_is_served_to_anonymous_visitors(string url)
    {
        using var anonymous = portal.Factory.NewBrowser();

        var response = await anonymous.GetAsync(url, Browser.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_address_that_is_no_page_sends_anonymous_visitors_to_sign_in()
    {
        using var anonymous = portal.Factory.NewBrowser();

        var response = await anonymous.GetAsync("/no/such/page", Browser.Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    /// <summary>Every routable component with a sample URL (route parameters filled in) and the role it declares.</summary>
    private static IEnumerable<(string Url, PortalRole? Role)> Pages() =>
        typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (Type: t, r.Template)))
            .Select(p => (
                Url: RouteParameter().Replace(p.Template, m => m.Value.Contains(":guid", StringComparison.OrdinalIgnoreCase) ? Guid.Empty.ToString() : "sample"),
                Role: p.Type.GetCustomAttributes<AuthorizeAttribute>().Select(a => PortalPolicies.RoleOf(a.Policy)).Max()))
            .Select(p => p.Url.StartsWith("/blueprints/", StringComparison.Ordinal) ? ("/blueprints/charmed-airbyte", p.Role) : p);

    /// <summary>Whether a sample URL (route parameters as "sample") is the route of a pinned URL.</summary>
    private static bool Matches(string sample, string url)
    {
        var (a, b) = (sample.Split('/'), url.Split('/'));
        return a.Length == b.Length && a.Zip(b).All(p => p.First == p.Second || p.First == "sample");
    }

    private static string Normalize(string pattern) => pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex RouteParameter();
}
