using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>Deletion propagation through ownerReferences, and namespace deletion removing its contents.</summary>
public sealed class GarbageCollectionTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    private async Task<(V1ConfigMap Owner, V1ConfigMap Dependent)> OwnerAndDependent(string ns)
    {
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var dependent = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "dependent",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, BlockOwnerDeletion = true }],
            },
        }, ns, cancellationToken: Ct);
        return (owner, dependent);
    }

    private async Task<bool> Exists(string name, string ns)
    {
        try
        {
            await Client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: Ct);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("Background", false, false)]
    [InlineData("Foreground", false, false)]
    [InlineData("Orphan", false, true)]
    public async Task Deleting_an_owner_propagates_as_asked(string policy, bool ownerLeft, bool dependentLeft)
    {
        var ns = await _sandbox.NamespaceAsync();
        await OwnerAndDependent(ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: policy, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        Assert.Equal(ownerLeft, await Exists("owner", ns));
        Assert.Equal(dependentLeft, await Exists("dependent", ns));
        if (dependentLeft)
        {
            var orphan = await Client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns, cancellationToken: Ct);
            Assert.Null(orphan.Metadata.OwnerReferences);
        }
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_its_dependents_are_gone()
    {
        var ns = await _sandbox.NamespaceAsync();
        await OwnerAndDependent(ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":[\"example.com/slow\"]}}", V1Patch.PatchType.MergePatch), "dependent", ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Foreground", cancellationToken: Ct);
        await _sandbox.SettleAsync();
        var owner = await Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Ct);
        Assert.NotNull(owner.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", owner.Metadata.Finalizers);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "dependent", ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        Assert.False(await Exists("dependent", ns));
        Assert.False(await Exists("owner", ns));
    }

    [Fact]
    public async Task Deleting_a_deployment_removes_its_replicasets_and_pods()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 2), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items.Count);
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Empty((await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Ct)).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_everything_in_it_then_the_namespace()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 1), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] } }, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        await Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["held"], (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct)).Items.Select(i => i.Metadata.Name));
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items);
        var terminating = await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
        Assert.Equal("Terminating", terminating.Status.Phase);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "late" } }, ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        Assert.Empty((await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns}", cancellationToken: Ct)).Items);
    }
}
