using System.Net;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>Every API endpoint needs the bearer token; the OpenAPI document does not.</summary>
public sealed class AuthenticationTests(PortalApiFactory factory) : IClassFixture<PortalApiFactory>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/v1/stacks" },
        { "POST", "/api/v1/stacks" },
        { "GET", "/api/v1/stacks/prod" },
        { "PATCH", "/api/v1/stacks/prod" },
        { "DELETE", "/api/v1/stacks/prod?reason=x" },
        { "GET", "/api/v1/stacks/prod/manifests" },
        { "GET", "/api/v1/stacks/prod/export/juju-bundle" },
        { "GET", "/api/v1/stacks/prod/topology" },
        { "GET", "/api/v1/operations/00000000-0000-0000-0000-000000000001" },
        { "POST", "/api/v1/operations/00000000-0000-0000-0000-000000000001/retry" },
        { "POST", "/api/v1/operations/00000000-0000-0000-0000-000000000001/cancel" },
        { "GET", "/api/v1/blueprints" },
        { "GET", "/api/v1/blueprints/charmed-airbyte" },
        { "GET", "/api/v1/clusters" },
        { "GET", "/api/v1/clusters/test" },
        { "POST", "/api/v1/clusters" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_call_without_a_token_is_refused_with_401_and_a_bearer_challenge(string method, string url)
    {
        var response = await factory.Client(token: null).SendJsonAsync(new HttpMethod(method), url, CreateBody("prod"));

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("bearer token", Detail(problem), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_call_with_a_wrong_token_is_refused_with_401_invalid_token(string method, string url)
    {
        var response = await factory.Client(token: PortalApiFactory.Token + "x").SendJsonAsync(new HttpMethod(method), url, CreateBody("prod"));

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_create_persists_nothing()
    {
        factory.ConnectTestCluster();

        await factory.Client(token: "nope").PostJsonAsync("/api/v1/stacks", CreateBody("unauthorised"));

        await using var context = factory.Database();
        Assert.DoesNotContain(context.Stacks, s => s.Name == "unauthorised");
        Assert.DoesNotContain(context.Audit, a => a.Stack == "unauthorised");
    }

    [Fact]
    public async Task The_OpenAPI_document_is_anonymous_and_lists_every_endpoint()
    {
        var response = await factory.Client(token: null).GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        var document = await JsonAsync(response, HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        foreach (var (path, methods) in new[]
                 {
                     ("/api/v1/stacks", new[] { "get", "post" }),
                     ("/api/v1/stacks/{name}", ["get", "patch", "delete"]),
                     ("/api/v1/stacks/{name}/manifests", ["get"]),
                     ("/api/v1/stacks/{name}/export/{format}", ["get"]),
                     ("/api/v1/stacks/{name}/topology", ["get"]),
                     ("/api/v1/operations/{id}", ["get"]),
                     ("/api/v1/operations/{id}/retry", ["post"]),
                     ("/api/v1/operations/{id}/cancel", ["post"]),
                     ("/api/v1/blueprints", ["get"]),
                     ("/api/v1/blueprints/{name}", ["get"]),
                     ("/api/v1/clusters", ["get", "post"]),
                     ("/api/v1/clusters/{name}", ["get"]),
                 })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"The document has no path {path}.");
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method, out _), $"The document has no {method} on {path}.");
            }
        }

        var create = document.GetProperty("components").GetProperty("schemas").GetProperty("CreateStackBody");
        Assert.Equal(["name", "blueprint", "cluster"], create.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }
}
