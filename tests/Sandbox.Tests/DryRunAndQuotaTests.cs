using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>What a portal preflight asks of a cluster: server-side dry runs, ResourceQuota status, the ingress class the
/// simulated controller serves.</summary>
public sealed class DryRunAndQuotaTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync(o => o.RunControllers = true);

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    [Fact]
    public async Task A_dry_run_create_returns_the_admitted_object_and_persists_nothing_and_notifies_no_watcher()
    {
        var ns = await _sandbox.NamespaceAsync();
        var before = await ResourceVersionAsync(ns);

        var service = await Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } },
            ns, dryRun: "All", cancellationToken: Ct);
        await _sandbox.SettleAsync();

        Assert.Equal("web", service.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(service.Spec.ClusterIP), "admission defaulted the clusterIP");
        Assert.Equal("ClusterIP", service.Spec.Type);
        var read = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedServiceAsync("web", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, read.Response.StatusCode);
        Assert.Equal(before, await ResourceVersionAsync(ns));
    }

    [Fact]
    public async Task A_dry_run_server_side_apply_of_a_new_and_of_an_existing_object_changes_nothing()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        var before = await ResourceVersionAsync(ns);

        var created = await ApplyAsync(ns, "fresh", "x", dryRun: true);
        var merged = await ApplyAsync(ns, "kept", "2", dryRun: true);
        await _sandbox.SettleAsync();

        Assert.Equal("x", created.Data["a"]);
        Assert.Equal("2", merged.Data["a"]);
        Assert.Equal("1", (await Client.CoreV1.ReadNamespacedConfigMapAsync("kept", ns, cancellationToken: Ct)).Data["a"]);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("fresh", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal(before, await ResourceVersionAsync(ns));
    }

    [Fact]
    public async Task A_dry_run_still_validates_and_refuses_what_a_real_write_would_refuse()
    {
        var ns = await _sandbox.NamespaceAsync();
        using var http = _sandbox.RawClient();
        var invalid = """{"metadata":{"name":"Not_A_Name"},"data":{"a":"b"}}""";

        var refused = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps?dryRun=All", new StringContent(invalid, Encoding.UTF8, "application/json"), Ct);
        var inMissingNamespace = await http.PostAsync(
            "/api/v1/namespaces/not-there/configmaps?dryRun=All", new StringContent("""{"metadata":{"name":"x"}}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("Invalid", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["reason"]);
        Assert.Equal(HttpStatusCode.NotFound, inMissingNamespace.StatusCode);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("Server")]
    public async Task A_dry_run_value_other_than_All_is_refused_with_400(string value)
    {
        var ns = await _sandbox.NamespaceAsync();
        using var http = _sandbox.RawClient();

        var response = await http.PostAsync(
            $"/api/v1/namespaces/{ns}/configmaps?dryRun={value}", new StringContent("""{"metadata":{"name":"x"}}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("supported values: \\\"All\\\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("x", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task A_resource_quota_reports_hard_from_its_spec_and_used_from_the_namespace_s_pods_and_claims()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            Spec = new V1ResourceQuotaSpec
            {
                Hard = new Dictionary<string, ResourceQuantity>
                {
                    ["pods"] = new("10"), ["requests.cpu"] = new("4"), ["requests.memory"] = new("8Gi"), ["limits.memory"] = new("16Gi"),
                    ["requests.storage"] = new("100Gi"), ["persistentvolumeclaims"] = new("5"), ["services"] = new("3"),
                },
            },
        }, ns, cancellationToken: Ct);
        var deployment = Manifests.Deployment("web", 2);
        deployment.Spec.Template.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("512Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") },
        };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("8Gi") } },
            },
        }, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(30));

        var quota = await Client.CoreV1.ReadNamespacedResourceQuotaAsync("team", ns, cancellationToken: Ct);

        Assert.Equal(quota.Spec.Hard.Keys.Order(), quota.Status.Hard.Keys.Order());
        Assert.Equal("10", quota.Status.Hard["pods"].ToString());
        var used = quota.Status.Used.ToDictionary(p => p.Key, p => p.Value.ToString());
        Assert.Equal("2", used["pods"]);
        Assert.Equal("500m", used["requests.cpu"]);
        Assert.Equal("1Gi", used["requests.memory"]);
        Assert.Equal("2Gi", used["limits.memory"]);
        Assert.Equal("8Gi", used["requests.storage"]);
        Assert.Equal("1", used["persistentvolumeclaims"]);
        Assert.Equal("0", used["services"]);

        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromMinutes(2));
        var after = await Client.CoreV1.ReadNamespacedResourceQuotaAsync("team", ns, cancellationToken: Ct);
        Assert.Equal("0", after.Status.Used["pods"].ToString());
    }

    [Fact]
    public async Task The_cluster_has_the_nginx_ingress_class_of_the_controller_it_simulates_and_its_storage_classes()
    {
        var classes = await Client.NetworkingV1.ListIngressClassAsync(cancellationToken: Ct);
        var storage = await Client.StorageV1.ListStorageClassAsync(cancellationToken: Ct);

        var nginx = Assert.Single(classes.Items);
        Assert.Equal(("nginx", "k8s.io/ingress-nginx"), (nginx.Metadata.Name, nginx.Spec.Controller));
        Assert.Equal(
            [("standard", "Immediate"), ("standard-wffc", "WaitForFirstConsumer")],
            storage.Items.Select(s => (s.Metadata.Name, s.VolumeBindingMode)).Order());
    }

    private async Task<V1ConfigMap> ApplyAsync(string ns, string name, string value, bool dryRun)
    {
        var body = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["a"] = value } };
        return await Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch), name, ns, dryRun: dryRun ? "All" : null, fieldManager: "preflight", force: true, cancellationToken: Ct);
    }

    private async Task<string> ResourceVersionAsync(string ns) =>
        (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct)).Metadata.ResourceVersion;
}
