namespace Portal.Sandbox.Api;

/// <summary>One kind of object the sandbox serves: its REST coordinates and the behaviour the store gives it.</summary>
/// <remarks>
/// The registry of these drives routing, discovery and storage alike, so a resource added here is served,
/// discoverable by kubectl and storable with no other change.
/// </remarks>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Subresources,
    IReadOnlyList<string> Categories)
{
    /// <summary>"v1" for the core group, "apps/v1" otherwise: what goes in an object's apiVersion.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Singular name as discovery reports it (lower-case kind).</summary>
    public string Singular => Kind.ToLowerInvariant();

    /// <summary>Stable key used by the store: "apps/deployments", "core/pods".</summary>
    public string Key => $"{(Group.Length == 0 ? "core" : Group)}/{Plural}";

    public bool HasStatus => Subresources.Contains("status");

    /// <summary>
    /// Whether metadata.generation is maintained. The real API server keeps it on every object whose spec a
    /// controller reconciles (the ones with a status subresource); ConfigMaps and Secrets have none.
    /// </summary>
    public bool TracksGeneration => HasStatus;
}

/// <summary>The resources the sandbox serves, looked up by group/version/plural or kind.</summary>
public sealed class ResourceRegistry
{
    private static readonly string[] s_all = ["all"];
    private static readonly string[] s_none = [];
    private static readonly string[] s_status = ["status"];

    private readonly Dictionary<string, ResourceType> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceType> _byKind = new(StringComparer.Ordinal);

    public ResourceRegistry(IEnumerable<ResourceType> types)
    {
        Types = [.. types];
        foreach (var type in Types)
        {
            _byPath[$"{type.Group}/{type.Version}/{type.Plural}"] = type;
            _byKind[$"{type.ApiVersion}/{type.Kind}"] = type;
        }
    }

    public IReadOnlyList<ResourceType> Types { get; }

    public ResourceType Namespaces => Find("", "v1", "namespaces")!;
    public ResourceType Pods => Find("", "v1", "pods")!;
    public ResourceType Events => Find("", "v1", "events")!;
    public ResourceType Services => Find("", "v1", "services")!;
    public ResourceType Endpoints => Find("", "v1", "endpoints")!;
    public ResourceType ServiceAccounts => Find("", "v1", "serviceaccounts")!;
    public ResourceType ConfigMaps => Find("", "v1", "configmaps")!;
    public ResourceType Secrets => Find("", "v1", "secrets")!;
    public ResourceType PersistentVolumeClaims => Find("", "v1", "persistentvolumeclaims")!;
    public ResourceType PersistentVolumes => Find("", "v1", "persistentvolumes")!;
    public ResourceType ResourceQuotas => Find("", "v1", "resourcequotas")!;
    public ResourceType Nodes => Find("", "v1", "nodes")!;
    public ResourceType Deployments => Find("apps", "v1", "deployments")!;
    public ResourceType ReplicaSets => Find("apps", "v1", "replicasets")!;
    public ResourceType StatefulSets => Find("apps", "v1", "statefulsets")!;
    public ResourceType Jobs => Find("batch", "v1", "jobs")!;
    public ResourceType Ingresses => Find("networking.k8s.io", "v1", "ingresses")!;
    public ResourceType StorageClasses => Find("storage.k8s.io", "v1", "storageclasses")!;
    public ResourceType IngressClasses => Find("networking.k8s.io", "v1", "ingressclasses")!;

    public ResourceType? Find(string group, string version, string plural) =>
        _byPath.GetValueOrDefault($"{group}/{version}/{plural}");

    public ResourceType? FindByKey(string key) => Types.FirstOrDefault(t => t.Key == key);

    public ResourceType? FindByKind(string apiVersion, string kind) =>
        _byKind.GetValueOrDefault($"{apiVersion}/{kind}");

    /// <summary>Group/versions in the order discovery lists them (core first).</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        Types.Select(t => (t.Group, t.Version)).Distinct();

    /// <summary>The resources real clusters have that the portal and kubectl use.</summary>
    public static ResourceRegistry CreateDefault()
    {
        static ResourceType Core(string plural, string kind, bool ns, string[]? shortNames = null, bool status = false, bool all = false, string[]? extraSub = null) =>
            new("", "v1", plural, kind, ns, shortNames ?? s_none, [.. (status ? s_status : s_none), .. extraSub ?? s_none], all ? s_all : s_none);

        static ResourceType Of(string group, string plural, string kind, bool ns, string[]? shortNames = null, bool status = false, bool all = false) =>
            new(group, "v1", plural, kind, ns, shortNames ?? s_none, status ? [.. s_status] : s_none, all ? s_all : s_none);

        return new ResourceRegistry(
        [
            Core("namespaces", "Namespace", false, ["ns"], status: true, extraSub: ["finalize"]),
            Core("nodes", "Node", false, ["no"], status: true),
            Core("pods", "Pod", true, ["po"], status: true, all: true, extraSub: ["log"]),
            Core("services", "Service", true, ["svc"], status: true, all: true),
            Core("endpoints", "Endpoints", true, ["ep"]),
            Core("configmaps", "ConfigMap", true, ["cm"]),
            Core("secrets", "Secret", true),
            Core("serviceaccounts", "ServiceAccount", true, ["sa"]),
            Core("persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], status: true),
            Core("persistentvolumes", "PersistentVolume", false, ["pv"], status: true),
            Core("events", "Event", true, ["ev"]),
            Core("resourcequotas", "ResourceQuota", true, ["quota"], status: true),
            Of("apps", "deployments", "Deployment", true, ["deploy"], status: true, all: true) with { Subresources = ["status", "scale"] },
            Of("apps", "replicasets", "ReplicaSet", true, ["rs"], status: true, all: true) with { Subresources = ["status", "scale"] },
            Of("apps", "statefulsets", "StatefulSet", true, ["sts"], status: true, all: true) with { Subresources = ["status", "scale"] },
            Of("batch", "jobs", "Job", true, status: true, all: true),
            Of("networking.k8s.io", "ingresses", "Ingress", true, ["ing"], status: true),
            Of("networking.k8s.io", "ingressclasses", "IngressClass", false),
            Of("storage.k8s.io", "storageclasses", "StorageClass", false, ["sc"]),
            Of("rbac.authorization.k8s.io", "roles", "Role", true),
            Of("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true),
            Of("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false),
            Of("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false),
        ]);
    }
}
