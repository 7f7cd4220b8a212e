namespace Portal.Sandbox.Patching;

/// <summary>How a list field merges, both for strategic merge patch and for server-side apply.</summary>
internal enum ListKind
{
    /// <summary>Replaced as a whole (args, command, rules, tolerations…).</summary>
    Atomic,

    /// <summary>Items are objects identified by a merge key (containers by name, ports by containerPort…).</summary>
    Keyed,

    /// <summary>A set of scalars merged by value (finalizers).</summary>
    Set,
}

/// <summary>
/// The slice of the Kubernetes OpenAPI patch metadata the sandbox needs: which lists merge by which key.
/// </summary>
/// <remarks>
/// The real server reads x-kubernetes-patch-merge-key / list-type from the schema. The sandbox has no schema, so
/// it keys on the field name and the field that contains it; the names below cover the built-in kinds the portal
/// and kubectl write. A list not named here is atomic, which is what the real schema says for most lists.
/// </remarks>
internal static class ListSchema
{
    private static readonly HashSet<string> s_containerLists = new(StringComparer.Ordinal) { "containers", "initContainers", "ephemeralContainers" };

    public static (ListKind Kind, string Key) For(string field, string parent) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "volumes" or "env" or "imagePullSecrets" => (ListKind.Keyed, "name"),
        "hostAliases" => (ListKind.Keyed, "ip"),
        "volumeMounts" => (ListKind.Keyed, "mountPath"),
        "volumeDevices" => (ListKind.Keyed, "devicePath"),
        "ports" when s_containerLists.Contains(parent) => (ListKind.Keyed, "containerPort"),
        "ports" when parent == "spec" => (ListKind.Keyed, "port"),
        "conditions" => (ListKind.Keyed, "type"),
        "ownerReferences" => (ListKind.Keyed, "uid"),
        "topologySpreadConstraints" => (ListKind.Keyed, "topologyKey"),
        "containerStatuses" or "initContainerStatuses" => (ListKind.Keyed, "name"),
        "finalizers" when parent == "metadata" => (ListKind.Set, ""),
        _ => (ListKind.Atomic, ""),
    };
}
