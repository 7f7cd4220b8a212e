using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary><c>GET /api/v1/stacks/{name}/topology</c>: the live status of a stack's components and relations.</summary>
public sealed class TopologyApiTests : IClassFixture<PortalApiFactory>, IAsyncLifetime
{
    private const string LiveCluster = "live-sandbox";

    private static readonly string[] ComponentWords = ["active", "maintenance", "waiting", "unknown", "blocked", "error"];
    private static readonly string[] RelationWords = ["healthy", "pending", "broken", "unknown"];
    private static readonly string[] HealthWords = ["healthy", "suspended", "progressing", "missing", "degraded", "unknown"];

    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;
    private SandboxCluster? _sandbox;

    public TopologyApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 3 }, Ct);
        var connected = _factory.Services.GetRequiredService<IClusterRegistry>().Connect(LiveCluster, _sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
    }

    public async ValueTask DisposeAsync()
    {
        _factory.Services.GetRequiredService<IClusterRegistry>().Disconnect(LiveCluster);
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unknown_stack_is_404_with_a_problem()
    {
        var response = await _client.GetAsync("/api/v1/stacks/no-such-stack/topology", Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("There is no stack named no-such-stack.", Detail(problem));
    }

    [Fact]
    public async Task After_a_deploy_every_component_is_a_node_and_every_relation_an_edge_with_the_status_the_cluster_shows()
    {
        var body = CreateBody("topo");
        body["cluster"] = LiveCluster;
        await JsonAsync(await _client.PostAsync("/api/v1/stacks", Json(body), Ct), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync("topo");

        // The steps were only marked done: the portal believes airbyte is deployed, and the cluster has none of its objects.
        // While the watch re-lists (a watch the sandbox ends, a slow machine) the cache is not synced and every status is unknown
        // although the objects still read missing: wait for an answer read from a synced cache.
        var topology = await TopologyWhenAsync("topo",
            t => t.GetProperty("reachable").GetBoolean() && Node(t, "airbyte").GetProperty("health").GetString() == "missing");

        Assert.Equal("topo", topology.GetProperty("stack").GetString());
        Assert.True(topology.GetProperty("reachable").GetBoolean(), topology.GetProperty("message").GetString());
        Assert.Equal(LiveCluster, topology.GetProperty("cluster").GetString());
        Assert.Equal("error", topology.GetProperty("stackStatus").GetString());
        Assert.StartsWith("10 components: ", topology.GetProperty("message").GetString(), StringComparison.Ordinal);

        var nodes = topology.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(
            ["airbyte", "airbyte-webhooks", "ingress", "ingress-webhooks", "lego", "minio", "oauth2-proxy", "postgresql", "temporal", "temporal-admin"],
            nodes.Select(n => n.GetProperty("component").GetString()).Order());
        Assert.All(nodes, n =>
        {
            Assert.Contains(n.GetProperty("status").GetString(), ComponentWords);
            Assert.Contains(n.GetProperty("health").GetString(), HealthWords);
        });

        var airbyte = Node(topology, "airbyte");
        Assert.Equal("airbyte", airbyte.GetProperty("kind").GetString());
        Assert.Equal("error", airbyte.GetProperty("status").GetString());
        Assert.Contains("is missing", airbyte.GetProperty("message").GetString(), StringComparison.Ordinal);

        var edges = topology.GetProperty("edges").EnumerateArray().ToList();
        Assert.Equal(12, edges.Count);
        Assert.All(edges, e => Assert.Contains(e.GetProperty("status").GetString(), RelationWords));
        var upstream = edges.Single(e => e.GetProperty("requirer").GetString() == "oauth2-proxy:upstream");
        Assert.Equal("airbyte:upstream", upstream.GetProperty("provider").GetString());
        Assert.Equal("http-upstream", upstream.GetProperty("interface").GetString());
        // The portal wired it once, and what it serves through is gone: it will not fix itself.
        Assert.Equal("broken", upstream.GetProperty("status").GetString());
        Assert.Contains("airbyte", upstream.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stack_on_a_cluster_that_does_not_answer_is_unknown_everywhere_and_says_why()
    {
        await JsonAsync(await _client.PostAsync("/api/v1/stacks", Json(CreateBody("far-away")), Ct), HttpStatusCode.Accepted);

        var topology = await TopologyWhenAsync("far-away",
            t => Node(t, "airbyte").GetProperty("message").GetString()!.Contains("not reachable", StringComparison.Ordinal));

        Assert.False(topology.GetProperty("reachable").GetBoolean());
        Assert.Equal("unknown", topology.GetProperty("stackStatus").GetString());
        Assert.All(topology.GetProperty("nodes").EnumerateArray(), n =>
        {
            Assert.Equal("unknown", n.GetProperty("status").GetString());
            Assert.StartsWith($"cluster {PortalApiFactory.Cluster} is not reachable: ", n.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
        Assert.All(topology.GetProperty("edges").EnumerateArray(), e => Assert.Equal("unknown", e.GetProperty("status").GetString()));
    }

    private static JsonElement Node(JsonElement topology, string component) =>
        topology.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("component").GetString() == component);

    /// <summary>Asks for the topology until it satisfies <paramref name="condition"/>: the live state reads new stacks and
    /// operations within a second or two (and answers 503 with Retry-After until it has read a new stack).</summary>
    private async Task<JsonElement> TopologyWhenAsync(string stack, Func<JsonElement, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var last = "";
        while (true)
        {
            var response = await _client.GetAsync($"/api/v1/stacks/{stack}/topology", timeout.Token);
            last = await BodyAsync(response);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("1", response.Headers.RetryAfter?.ToString());
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {last}");
                var topology = JsonDocument.Parse(last).RootElement.Clone();
                if (condition(topology))
                {
                    return topology;
                }
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The topology of {stack} never satisfied the condition; last answer: {last}");
            }
        }
    }
}
