using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>The REST surface through KubernetesClient: CRUD, errors as v1.Status, selectors, paging, subresources.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync(o => o.RunControllers = true);

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    [Fact]
    public async Task A_request_without_the_token_gets_a_401_Status()
    {
        using var http = _sandbox.RawClient(withToken: false);
        var response = await http.GetAsync("/api/v1/namespaces", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("Unauthorized", (string?)status["reason"]);
        Assert.Equal(401, (int?)status["code"]);
    }

    [Fact]
    public async Task Requests_are_counted_in_all_and_per_namespace_they_name()
    {
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "counted" } }, cancellationToken: Ct);
        var before = _sandbox.Cluster.Requests;

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "one" } }, "counted", cancellationToken: Ct);
        await Client.CoreV1.ReadNamespacedConfigMapAsync("one", "counted", cancellationToken: Ct);
        await Client.CoreV1.ReadNamespaceAsync("counted", cancellationToken: Ct);
        await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);

        Assert.Equal(4, _sandbox.Cluster.Requests - before);
        Assert.Equal(3, _sandbox.Cluster.RequestsIn("counted"));
        Assert.Equal(0, _sandbox.Cluster.RequestsIn("elsewhere"));
    }

    [Fact]
    public async Task Discovery_lists_every_group_and_resource()
    {
        var version = await Client.Version.GetCodeAsync(Ct);
        Assert.Equal("1", version.Major);
        var groups = await Client.Apis.GetAPIVersionsAsync(Ct);
        Assert.Contains(groups.Groups, g => g.Name == "apps");
        Assert.Contains(groups.Groups, g => g.Name == "networking.k8s.io");
        var core = await Client.CoreV1.GetAPIResourcesAsync(Ct);
        Assert.Contains(core.Resources, r => r.Name == "pods/log");
        Assert.Contains(core.Resources, r => r.Name == "pods" && r.Namespaced && r.ShortNames.Contains("po"));
        var apps = await Client.AppsV1.GetAPIResourcesAsync(Ct);
        Assert.Contains(apps.Resources, r => r.Name == "deployments/status");
    }

    [Fact]
    public async Task Create_get_update_delete_a_configmap_maintains_metadata()
    {
        var ns = await _sandbox.NamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns, cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(ns, created.Metadata.NamespaceProperty);

        created.Data["b"] = "2";
        var updated = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cfg", ns, cancellationToken: Ct);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);

        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("cfg", ns, cancellationToken: Ct);
        Assert.Equal("2", read.Data["b"]);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cfg", ns, cancellationToken: Ct);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("cfg", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("configmaps \"cfg\" not found", (string?)JsonNode.Parse(missing.Response.Content)!["message"]);
    }

    [Fact]
    public async Task Creating_twice_is_409_AlreadyExists()
    {
        var ns = await _sandbox.NamespaceAsync();
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["k"] = "v" } };
        var created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: Ct);
        Assert.Equal("v", Encoding.UTF8.GetString(created.Data["k"]));
        Assert.Equal("Opaque", created.Type);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal("AlreadyExists", (string?)JsonNode.Parse(error.Response.Content)!["reason"]);
    }

    [Fact]
    public async Task Updating_with_a_stale_resourceVersion_is_409_Conflict()
    {
        var ns = await _sandbox.NamespaceAsync();
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" }, Data = new Dictionary<string, string> { ["v"] = "1" } }, ns, cancellationToken: Ct);
        var stale = await Client.CoreV1.ReadNamespacedConfigMapAsync("c", ns, cancellationToken: Ct);
        first.Data["v"] = "2";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "c", ns, cancellationToken: Ct);
        stale.Data["v"] = "3";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "c", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Conflict", (string?)status["reason"]);
        Assert.Contains("the object has been modified", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_object_is_422_with_causes()
    {
        var ns = await _sandbox.NamespaceAsync();
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "Not_Valid" } }, ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal("metadata.name", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Theory]
    [InlineData("portal.airbyte.io/relation", "airbyte:db--postgresql:database")]
    [InlineData("portal.airbyte.io/relation", "-starts-with-a-dash")]
    [InlineData("bad key with spaces", "value")]
    public async Task A_label_a_real_server_refuses_is_422(string key, string value)
    {
        var ns = await _sandbox.NamespaceAsync();
        var labels = new Dictionary<string, string> { [key] = value };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "labelled", Labels = labels } }, ns, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("metadata.labels", (string?)JsonNode.Parse(error.Response.Content)!["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task Valid_labels_are_accepted()
    {
        var ns = await _sandbox.NamespaceAsync();
        var labels = new Dictionary<string, string> { ["portal.airbyte.io/relation"] = "airbyte.db--postgresql.database", ["app.kubernetes.io/name"] = "airbyte", ["empty"] = "" };

        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "labelled", Labels = labels } }, ns, cancellationToken: Ct);

        Assert.Equal("airbyte.db--postgresql.database", created.Metadata.Labels["portal.airbyte.io/relation"]);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_404()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "nowhere", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", (string?)JsonNode.Parse(error.Response.Content)!["message"]);
    }

    [Theory]
    [InlineData("app=web", new[] { "a", "b" })]
    [InlineData("app==web,tier=front", new[] { "a" })]
    [InlineData("app!=web", new[] { "c", "d" })]
    [InlineData("tier in (front,back)", new[] { "a", "b", "c" })]
    [InlineData("tier notin (front)", new[] { "b", "c", "d" })]
    [InlineData("tier", new[] { "a", "b", "c" })]
    [InlineData("!tier", new[] { "d" })]
    [InlineData("app=web,tier notin (back)", new[] { "a" })]
    public async Task List_filters_by_label_selector(string selector, string[] expected)
    {
        var ns = await _sandbox.NamespaceAsync();
        await Seed(ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: Ct);
        Assert.Equal(expected, list.Items.Select(i => i.Metadata.Name).Where(n => n.Length == 1).Order());
    }

    [Theory]
    [InlineData("metadata.name=b", new[] { "b" })]
    [InlineData("metadata.name!=b", new[] { "a", "c", "d" })]
    public async Task List_filters_by_field_selector(string selector, string[] expected)
    {
        var ns = await _sandbox.NamespaceAsync();
        await Seed(ns);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: selector, cancellationToken: Ct);
        Assert.Equal(expected, list.Items.Select(i => i.Metadata.Name).Where(n => n.Length == 1).Order());
    }

    [Fact]
    public async Task Field_selector_on_namespace_works_across_namespaces()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Seed(ns);
        var list = await Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns}", cancellationToken: Ct);
        Assert.Equal(4, list.Items.Count);
        Assert.All(list.Items, i => Assert.Equal(ns, i.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue()
    {
        var ns = await _sandbox.NamespaceAsync();
        for (var i = 0; i < 7; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"item-{i}" } }, ns, cancellationToken: Ct);
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, continueParameter: token, cancellationToken: Ct);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
            if (token is not null)
            {
                Assert.True(page.Metadata.RemainingItemCount > 0);
            }
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"item-{i}"), names);
    }

    [Fact]
    public async Task An_expired_continue_token_is_410()
    {
        await using var small = await SandboxHarness.StartAsync(o => o.WatchHistorySize = 16);
        var ns = await small.NamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await small.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"c{i}" } }, ns, cancellationToken: Ct);
        }

        var page = await small.Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, cancellationToken: Ct);
        for (var i = 0; i < 40; i++)
        {
            await small.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"x{i}" } }, ns, cancellationToken: Ct);
        }

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => small.Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: page.Metadata.ContinueProperty, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Gone, error.Response.StatusCode);
        Assert.Equal("Expired", (string?)JsonNode.Parse(error.Response.Content)!["reason"]);
    }

    [Fact]
    public async Task Status_subresource_is_separate_from_the_main_resource()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 0), ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        Assert.Equal(1, deployment.Metadata.Generation);

        // Status written through the main resource is ignored…
        deployment.Status = new V1DeploymentStatus { Replicas = 42 };
        deployment.Spec.Replicas = 0;
        var viaMain = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", ns, cancellationToken: Ct);
        Assert.NotEqual(42, viaMain.Status?.Replicas);
        Assert.Equal(1, viaMain.Metadata.Generation);

        // …while a spec change bumps generation and a status patch does not.
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":2}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(2, patched.Metadata.Generation);
        await _sandbox.SettleAsync();
        var status = await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("{\"status\":{\"collisionCount\":7}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(7, status.Status.CollisionCount);
        Assert.Equal(2, status.Metadata.Generation);
        Assert.Equal(2, status.Spec.Replicas);
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_replicas()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: Ct);
        var scale = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns, cancellationToken: Ct);
        Assert.Equal(1, scale.Spec.Replicas);
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(4, (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct)).Spec.Replicas);
    }

    [Fact]
    public async Task Generate_name_gives_a_unique_name()
    {
        var ns = await _sandbox.NamespaceAsync();
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } }, ns, cancellationToken: Ct);
        var b = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } }, ns, cancellationToken: Ct);
        Assert.StartsWith("gen-", a.Metadata.Name, StringComparison.Ordinal);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Delete_collection_removes_only_selected_objects()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Seed(ns);
        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "app=web", cancellationToken: Ct);
        var left = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
        Assert.Equal(["c", "d"], left.Items.Select(i => i.Metadata.Name).Order());
    }

    [Fact]
    public async Task Finalizers_hold_a_deletion_until_removed()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] } }, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", ns, cancellationToken: Ct);
        var marked = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns, cancellationToken: Ct);
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", ns, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    /// <summary>Every resource the sandbox serves takes a create, get, list, patch and delete through the generic client.</summary>
    [Theory]
    [MemberData(nameof(Manifests.AllKinds), MemberType = typeof(Manifests))]
    public async Task Every_resource_type_supports_crud(string group, string version, string plural, bool namespaced, string body)
    {
        var ns = namespaced ? await _sandbox.NamespaceAsync() : "";
        using var http = _sandbox.RawClient();
        var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        var collection = namespaced ? $"{prefix}/namespaces/{ns}/{plural}" : $"{prefix}/{plural}";
        var created = await http.PostAsync(collection, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var name = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["metadata"]!["name"]!;
        var list = JsonNode.Parse(await http.GetStringAsync(collection, Ct))!;
        Assert.Contains(list["items"]!.AsArray(), i => (string?)i!["metadata"]!["name"] == name);
        var patch = new StringContent("{\"metadata\":{\"labels\":{\"patched\":\"yes\"}}}", Encoding.UTF8, "application/merge-patch+json");
        var patched = await http.PatchAsync($"{collection}/{name}", patch, Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var read = JsonNode.Parse(await http.GetStringAsync($"{collection}/{name}", Ct))!;
        Assert.Equal("yes", (string?)read["metadata"]!["labels"]!["patched"]);
        var deleted = await http.DeleteAsync($"{collection}/{name}?gracePeriodSeconds=0", Ct);
        Assert.True(deleted.IsSuccessStatusCode);
        await _sandbox.SettleAsync();
        var gone = await http.GetAsync($"{collection}/{name}", Ct);
        if (plural != "namespaces")
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    private async Task Seed(string ns)
    {
        (string Name, Dictionary<string, string> Labels)[] items =
        [
            ("a", new() { ["app"] = "web", ["tier"] = "front" }),
            ("b", new() { ["app"] = "web", ["tier"] = "back" }),
            ("c", new() { ["app"] = "db", ["tier"] = "back" }),
            ("d", new() { ["app"] = "db" }),
        ];
        foreach (var (name, labels) in items)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels } }, ns, cancellationToken: Ct);
        }
    }
}
