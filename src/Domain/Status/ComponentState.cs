using Portal.Domain.Blueprints;

namespace Portal.Domain.Status;

/// <summary>What a component's status comes from.</summary>
public enum CauseKind
{
    /// <summary>The portal reported a problem a person must solve (<see cref="PortalFacts.Blocked"/>, a failed database check).</summary>
    PortalReported,
    /// <summary>The component's config is incomplete.</summary>
    Configuration,
    /// <summary>A required endpoint has no relation.</summary>
    MissingRelation,
    /// <summary>A relation the component requires is not healthy.</summary>
    Relation,
    /// <summary>A relation the component provides is not served yet (its Ingress, its database, its certificate).</summary>
    ProvidedRelation,
    /// <summary>One of its Kubernetes objects is not healthy, or missing.</summary>
    Resource,
    /// <summary>The portal is working on it.</summary>
    Activity,
    /// <summary>It has not been deployed.</summary>
    NotDeployed,
}

/// <summary>Why a component is not active: what it waits on, in one sentence, and what to do.</summary>
/// <param name="Subject">What the cause is about: a relation key, an endpoint, an object (<c>Pod/airbyte-server-…</c>), an option.</param>
public sealed record StatusCause(CauseKind Kind, string Subject, string Message, string Action)
{
    /// <summary>The relation involved (<see cref="CauseKind.Relation"/>, <see cref="CauseKind.ProvidedRelation"/>, <see cref="CauseKind.MissingRelation"/>).</summary>
    public RelationSpec? Relation { get; init; }

    /// <summary>The object involved (<see cref="CauseKind.Resource"/>).</summary>
    public ResourceHealth? Resource { get; init; }

    /// <summary>The other component this one waits for, if any.</summary>
    public string? WaitingOn { get; init; }
}

/// <summary>The live status of one component: Juju's status and message, the health of its objects, and the cause.</summary>
public sealed record ComponentState(string Component, string Kind, ComponentStatus Status, string Message)
{
    /// <summary>Every observed object of the component with its health, plus expected objects that are missing.</summary>
    public IReadOnlyList<ResourceHealth> Resources { get; init; } = [];

    /// <summary>Why it is not active; null when it is.</summary>
    public StatusCause? Cause { get; init; }

    /// <summary>The ledger's flags: workloads of the component whose running pods loaded an older revision of a Secret than the live
    /// one (during a rotation's roll-out, or when a roll-out stalled). The flag itself leaves the status alone (the relation whose Secret
    /// the pods have not caught up with already says "waiting").</summary>
    public IReadOnlyList<Secrets.StaleSecret> StaleSecrets { get; init; } = [];

    public bool IsActive => Status == ComponentStatus.Active;

    public override string ToString() => Message.Length == 0 ? $"{Component}: {Status}" : $"{Component}: {Status}: {Message}";
}
