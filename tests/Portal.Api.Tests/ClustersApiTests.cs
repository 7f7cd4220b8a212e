using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>Two sandbox clusters for the cluster tests: one whose token may do everything, one whose token may not delete
/// secrets or patch deployments.</summary>
public sealed class SandboxPair : IAsyncLifetime
{
    public SandboxCluster Open { get; private set; } = null!;

    public SandboxCluster Limited { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Open = await SandboxServer.StartAsync(new SandboxOptions { RunControllers = false });
        Limited = await SandboxServer.StartAsync(new SandboxOptions { RunControllers = false, DeniedAccess = ["delete secrets", "patch deployments.apps"] });
    }

    public async ValueTask DisposeAsync()
    {
        await Open.DisposeAsync();
        await Limited.DisposeAsync();
    }
}

/// <summary><c>/api/v1/clusters</c>: testing a kubeconfig, connecting, renaming and removing clusters, and what is audited.</summary>
public sealed class ClustersApiTests : IClassFixture<PortalApiFactory>, IClassFixture<SandboxPair>
{
    /// <summary>A client key that must never show up anywhere (base64 of a PEM-looking text with a marker in it).</summary>
    private const string KeyMarker = "client-KEY-marker-93Hd";

    private static readonly string ClientKeyData = Convert.ToBase64String(Encoding.ASCII.GetBytes($"-----BEGIN PRIVATE KEY-----\n{KeyMarker}\n-----END PRIVATE KEY-----\n"));

    private readonly PortalApiFactory _factory;
    private readonly SandboxPair _sandboxes;
    private readonly HttpClient _client;

