namespace Portal.Domain.Plans;

/// <summary>The kind of a plan step; provisioning runs each kind with one job class, so the list stays short.</summary>
public enum StepKind
{
    /// <summary>Create the stack's namespace with the portal's labels if it does not exist.</summary>
    EnsureNamespace,

    /// <summary>Render a component's objects (Deployments, StatefulSets, Services, ConfigMaps, Secrets) and server-side apply them.</summary>
    ApplyComponent,

    /// <summary>The provider-side work of a relation: database and role, credentials and buckets, schema Jobs, certificates,
    /// a route, an upstream or host info; it ends with the relation Secret the requirer reads.</summary>
    ProvisionRelation,

    /// <summary>The part of a relation's provider-side work that needs the requirer to be serving.</summary>
    /// <remarks>Needed because the <c>temporal</c> interface has two halves that a running Temporal splits: the schemas must exist
    /// before Temporal starts (<see cref="ProvisionRelation"/>), but <c>temporal operator namespace create</c> talks to the
    /// frontend, so the namespace can only be created after Temporal is healthy, and Airbyte must not start before it exists.
    /// Folding it into either neighbour would make one job wait on a workload another step starts.</remarks>
    CompleteRelation,

    /// <summary>Wait until a component is healthy (its workloads available, its server reachable, its Ingresses addressed).</summary>
    AwaitHealthy,

    /// <summary>Undo a relation: delete the relation Secret and what the provider rendered for it; drop data only when asked.</summary>
    RemoveRelation,

    /// <summary>Delete a component's objects; its volumes stay unless the plan says otherwise.</summary>
    RemoveComponent,

    /// <summary>Delete the stack's namespace (only when the operator asks for it).</summary>
    RemoveNamespace,

    /// <summary>Issue a new key and certificate for a hostname (<see cref="PlanStep.Subject"/>) and install them as a new revision
    /// of its TLS Secret; a failed issuance leaves the live certificate as it was.</summary>
    IssueCertificate,

    /// <summary>Install a kept revision of a hostname's TLS Secret as a new revision (a roll-back).</summary>
    RestoreCertificate,

    /// <summary>Install an operator's uploaded certificate (held in the cluster, never in the portal) as a new revision.</summary>
    InstallCertificate,

    /// <summary>Check the hostname's TLS Secret and, when the portal can reach the ingress, that it serves that certificate.</summary>
    VerifyCertificate,

    /// <summary>Give a secret (<see cref="PlanStep.Subject"/>: its id) a new value as a new revision of its Secret, keeping the
    /// previous one (and in the Secrets it is copied into); for a database password, set it on the role first (through the admin
    /// connection of an external server, a Job for the in-cluster one).</summary>
    RotateSecret,

    /// <summary>Install a kept revision of a secret as a new revision (a roll-back); for a database password, set it on the role too.</summary>
    RestoreSecret,

    /// <summary>Wait until the consumers of a changed secret are healthy on its new revision and, for a database password, check that
    /// the new password logs in and the previous one no longer does; when they do not become healthy, put the previous revision
    /// (and password) back and re-apply them. A step with a <see cref="PlanStep.Component"/> waits for that consumer alone (the owner
    /// that must be healthy before the others restart).</summary>
    VerifySecret,

    /// <summary>After the grace period of a dual-validity secret (the webhook signing secret), remove the previous value that was
    /// kept valid next to the new one, as a new revision of its Secret; the step waits (persisted, no attempt spent) until then.</summary>
    DropPreviousSecret,
}
