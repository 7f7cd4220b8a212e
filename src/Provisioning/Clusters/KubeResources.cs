using k8s;
using k8s.Models;

namespace Portal.Provisioning.Clusters;

/// <summary>How to apply (or dry-run an apply: <c>dryRun</c> "All"), read, delete and list one kind of object through the typed
/// KubernetesClient API.</summary>
internal sealed record KubeResource(
    string ApiVersion,
    string Kind,
    bool Namespaced,
    Func<IKubernetes, V1Patch, string, string, string?, CancellationToken, Task<IKubernetesObject<V1ObjectMeta>>> Patch,
    Func<IKubernetes, string, string, CancellationToken, Task<IKubernetesObject<V1ObjectMeta>>> Read,
    Func<IKubernetes, string, string, string?, CancellationToken, Task> Delete,
    Func<IKubernetes, string, string, CancellationToken, Task<IEnumerable<IKubernetesObject<V1ObjectMeta>>>> List)
{
    public string Key => $"{ApiVersion}/{Kind}";
}

/// <summary>Every kind of object the portal writes. A kind missing here cannot be applied: adding one is adding a row.</summary>
/// <remarks>One field manager for every write (server-side apply, force: the portal owns the fields it sets).</remarks>
internal static class KubeResources
{
    public const string FieldManager = "airbyte-portal";

    // Arguments of the generated methods, in order: dryRun, fieldManager, fieldValidation, force.
    private static readonly Dictionary<string, KubeResource> ByKey = new[]
    {
        new KubeResource("v1", "Namespace", false,
            async (k, p, _, name, dryRun, ct) => await k.CoreV1.PatchNamespaceAsync(p, name, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, _, name, ct) => await k.CoreV1.ReadNamespaceAsync(name, cancellationToken: ct),
            async (k, _, name, policy, ct) => await k.CoreV1.DeleteNamespaceAsync(name, propagationPolicy: policy, cancellationToken: ct),
            async (k, _, selector, ct) => (await k.CoreV1.ListNamespaceAsync(labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("v1", "Secret", true,
            async (k, p, ns, name, dryRun, ct) => await k.CoreV1.PatchNamespacedSecretAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.CoreV1.DeleteNamespacedSecretAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("v1", "ConfigMap", true,
            async (k, p, ns, name, dryRun, ct) => await k.CoreV1.PatchNamespacedConfigMapAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("v1", "Service", true,
            async (k, p, ns, name, dryRun, ct) => await k.CoreV1.PatchNamespacedServiceAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.CoreV1.DeleteNamespacedServiceAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("v1", "ServiceAccount", true,
            async (k, p, ns, name, dryRun, ct) => await k.CoreV1.PatchNamespacedServiceAccountAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.CoreV1.DeleteNamespacedServiceAccountAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.CoreV1.ListNamespacedServiceAccountAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("v1", "PersistentVolumeClaim", true,
            async (k, p, ns, name, dryRun, ct) => await k.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("apps/v1", "Deployment", true,
            async (k, p, ns, name, dryRun, ct) => await k.AppsV1.PatchNamespacedDeploymentAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("apps/v1", "StatefulSet", true,
            async (k, p, ns, name, dryRun, ct) => await k.AppsV1.PatchNamespacedStatefulSetAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.AppsV1.ListNamespacedStatefulSetAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("batch/v1", "Job", true,
            async (k, p, ns, name, dryRun, ct) => await k.BatchV1.PatchNamespacedJobAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("networking.k8s.io/v1", "Ingress", true,
            async (k, p, ns, name, dryRun, ct) => await k.NetworkingV1.PatchNamespacedIngressAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("rbac.authorization.k8s.io/v1", "Role", true,
            async (k, p, ns, name, dryRun, ct) => await k.RbacAuthorizationV1.PatchNamespacedRoleAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.RbacAuthorizationV1.ReadNamespacedRoleAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.RbacAuthorizationV1.DeleteNamespacedRoleAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.RbacAuthorizationV1.ListNamespacedRoleAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
        new KubeResource("rbac.authorization.k8s.io/v1", "RoleBinding", true,
            async (k, p, ns, name, dryRun, ct) => await k.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(p, name, ns, dryRun, FieldManager, null, true, cancellationToken: ct),
            async (k, ns, name, ct) => await k.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(name, ns, cancellationToken: ct),
            async (k, ns, name, policy, ct) => await k.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(name, ns, propagationPolicy: policy, cancellationToken: ct),
            async (k, ns, selector, ct) => (await k.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
    }.ToDictionary(r => r.Key, StringComparer.Ordinal);

    /// <summary>The kinds a stack's objects can have, in the order teardown deletes them (workloads before what they use).</summary>
    public static IReadOnlyList<KubeResource> StackKinds { get; } =
    [
        Of("networking.k8s.io/v1", "Ingress"), Of("apps/v1", "Deployment"), Of("apps/v1", "StatefulSet"), Of("batch/v1", "Job"),
        Of("v1", "Service"), Of("v1", "ConfigMap"), Of("rbac.authorization.k8s.io/v1", "RoleBinding"), Of("rbac.authorization.k8s.io/v1", "Role"),
        Of("v1", "ServiceAccount"), Of("v1", "Secret"), Of("v1", "PersistentVolumeClaim"),
    ];

    public static KubeResource Of(string apiVersion, string kind) =>
        ByKey.TryGetValue($"{apiVersion}/{kind}", out var resource)
            ? resource
            : throw new NotSupportedException($"The portal does not write {kind} ({apiVersion}) objects.");

    public static KubeResource Of(IKubernetesObject<V1ObjectMeta> obj) => Of(obj.ApiVersion, obj.Kind);
}