    public ClustersApiTests(PortalApiFactory factory, SandboxPair sandboxes)
    {
        _factory = factory;
        _sandboxes = sandboxes;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string[] Secrets => [.. ApiTestData.Secrets, _sandboxes.Open.Token, _sandboxes.Limited.Token, KeyMarker, ClientKeyData];

    [Fact]
    public async Task Testing_a_reachable_kubeconfig_shows_the_version_and_every_permission_allowed_and_saves_nothing()
    {
        var before = await AuditCountAsync();

        var result = await TestAsync(_sandboxes.Open.Kubeconfig("lab-admin"));

        Assert.True(result.GetProperty("reachable").GetBoolean());
        Assert.Equal("v1.31.0", result.GetProperty("serverVersion").GetString());
        Assert.Equal("lab-admin", result.GetProperty("context").GetString());
        Assert.Equal(_sandboxes.Open.BaseUrl.ToString().TrimEnd('/'), result.GetProperty("server").GetString());
        var permissions = result.GetProperty("permissions").EnumerateArray().ToList();
        Assert.Equal(PortalPermissions.Needed.Count, permissions.Count);
        Assert.All(permissions, p => Assert.True(p.GetProperty("allowed").GetBoolean()));
        Assert.Contains(permissions, p => p.GetProperty("verb").GetString() == "patch" && p.GetProperty("resource").GetString() == "deployments" && p.GetProperty("group").GetString() == "apps");
        Assert.Equal(JsonValueKind.Null, result.GetProperty("permissionsMessage").ValueKind);
        Assert.True(result.GetProperty("ready").GetBoolean());
        var context = Assert.Single(result.GetProperty("contexts").EnumerateArray());
        Assert.Equal("lab-admin", context.GetProperty("name").GetString());

        Assert.DoesNotContain("lab-admin", (await ListAsync()).Select(c => c.GetProperty("name").GetString()));
        await using var db = _factory.Database();
        Assert.Equal(before, await db.Audit.CountAsync(Ct));
        Assert.False(await db.Clusters.AnyAsync(c => c.Context == "lab-admin", Ct));
    }

    [Fact]
    public async Task Testing_credentials_that_lack_permissions_names_what_is_missing()
    {
        var result = await TestAsync(_sandboxes.Limited.Kubeconfig("limited"));

        Assert.True(result.GetProperty("reachable").GetBoolean());
        Assert.False(result.GetProperty("ready").GetBoolean());
        var denied = result.GetProperty("permissions").EnumerateArray()
            .Where(p => !p.GetProperty("allowed").GetBoolean())
            .Select(p => $"{p.GetProperty("verb").GetString()} {p.GetProperty("resource").GetString()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(["delete secrets", "patch deployments"], denied);
        var message = result.GetProperty("permissionsMessage").GetString();
        Assert.Contains("lack 2 of the", message, StringComparison.Ordinal);
        Assert.Contains("delete secrets", message, StringComparison.Ordinal);
        Assert.Contains("patch deployments.apps", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Testing_an_unreachable_server_is_an_answer_with_the_reason_not_an_error()
    {
        var result = await TestAsync(_factory.Kubeconfig());

        Assert.False(result.GetProperty("reachable").GetBoolean());
        Assert.Contains("not reachable", result.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(result.GetProperty("permissions").EnumerateArray());
        Assert.False(result.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task Testing_with_a_wrong_token_says_the_cluster_refused_the_credentials()
    {
        var kubeconfig = _sandboxes.Open.Kubeconfig().Replace(_sandboxes.Open.Token, "not-the-token", StringComparison.Ordinal);

        var result = await TestAsync(kubeconfig);

        Assert.False(result.GetProperty("reachable").GetBoolean());
        Assert.Contains("refused the credentials (401 Unauthorized)", result.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadKubeconfigs => new()
    {
        { "", "kubeconfig", "Paste or upload a kubeconfig" },
        { "clusters: [", "kubeconfig", "not valid YAML (line" },
        { "just text", "kubeconfig", "not a kubeconfig" },
        { "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}", "kubeconfig", "is a Deployment, not a kubeconfig" },
        { "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []", "kubeconfig", "has no contexts" },
        { Kubeconfig(contexts: ["a", "b"], current: null), "context", "has 2 contexts and no current-context; choose one of 'a', 'b'" },
        { Kubeconfig(current: "gone"), "context", "current-context 'gone' is not one of its contexts" },
        { Kubeconfig(user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /usr/bin/aws\n      args: [eks, get-token]"), "kubeconfig", "by running 'aws' (an exec plugin); the portal does not run programs" },
        { Kubeconfig(user: "    auth-provider:\n      name: gcp"), "kubeconfig", "uses the 'gcp' auth-provider" },
        { Kubeconfig(user: "    username: admin"), "kubeconfig", "has a user name but no password" },
        { Kubeconfig(user: "    client-key-data: " + ClientKeyData), "kubeconfig", "has a client key but no client certificate" },
        { Kubeconfig(user: "    client-certificate: /home/me/.minikube/client.crt\n    client-key: /home/me/.minikube/client.key"), "kubeconfig", "refers to files on another machine (client-certificate, client-key)" },
        { Kubeconfig(user: "    client-certificate-data: " + ClientKeyData + "\n    client-key-data: " + ClientKeyData), "kubeconfig", "could not be loaded" },
        { Kubeconfig(user: "    {}"), "kubeconfig", "User 'u' has no credentials" },
        { Kubeconfig(server: ""), "kubeconfig", "Cluster 'c' has no server URL" },
        { Kubeconfig(server: "ftp://example.com"), "kubeconfig", "has a server that is not an https:// URL" },
        { Kubeconfig(clusterName: "other"), "kubeconfig", "names cluster 'c', which the kubeconfig does not define" },
    };

    [Theory]
    [MemberData(nameof(BadKubeconfigs))]
    public async Task Testing_or_connecting_a_bad_kubeconfig_explains_the_problem_and_changes_nothing(string kubeconfig, string path, string message)
    {
        var name = $"bad-{Guid.NewGuid():N}"[..20];
        var test = await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters/test", new JsonObject { ["kubeconfig"] = kubeconfig }), HttpStatusCode.BadRequest);
        var connect = await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = name, ["kubeconfig"] = kubeconfig }), HttpStatusCode.BadRequest);

        foreach (var problem in new[] { test, connect })
        {
            Assert.Equal([path], ErrorPaths(problem));
            Assert.Contains(problem.GetProperty("errors").GetProperty(path).EnumerateArray(), e => e.GetString()!.Contains(message, StringComparison.Ordinal));
            AssertNoSecret(problem.GetRawText());
        }

        await using var db = _factory.Database();
        Assert.False(await db.Clusters.AnyAsync(c => c.Name == name, Ct));
        Assert.DoesNotContain(name, _factory.Services.GetRequiredService<IClusterRegistry>().Names);
        var refused = await db.Audit.SingleAsync(a => a.Target == name, Ct);
        Assert.StartsWith("refused: ", refused.Result, StringComparison.Ordinal);
        AssertNoSecret(refused.Result);
    }

    [Fact]
    public async Task Every_problem_of_a_connect_request_is_listed_at_once()
    {
        var kubeconfig = Kubeconfig(server: "", user: "    username: admin\n    client-key-data: " + ClientKeyData);

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = "Bad_Name", ["kubeconfig"] = kubeconfig }), HttpStatusCode.BadRequest);

        Assert.Equal(["kubeconfig", "name"], ErrorPaths(problem));
        var messages = problem.GetProperty("errors").GetProperty("kubeconfig").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains("no server URL", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("no client certificate", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("no password", StringComparison.Ordinal));
        AssertNoSecret(problem.GetRawText());
    }

    [Theory]
    [InlineData("/api/v1/clusters/test", "{\"kubeconfig\": 7, \"name\": \"x\"}", new[] { "kubeconfig", "name" })]
    [InlineData("/api/v1/clusters/test", "{\"kubeconfig\": \"x\", \"context\": [\"a\"]}", new[] { "context" })]
    public async Task A_test_body_with_wrong_fields_lists_each(string url, string body, string[] paths)
    {
        var problem = await ProblemAsync(await _client.PostAsync(url, Json(body), Ct), HttpStatusCode.BadRequest);

        Assert.Equal(paths, ErrorPaths(problem));
    }

    [Fact]
    public async Task An_exec_plugin_in_a_pasted_kubeconfig_is_never_run()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"exec-ran-{Guid.NewGuid():N}");
        var kubeconfig = Kubeconfig(user: $"    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: [\"-c\", \"touch {marker}\"]");

        await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters/test", new JsonObject { ["kubeconfig"] = kubeconfig }), HttpStatusCode.BadRequest);
        await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = "exec", ["kubeconfig"] = kubeconfig }), HttpStatusCode.BadRequest);

        Assert.False(File.Exists(marker), "the portal ran the kubeconfig's exec command");
    }

    [Fact]
    public async Task A_refused_cluster_connect_is_found_by_its_action_and_result()
    {
        await ProblemAsync(await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = "audited", ["kubeconfig"] = "nope: [" }), HttpStatusCode.BadRequest);

