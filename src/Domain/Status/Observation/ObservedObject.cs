using System.Collections.Frozen;
using Portal.Domain.Naming;

namespace Portal.Domain.Status.Observation;

/// <summary>The Kubernetes kinds the portal observes, spelled as the API spells them.</summary>
public static class ObjectKinds
{
    public const string Deployment = "Deployment";
    public const string StatefulSet = "StatefulSet";
    public const string ReplicaSet = "ReplicaSet";
    public const string Pod = "Pod";
    public const string Job = "Job";
    public const string PersistentVolumeClaim = "PersistentVolumeClaim";
    public const string Service = "Service";
    public const string Ingress = "Ingress";
    public const string Secret = "Secret";
    public const string ConfigMap = "ConfigMap";
    public const string Event = "Event";
}

/// <summary>A reference to an object of the stack's namespace by kind and name, e.g. <c>Deployment/airbyte-server</c>.</summary>
public readonly record struct ObjectRef(string Kind, string Name)
{
    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>An owner reference of an observed object (ReplicaSet → Deployment, Pod → ReplicaSet…).</summary>
public sealed record OwnerReference(string Kind, string Name, string Uid = "", bool Controller = true);

/// <summary>The status of a Kubernetes condition.</summary>
public enum ConditionStatus
{
    Unknown,
    True,
    False,
}

/// <summary>A status condition of an observed object (<c>Progressing</c>, <c>Ready</c>, <c>Complete</c>…).</summary>
public sealed record ObservedCondition(
    string Type,
    ConditionStatus Status,
    string Reason = "",
    string Message = "",
    DateTimeOffset? LastTransitionAt = null,
    DateTimeOffset? LastUpdateAt = null)
{
    public bool IsTrue => Status == ConditionStatus.True;
}

/// <summary>What every observed object carries: identity, the portal's labels, owners and timestamps.</summary>
/// <remarks>Plain domain records the watch cache fills from the cluster; no KubernetesClient type leaks in here.
/// Values of Secrets and ConfigMaps are never part of an observation, only their key names.</remarks>
public abstract record ObservedObject
{
    private static readonly IReadOnlyDictionary<string, string> NoEntries = FrozenDictionary<string, string>.Empty;

    /// <summary>The Kubernetes kind, e.g. <c>Deployment</c> (see <see cref="ObjectKinds"/>).</summary>
    public abstract string Kind { get; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public string Uid { get; init; } = "";

    public string ResourceVersion { get; init; } = "";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoEntries;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = NoEntries;

    public IReadOnlyList<OwnerReference> OwnerReferences { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the watch cache last saw the object's spec or progress move (a generation bump, more ready
    /// replicas); null when unknown. Progress deadlines run from the latest of this, creation and the object's own
    /// progress timestamps.</summary>
    public DateTimeOffset? LastChangedAt { get; init; }

    /// <summary>The deletion timestamp: the object is going away (finalizers may hold it).</summary>
    public DateTimeOffset? DeletionRequestedAt { get; init; }

    public ObjectRef Ref => new(Kind, Name);

    /// <summary>The stack label (<see cref="PortalLabels.Stack"/>), if any.</summary>
    public string? Stack => Label(PortalLabels.Stack);

    /// <summary>The component label (<see cref="PortalLabels.Component"/>), if any.</summary>
    public string? Component => Label(PortalLabels.Component);

    /// <summary>The relation label (<see cref="PortalLabels.Relation"/>): the label value of the relation that owns the object
    /// (<see cref="Blueprints.RelationSpec.LabelValue"/>).</summary>
    public string? Relation => Label(PortalLabels.Relation);

    /// <summary>The workload label (<see cref="PortalLabels.Workload"/>): the catalog workload name.</summary>
    public string? Workload => Label(PortalLabels.Workload);

    /// <summary>The controlling owner, if any.</summary>
    public OwnerReference? ControllerOwner =>
        OwnerReferences.FirstOrDefault(o => o.Controller) ?? (OwnerReferences.Count > 0 ? OwnerReferences[0] : null);

    public string? Label(string key) => Labels.TryGetValue(key, out var value) ? value : null;

    public string? Annotation(string key) => Annotations.TryGetValue(key, out var value) ? value : null;

    /// <summary>Whether <paramref name="owner"/> is one of this object's owners (by uid when both know it, else by kind and name).</summary>
    public bool IsOwnedBy(ObservedObject owner) => OwnerReferences.Any(o =>
        o.Kind == owner.Kind
        && (o.Uid.Length > 0 && owner.Uid.Length > 0 ? o.Uid == owner.Uid : o.Name == owner.Name));

    public override string ToString() => Ref.ToString();
}

/// <summary>Lookups over a list of conditions.</summary>
public static class ObservedConditions
{
    public static ObservedCondition? Find(this IReadOnlyList<ObservedCondition> conditions, string type) =>
        conditions.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(this IReadOnlyList<ObservedCondition> conditions, string type) =>
        conditions.Find(type) is { IsTrue: true };
}
