using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>Merge, strategic merge and JSON patches, and server-side apply with field ownership.</summary>
public sealed class PatchTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync(o => o.RunControllers = false);

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    private static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    private static string ConfigMapApply(string name, string data) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{" + data + "}}";

    [Fact]
    public async Task Merge_patch_merges_maps_and_null_deletes()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" }, Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } }, ns, cancellationToken: Ct);
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"b\":null,\"c\":\"3\"}}", V1Patch.PatchType.MergePatch), "c", ns, cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, patched.Data);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_env_and_ports_by_key()
    {
        var ns = await _sandbox.NamespaceAsync();
        var deployment = Manifests.Deployment("web", 1);
        deployment.Spec.Template.Spec.Containers[0].Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "B", Value = "2" }];
        deployment.Spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "busybox:1" });
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Ct);
        const string patch = """
            {"spec":{"template":{"spec":{"containers":[
              {"name":"main","image":"nginx:1.26","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}],"ports":[{"containerPort":9090}]},
              {"name":"sidecar","$patch":"delete"}]}}}}
            """;
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        var container = Assert.Single(patched.Spec.Template.Spec.Containers);
        Assert.Equal("nginx:1.26", container.Image);
        Assert.Equal(["A=1", "B=20", "C=3"], container.Env.Select(e => $"{e.Name}={e.Value}"));
        Assert.Equal([8080, 9090], container.Ports.Select(p => p.ContainerPort));
        Assert.NotNull(container.ReadinessProbe);
    }

    [Fact]
    public async Task Strategic_merge_patch_honours_kubectl_directives()
    {
        var ns = await _sandbox.NamespaceAsync();
        var deployment = Manifests.Deployment("web", 1);
        deployment.Spec.Template.Spec.Containers[0].Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "B", Value = "2" }];
        deployment.Metadata.Finalizers = ["x/one", "x/two"];
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Ct);
        const string patch = """
            {"metadata":{"$deleteFromPrimitiveList/finalizers":["x/one"]},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[
              {"name":"main","$setElementOrder/env":[{"name":"B"},{"name":"A"}]}]}}}}
            """;
        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(["x/two"], patched.Metadata.Finalizers);
        Assert.Equal(["B", "A"], patched.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_a_failed_test_rejects_all()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns, cancellationToken: Ct);
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"add","path":"/data/b","value":"2"},{"op":"replace","path":"/data/a","value":"10"}]""", V1Patch.PatchType.JsonPatch), "c", ns, cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "10", ["b"] = "2" }, patched.Data);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"remove","path":"/data/a"},{"op":"test","path":"/data/b","value":"nope"}]""", V1Patch.PatchType.JsonPatch), "c", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("10", (await Client.CoreV1.ReadNamespacedConfigMapAsync("c", ns, cancellationToken: Ct)).Data["a"]);
    }

    [Fact]
    public async Task Apply_creates_then_reapplying_the_same_config_changes_nothing()
    {
        var ns = await _sandbox.NamespaceAsync();
        var created = await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\"")), "c", ns, fieldManager: "portal", force: true, cancellationToken: Ct);
        Assert.Equal("1", created.Data["a"]);
        var entry = Assert.Single(created.Metadata.ManagedFields);
        Assert.Equal(("portal", "Apply"), (entry.Manager, entry.Operation));
        var again = await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\"")), "c", ns, fieldManager: "portal", force: true, cancellationToken: Ct);
        Assert.Equal(created.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Apply_conflicts_with_another_manager_unless_forced()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\",\"b\":\"1\"")), "c", ns, fieldManager: "first", cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"2\"")), "c", ns, fieldManager: "second", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Conflict", (string?)status["reason"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", (string?)cause["reason"]);
        Assert.Equal(".data.a", (string?)cause["field"]);
        Assert.Contains("conflict with \"first\"", (string?)cause["message"], StringComparison.Ordinal);

        // Same value is shared ownership, not a conflict.
        await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"b\":\"1\"")), "c", ns, fieldManager: "second", cancellationToken: Ct);

        var forced = await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"2\"")), "c", ns, fieldManager: "second", force: true, cancellationToken: Ct);
        Assert.Equal("2", forced.Data["a"]);
        var first = forced.Metadata.ManagedFields.Single(m => m.Manager == "first");
        Assert.DoesNotContain("f:a", first.FieldsV1.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fields_a_manager_stops_applying_are_removed_unless_someone_else_owns_them()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\",\"b\":\"2\",\"shared\":\"s\"")), "c", ns, fieldManager: "portal", cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"shared\":\"s\"")), "c", ns, fieldManager: "other", cancellationToken: Ct);
        var result = await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\"")), "c", ns, fieldManager: "portal", cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["shared"] = "s" }, result.Data);
    }

    [Fact]
    public async Task An_update_takes_ownership_so_the_next_apply_conflicts()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\"")), "c", ns, fieldManager: "portal", cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":\"edited\"}}", V1Patch.PatchType.MergePatch), "c", ns, fieldManager: "kubectl-edit", cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMapApply("c", "\"a\":\"1\"")), "c", ns, fieldManager: "portal", cancellationToken: Ct));
        Assert.Contains("kubectl-edit", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_merges_list_items_by_key_across_managers()
    {
        var ns = await _sandbox.NamespaceAsync();
        const string first = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"nginx:1","env":[{"name":"A","value":"1"}]}]}}}}""";
        const string second = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"B","value":"2"}]}]}}}}""";
        await Client.AppsV1.PatchNamespacedDeploymentAsync(Apply(first), "web", ns, fieldManager: "portal", cancellationToken: Ct);
        var result = await Client.AppsV1.PatchNamespacedDeploymentAsync(Apply(second), "web", ns, fieldManager: "sidecar-injector", cancellationToken: Ct);
        Assert.Equal(["A", "B"], result.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
        Assert.Equal("nginx:1", result.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Apply_accepts_a_yaml_body()
    {
        var ns = await _sandbox.NamespaceAsync();
        using var http = _sandbox.RawClient();
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  port: \"8080\"\n  enabled: \"true\"\n";
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/y?fieldManager=curl", new StringContent(yaml, System.Text.Encoding.UTF8, "application/apply-patch+yaml"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var map = await Client.CoreV1.ReadNamespacedConfigMapAsync("y", ns, cancellationToken: Ct);
        Assert.Equal("8080", map.Data["port"]);
    }

    [Fact]
    public async Task Apply_without_a_field_manager_is_rejected()
    {
        var ns = await _sandbox.NamespaceAsync();
        using var http = _sandbox.RawClient();
        http.DefaultRequestHeaders.UserAgent.Clear();
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/c", new StringContent(ConfigMapApply("c", "\"a\":\"1\""), System.Text.Encoding.UTF8, "application/apply-patch+yaml"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
