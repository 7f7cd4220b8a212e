namespace Portal.Domain.Naming;

/// <summary>Labels and annotations on every object the portal creates (ARCHITECTURE.md, "State").</summary>
public static class PortalLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "airbyte-portal";
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Stack = "portal.airbyte.io/stack";
    public const string Component = "portal.airbyte.io/component";

    /// <summary>On relation-owned objects (credentials Secrets, setup Jobs): the relation's key.</summary>
    public const string Relation = "portal.airbyte.io/relation";

    /// <summary>On workloads: the catalog workload name (<c>server</c>, <c>worker</c>…).</summary>
    public const string Workload = "portal.airbyte.io/workload";

    /// <summary>Pod template annotation: hash of the config the pods consume; a change rolls them.</summary>
    public const string ConfigHashAnnotation = "portal.airbyte.io/config-hash";

    /// <summary>Pod template annotation: the revision of each Secret the pods load, <c>secret=revision,…</c> (the ledger).</summary>
    public const string SecretRevisionsAnnotation = "portal.airbyte.io/secret-revisions";

    /// <summary>Secret annotation: the live revision number of a portal-managed Secret.</summary>
    public const string RevisionAnnotation = "portal.airbyte.io/revision";

    /// <summary>The label selector that finds every object of a stack.</summary>
    public static string StackSelector(string stack) => $"{ManagedBy}={ManagedByValue},{Stack}={stack}";
}
