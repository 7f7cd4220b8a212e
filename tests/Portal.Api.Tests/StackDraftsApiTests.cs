using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>The deploy wizard's endpoints: <c>/api/v1/stacks/validate</c>, <c>/preview</c> and <c>/preflight</c> take the body
/// of <c>POST /api/v1/stacks</c>, save nothing and never answer with a secret value.</summary>
public sealed class StackDraftsApiTests : IClassFixture<PortalApiFactory>
{
    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public StackDraftsApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Validate_ValidDraft_Returns200WithThePlanSummaryAndSavesNothing()
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks/validate", CreateBody("wizard"));

        var body = await JsonAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("Deploy wizard into namespace wizard in ", body.GetProperty("summary").GetString(), StringComparison.Ordinal);
        await AssertNothingSavedAsync("wizard");
    }

    [Theory]
    [InlineData("/api/v1/stacks/validate")]
    [InlineData("/api/v1/stacks/preview")]
    [InlineData("/api/v1/stacks/preflight")]
    public async Task Draft_InvalidDraft_Returns400ListingEveryErrorAndSavesNothing(string url)
    {
        var body = CreateBody("broken");
        body["cluster"] = "nowhere";
        body["config"]!["airbyte"]!["external-hostname"] = "not a hostname";
        body["config"]!["lego"]!["email"] = "nobody";

        var response = await _client.PostJsonAsync(url, body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var paths = ErrorPaths(problem);
        Assert.Contains("cluster", paths);
        Assert.Contains(paths, p => p.Contains("external-hostname", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Contains("email", StringComparison.Ordinal));
        await AssertNothingSavedAsync("broken");
    }

    [Fact]
    public async Task Draft_UnknownField_Returns400LikeCreate()
    {
        var body = CreateBody("typo");
        body["namespaec"] = "x";

        var response = await _client.PostJsonAsync("/api/v1/stacks/validate", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("namespaec", ErrorPaths(problem));
    }

    [Fact]
    public async Task Validate_NameOfAnExistingStack_Returns400OnTheNameField()
    {
        await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks", CreateBody("existing")), HttpStatusCode.Accepted);

        var response = await _client.PostJsonAsync("/api/v1/stacks/validate", CreateBody("existing"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["name"], ErrorPaths(problem));
    }

    [Fact]
    public async Task Preview_ValidDraft_Returns200WithStepsInOrderAndRedactedObjects()
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks/preview", CreateBody("preview"));

        var body = await JsonAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("Deploy preview into namespace preview", body.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var steps = body.GetProperty("steps").EnumerateArray().ToList();
        Assert.True(steps.Count > 10, $"expected the whole plan, got {steps.Count} steps");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            Assert.All(step.GetProperty("dependsOn").EnumerateArray(), d => Assert.Contains(d.GetString()!, seen));
            seen.Add(step.GetProperty("key").GetString()!);
        }

        var objects = body.GetProperty("objects").EnumerateArray().ToList();
        Assert.Contains(objects, o => o.GetProperty("kind").GetString() == "Ingress" && o.GetProperty("yaml").GetString()!.Contains("preview.example.com", StringComparison.Ordinal));
        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.GetProperty("yaml").GetString())));
        await AssertNothingSavedAsync("preview");
    }

    [Fact]
    public async Task Preflight_ClusterNobodyAnswers_Returns503AndSavesNothing()
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks/preflight", CreateBody("unreachable"));

        var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains($"Cluster {PortalApiFactory.Cluster}", Detail(problem), StringComparison.Ordinal);
        await AssertNothingSavedAsync("unreachable");
    }

    [Fact]
    public async Task Preflight_ReachableCluster_Returns200WithEveryCheckAndNoSecret()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 3 }, Ct);
        var connected = _factory.Services.GetRequiredService<IClusterRegistry>().Connect("preflight-sandbox", sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
        var body = CreateBody("checked");
        body["cluster"] = "preflight-sandbox";
        body["config"]!["postgresql"]!["host"] = "127.0.0.1";
        body["config"]!["postgresql"]!["port"] = 1;
        body["config"]!["lego"]!["issuer"] = "acme";
        body["config"]!["lego"]!["server"] = "https://127.0.0.1:1/directory";

        var response = await _client.PostJsonAsync("/api/v1/stacks/preflight", body);

        var report = await JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("preflight-sandbox", report.GetProperty("cluster").GetString());
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("outcome").GetString());
        Assert.Equal(["namespace", "dry-run", "ingress-class", "storage-class", "quota", "database-admin", "acme-directory", "hostnames"], checks.Keys);
        Assert.Equal("Pass", checks["dry-run"]);
        Assert.Equal("Fail", checks["database-admin"]);
        Assert.False(report.GetProperty("canDeploy").GetBoolean());
        await AssertNothingSavedAsync("checked");
    }

    private async Task AssertNothingSavedAsync(string name)
    {
        await using var context = _factory.Database();
        Assert.False(await context.Stacks.AnyAsync(s => s.Name == name, Ct));
        Assert.False(await context.Audit.AnyAsync(a => a.Stack == name, Ct));
        Assert.DoesNotContain(_factory.Secrets.Stored, s => s.Name == name);
    }
}