        var page = await JsonAsync(await _client.GetAsync("/api/v1/audit?action=connect-cluster&result=refused", Ct), HttpStatusCode.OK);

        var entry = Assert.Single(page.GetProperty("items").EnumerateArray(), e => e.GetProperty("target").GetString() == "audited");
        Assert.Equal("bootstrap-token", entry.GetProperty("actor").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("stack").ValueKind);
        Assert.StartsWith("refused: kubeconfig: The text is not valid YAML", entry.GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connected_clusters_are_listed_with_their_source_reachability_and_stacks()
    {
        await ConnectAsync("listed", _sandboxes.Open.Kubeconfig("listed-ctx"));

        var clusters = (await ListAsync()).ToDictionary(c => c.GetProperty("name").GetString()!);

        var listed = clusters["listed"];
        Assert.True(listed.GetProperty("reachable").GetBoolean());
        Assert.Equal("v1.31.0", listed.GetProperty("serverVersion").GetString());
        Assert.Equal("added", listed.GetProperty("source").GetString());
        Assert.True(listed.GetProperty("managed").GetBoolean());
        Assert.Equal("listed-ctx", listed.GetProperty("context").GetString());
        Assert.Equal("bootstrap-token", listed.GetProperty("addedBy").GetString());
        Assert.Empty(listed.GetProperty("stacks").EnumerateArray());
        var configured = clusters[PortalApiFactory.Cluster];
        Assert.Equal("configuration", configured.GetProperty("source").GetString());
        Assert.False(configured.GetProperty("managed").GetBoolean());
        Assert.False(configured.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Renaming_an_added_cluster_moves_it_and_audits_the_change()
    {
        await ConnectAsync("before", _sandboxes.Open.Kubeconfig());

        var renamed = await JsonAsync(await _client.PatchAsync("/api/v1/clusters/before", new JsonObject { ["name"] = "after" }), HttpStatusCode.OK);

        Assert.Equal("after", renamed.GetProperty("name").GetString());
        Assert.True(renamed.GetProperty("reachable").GetBoolean());
        await ProblemAsync(await _client.GetAsync("/api/v1/clusters/before", Ct), HttpStatusCode.NotFound);
        await using var db = _factory.Database();
        Assert.False(await db.Clusters.AnyAsync(c => c.Name == "before", Ct));
        var record = await db.Clusters.SingleAsync(c => c.Name == "after", Ct);
        Assert.Equal("bootstrap-token", record.CreatedBy);
        var audit = await JsonAsync(await _client.GetAsync("/api/v1/audit?action=rename-cluster", Ct), HttpStatusCode.OK);
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("target").GetString() == "before");
        Assert.Equal("renamed to after", entry.GetProperty("result").GetString());
        Assert.Equal("~ name: before → after", entry.GetProperty("diff").GetString());
    }

    [Fact]
    public async Task A_rename_that_cannot_be_done_is_refused_and_changes_nothing()
    {
        await ConnectAsync("keep", _sandboxes.Open.Kubeconfig());
        await ConnectAsync("taken", _sandboxes.Open.Kubeconfig());

        var unknown = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/nowhere", new JsonObject { ["name"] = "x" }), HttpStatusCode.NotFound);
        var configured = await ProblemAsync(await _client.PatchAsync($"/api/v1/clusters/{PortalApiFactory.Cluster}", new JsonObject { ["name"] = "x" }), HttpStatusCode.Conflict);
        var invalid = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/keep", new JsonObject { ["name"] = "Not_A_Name" }), HttpStatusCode.BadRequest);
        var missing = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/keep", new JsonObject()), HttpStatusCode.BadRequest);
        var same = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/keep", new JsonObject { ["name"] = "keep" }), HttpStatusCode.BadRequest);
        var clash = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/keep", new JsonObject { ["name"] = "taken" }), HttpStatusCode.Conflict);
        var typo = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/keep", new JsonObject { ["nmae"] = "x", ["name"] = 5 }), HttpStatusCode.BadRequest);

        Assert.Contains("nowhere", Detail(unknown), StringComparison.Ordinal);
        Assert.Contains("comes from the portal's configuration", Detail(configured), StringComparison.Ordinal);
        Assert.Equal(["name"], ErrorPaths(invalid));
        Assert.Contains("A name is needed", missing.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("already named keep", same.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("A cluster named taken is already connected", Detail(clash), StringComparison.Ordinal);
        Assert.Equal(["name", "nmae"], ErrorPaths(typo));
        var names = (await ListAsync()).Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("keep", names);
        Assert.Contains("taken", names);
        Assert.Contains(PortalApiFactory.Cluster, names);
        Assert.DoesNotContain("x", names);
    }

    [Fact]
    public async Task A_cluster_with_a_stack_on_it_is_neither_renamed_nor_removed_until_the_stack_is_torn_down()
    {
        await ConnectAsync("busy-lab", _sandboxes.Open.Kubeconfig());
        var body = CreateBody("on-lab");
        body["cluster"] = "busy-lab";
        await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks", body), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync("on-lab");

        var rename = await ProblemAsync(await _client.PatchAsync("/api/v1/clusters/busy-lab", new JsonObject { ["name"] = "renamed-lab" }), HttpStatusCode.Conflict);
        var remove = await ProblemAsync(await _client.DeleteAsync("/api/v1/clusters/busy-lab", Ct), HttpStatusCode.Conflict);
        var listed = await JsonAsync(await _client.GetAsync("/api/v1/clusters/busy-lab", Ct), HttpStatusCode.OK);

        Assert.Contains("stack on-lab lives on it", Detail(rename), StringComparison.Ordinal);
        Assert.Equal("Cluster busy-lab cannot be removed while stack on-lab lives on it; tear them down first.", Detail(remove));
        Assert.Equal(["on-lab"], listed.GetProperty("stacks").EnumerateArray().Select(s => s.GetString()));
        await using (var db = _factory.Database())
        {
            Assert.True(await db.Clusters.AnyAsync(c => c.Name == "busy-lab", Ct));
            Assert.Equal(2, await db.Audit.CountAsync(a => a.Target == "busy-lab" && a.Result.StartsWith("refused"), Ct));
        }

        await JsonAsync(await _client.DeleteAsync("/api/v1/stacks/on-lab?reason=moving%20off%20the%20lab", Ct), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync("on-lab");

        var removed = await _client.DeleteAsync("/api/v1/clusters/busy-lab", Ct);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task Removing_an_added_cluster_forgets_it_and_its_kubeconfig()
    {
        await ConnectAsync("gone", _sandboxes.Open.Kubeconfig());

        var response = await _client.DeleteAsync("/api/v1/clusters/gone", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await ProblemAsync(await _client.GetAsync("/api/v1/clusters/gone", Ct), HttpStatusCode.NotFound);
        Assert.DoesNotContain("gone", _factory.Services.GetRequiredService<IClusterRegistry>().Names);
        await using var db = _factory.Database();
        Assert.False(await db.Clusters.AnyAsync(c => c.Name == "gone", Ct));
        var audit = await db.Audit.SingleAsync(a => a.Action == "remove-cluster" && a.Target == "gone", Ct);
        Assert.Equal("removed", audit.Result);
        Assert.Equal("bootstrap-token", audit.Actor);

        // Connecting the name again works: nothing of the old connection is left.
        await ConnectAsync("gone", _sandboxes.Open.Kubeconfig());
    }

    [Fact]
    public async Task A_kept_cluster_that_cannot_be_connected_is_listed_with_why_and_can_be_removed()
    {
        await using (var db = _factory.Database())
        {
            db.Clusters.Add(new Provisioning.Persistence.ClusterRecord { Name = "stale", CreatedBy = "carol", ProtectedKubeconfig = "not-a-protected-payload" });
            await db.SaveChangesAsync(Ct);
        }

        var stale = await JsonAsync(await _client.GetAsync("/api/v1/clusters/stale", Ct), HttpStatusCode.OK);

        Assert.False(stale.GetProperty("reachable").GetBoolean());
        Assert.Contains("could not connect it when it started", stale.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(await ListAsync(), c => c.GetProperty("name").GetString() == "stale");
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/api/v1/clusters/stale", Ct)).StatusCode);
        await ProblemAsync(await _client.GetAsync("/api/v1/clusters/stale", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Removing_an_unknown_or_configured_cluster_is_refused()
    {
        var unknown = await ProblemAsync(await _client.DeleteAsync("/api/v1/clusters/nowhere", Ct), HttpStatusCode.NotFound);
        var configured = await ProblemAsync(await _client.DeleteAsync($"/api/v1/clusters/{PortalApiFactory.Cluster}", Ct), HttpStatusCode.Conflict);

        Assert.Contains("not connected to a cluster named nowhere", Detail(unknown), StringComparison.Ordinal);
        Assert.Contains("cannot be removed here; change the configuration", Detail(configured), StringComparison.Ordinal);
        Assert.Contains(PortalApiFactory.Cluster, _factory.Services.GetRequiredService<IClusterRegistry>().Names);
    }

    [Fact]
    public async Task No_kubeconfig_secret_reaches_a_response_the_log_or_the_audit_log()
    {
        var responses = new List<string>();
        foreach (var (url, body) in new[]
        {
            ("/api/v1/clusters/test", new JsonObject { ["kubeconfig"] = _sandboxes.Open.Kubeconfig() }),
            ("/api/v1/clusters/test", new JsonObject { ["kubeconfig"] = _sandboxes.Limited.Kubeconfig() }),
            ("/api/v1/clusters", new JsonObject { ["name"] = "secretive", ["kubeconfig"] = _sandboxes.Open.Kubeconfig() }),
            ("/api/v1/clusters", new JsonObject { ["name"] = "secretive", ["kubeconfig"] = _sandboxes.Open.Kubeconfig() }),
            ("/api/v1/clusters", new JsonObject { ["name"] = "keyed", ["kubeconfig"] = Kubeconfig(user: "    client-certificate-data: " + ClientKeyData + "\n    client-key-data: " + ClientKeyData) }),
        })
        {
            responses.Add(await (await _client.PostJsonAsync(url, body)).Content.ReadAsStringAsync(Ct));
        }

        responses.Add(await (await _client.PatchAsync("/api/v1/clusters/secretive", new JsonObject { ["name"] = "secretive-2" })).Content.ReadAsStringAsync(Ct));
        responses.Add(await (await _client.DeleteAsync("/api/v1/clusters/secretive-2", Ct)).Content.ReadAsStringAsync(Ct));
        responses.Add(await _client.GetStringAsync("/api/v1/clusters", Ct));
        responses.Add(await _client.GetStringAsync("/api/v1/audit?pageSize=500", Ct));
        responses.Add(await _client.GetStringAsync("/api/v1/audit/export.csv", Ct));

        Assert.All(responses, AssertNoSecret);
        Assert.All(_factory.Logs, AssertNoSecret);
        await using var db = _factory.Database();
        foreach (var entry in await db.Audit.ToListAsync(Ct))
        {
            AssertNoSecret($"{entry.Target} {entry.Result} {entry.Diff} {entry.Reason}");
        }

        Assert.All(await db.Clusters.Select(c => c.ProtectedKubeconfig).ToListAsync(Ct), AssertNoSecret);
    }

    /// <summary>A one-context kubeconfig with parts to break: the user entry's YAML (indented four spaces), the server, the
    /// name of the cluster entry, several contexts, the current context.</summary>
    private static string Kubeconfig(
        string user = "    token: kube-user-token-Xk29Qa",
        string server = "https://127.0.0.1:6443",
        string clusterName = "c",
        string[]? contexts = null,
        string? current = "ctx")
    {
        var text = new StringBuilder();
        text.Append("apiVersion: v1\nkind: Config\nclusters:\n");
        text.Append($"- name: {clusterName}\n  cluster:\n    server: \"{server}\"\n    insecure-skip-tls-verify: true\n");
        text.Append($"users:\n- name: u\n  user:\n{user}\n");
        text.Append("contexts:\n");
        foreach (var context in contexts ?? ["ctx"])
        {
            text.Append($"- name: {context}\n  context:\n    cluster: c\n    user: u\n");
        }

        if (current is not null)
        {
            text.Append($"current-context: {current}\n");
        }

        return text.ToString();
    }

    private async Task<JsonElement> TestAsync(string kubeconfig)
    {
        var response = await _client.PostJsonAsync("/api/v1/clusters/test", new JsonObject { ["kubeconfig"] = kubeconfig });
        var result = await JsonAsync(response, HttpStatusCode.OK);
        AssertNoSecret(result.GetRawText());
        return result;
    }

    private async Task ConnectAsync(string name, string kubeconfig)
    {
        var response = await _client.PostJsonAsync("/api/v1/clusters", new JsonObject { ["name"] = name, ["kubeconfig"] = kubeconfig });
        var cluster = await JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal(name, cluster.GetProperty("name").GetString());
    }

    private async Task<List<JsonElement>> ListAsync() =>
        (await JsonAsync(await _client.GetAsync("/api/v1/clusters", Ct), HttpStatusCode.OK)).EnumerateArray().ToList();

    private async Task<int> AuditCountAsync()
    {
        await using var db = _factory.Database();
        return await db.Audit.CountAsync(Ct);
    }

    private void AssertNoSecret(string? text)
    {
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text ?? "", StringComparison.Ordinal);
        }
    }
}
