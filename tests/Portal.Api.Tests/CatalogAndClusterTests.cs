using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary><c>/api/v1/blueprints</c> and <c>/api/v1/clusters</c>.</summary>
public sealed class CatalogAndClusterTests(PortalApiFactory factory) : IClassFixture<PortalApiFactory>
{
    private readonly HttpClient _client = factory.Client();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Blueprint_lists_components_with_kinds_and_endpoints_and_relations_as_strings()
    {
        var blueprint = await JsonAsync(await _client.GetAsync("/api/v1/blueprints/charmed-airbyte", Ct), HttpStatusCode.OK);

        var components = blueprint.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(10, components.Count);
        Assert.Equal("nginx-ingress", components["ingress-webhooks"].GetProperty("kind").GetString());
        Assert.Contains(components["airbyte"].GetProperty("endpoints").EnumerateArray(), e =>
            e.GetProperty("name").GetString() == "db" && e.GetProperty("interface").GetString() == "postgresql_client" && e.GetProperty("role").GetString() == "Requires");
        Assert.Contains(blueprint.GetProperty("relations").EnumerateArray(), r =>
            r.GetProperty("requirer").GetString() == "airbyte:db"
            && r.GetProperty("provider").GetString() == "postgresql:database"
            && r.GetProperty("interface").GetString() == "postgresql_client");

        var list = await JsonAsync(await _client.GetAsync("/api/v1/blueprints", Ct), HttpStatusCode.OK);
        Assert.Equal(["charmed-airbyte"], list.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task An_unknown_blueprint_answers_404_naming_the_known_ones()
    {
        var problem = await ProblemAsync(await _client.GetAsync("/api/v1/blueprints/airflow", Ct), HttpStatusCode.NotFound);

        Assert.Contains("charmed-airbyte", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_a_cluster_stores_the_kubeconfig_encrypted_and_reports_it_unreachable()
    {
        var response = await _client.PostJsonAsync("/api/v1/clusters", new JsonObject
        {
            ["name"] = "lab",
            ["kubeconfig"] = factory.Kubeconfig("lab-context"),
            ["context"] = "lab-context",
        });

        var cluster = await JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal("/api/v1/clusters/lab", response.Headers.Location?.ToString());
        Assert.Equal("lab", cluster.GetProperty("name").GetString());
        Assert.False(cluster.GetProperty("reachable").GetBoolean());
        Assert.Contains("not reachable", cluster.GetProperty("message").GetString(), StringComparison.Ordinal);

        var listed = await JsonAsync(await _client.GetAsync("/api/v1/clusters", Ct), HttpStatusCode.OK);
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("name").GetString() == "lab" && !c.GetProperty("reachable").GetBoolean());
        var one = await JsonAsync(await _client.GetAsync("/api/v1/clusters/lab", Ct), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, one.GetProperty("serverVersion").ValueKind);

        await using var context = factory.Database();
        var record = await context.Clusters.SingleAsync(c => c.Name == "lab", Ct);
        Assert.Equal("lab-context", record.Context);
        Assert.NotNull(record.ProtectedKubeconfig);
        Assert.DoesNotContain(PortalApiFactory.KubeToken, record.ProtectedKubeconfig, StringComparison.Ordinal);
        Assert.DoesNotContain("apiVersion", record.ProtectedKubeconfig, StringComparison.Ordinal);
        var audit = await context.Audit.SingleAsync(a => a.Action == "connect-cluster" && a.Target == "lab", Ct);
        Assert.Equal("bootstrap-token", audit.Actor);
    }

    public static TheoryData<string, string[]> BadClusters => new()
    {
        { "{\"name\": \"Lab_1\", \"kubeconfig\": \"\"}", ["kubeconfig", "name"] },
        { "{\"name\": \"lab2\", \"kubeconfig\": \"not: [yaml\"}", ["kubeconfig"] },
        { "{\"name\": \"lab3\", \"kubeconfig\": 7}", ["kubeconfig"] },
        { "{\"kubeconfig\": \"x\", \"server\": \"https://x\"}", ["server"] },
    };

    [Theory]
    [MemberData(nameof(BadClusters))]
    public async Task Connecting_with_bad_input_lists_every_problem_and_connects_nothing(string raw, string[] paths)
    {
        var response = await _client.PostAsync("/api/v1/clusters", Json(raw), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(paths, ErrorPaths(problem));
        await using var context = factory.Database();
        Assert.False(await context.Clusters.AnyAsync(c => c.Name != "lab", Ct));
    }

    [Fact]
    public async Task Connecting_with_an_unknown_context_names_the_contexts_and_never_echoes_the_kubeconfig()
    {
        var response = await _client.PostJsonAsync("/api/v1/clusters", new JsonObject
        {
            ["name"] = "ctx",
            ["kubeconfig"] = factory.Kubeconfig(),
            ["context"] = "prod",
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'test'", problem.GetProperty("errors").GetProperty("context")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_a_name_already_connected_is_refused_with_409()
    {
        factory.ConnectTestCluster();

        var response = await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = "test", ["kubeconfig"] = factory.Kubeconfig() });

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("already connected", Detail(problem), StringComparison.Ordinal);
        await using var context = factory.Database();
        Assert.False(await context.Clusters.AnyAsync(c => c.Name == "test", Ct));
    }

    [Fact]
    public async Task An_unknown_cluster_answers_404()
    {
        var problem = await ProblemAsync(await _client.GetAsync("/api/v1/clusters/nowhere", Ct), HttpStatusCode.NotFound);

        Assert.Contains("nowhere", Detail(problem), StringComparison.Ordinal);
    }
}
