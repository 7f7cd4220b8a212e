using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Secrets;

/// <summary>The secrets a stack owns: the inventory with fingerprints (never values), rotation policies, the blast radius of a
/// rotation, rotation and roll-back as operations, and the ledger of which revision each workload's pods loaded. The one door the
/// REST API and the UI use for secrets (issue #8).</summary>
/// <remarks>Secret ids are <c>&lt;component&gt;.&lt;secret&gt;</c> (both DNS labels, so the dot is unambiguous), e.g.
/// <c>oauth2-proxy.cookie-secret</c>, <c>postgresql.airbyte-db</c> (a relation's credentials are owned by the provider and named by
/// the requirer's endpoint), <c>minio.root-credentials</c>. No value ever leaves the cluster through this service, except the
/// one-time reveal of a generated webhook secret (<see cref="RevealAsync"/>).</remarks>
public interface ISecretService
{
    /// <summary>Every secret of the stack with owner, consumers, revision, fingerprint, dates, policy, next rotation, overdue, and
    /// the workloads still running an older revision. NotFound for an unknown stack, Unavailable when its cluster does not answer.</summary>
    Task<ServiceResult<StackSecretInventory>> ListAsync(string stack, CancellationToken cancellationToken);

    /// <summary>What rotating the secret would do, before it runs: the steps, the workloads that restart in order, what users notice.
    /// NotFound for an unknown stack or secret; Invalid (path <c>secret</c>) for one the portal cannot rotate, saying why.</summary>
    Task<ServiceResult<SecretRotationPreview>> PreviewRotationAsync(string stack, string secret, CancellationToken cancellationToken);

    /// <summary>Starts the rotation as an operation on the stack (one at a time). Reason required; <c>value</c> only for an
    /// operator-supplied secret (and required there). Health is verified between steps; on failure the previous revision is put
    /// back (the database password too) and the operation says why.</summary>
    Task<ServiceResult<StackChange>> RotateAsync(string stack, string secret, SecretRotationRequest request, string actor, CancellationToken cancellationToken);

    /// <summary>Starts a roll-back to a kept revision (the newest previous one when <paramref name="revision"/> is null), as a new
    /// revision. Reason required.</summary>
    Task<ServiceResult<StackChange>> RollbackAsync(string stack, string secret, int? revision, string? reason, string actor, CancellationToken cancellationToken);

    /// <summary>Sets the rotation policy of a secret (<c>never</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c>, <c>quarterly</c>,
    /// <c>yearly</c>); Invalid (path <c>policy</c>) for another word or a secret that cannot be rotated. Audited.</summary>
    Task<ServiceResult<SecretView>> SetPolicyAsync(string stack, string secret, string? policy, string actor, CancellationToken cancellationToken);

    /// <summary>The one-time reveal of a newly generated webhook signing secret, for an Operator to give it to the senders: allowed
    /// while the live revision was written by a rotation still in its grace period and was not revealed yet (marked in the cluster,
    /// so of two concurrent reveals only one gets the value). Invalid (path <c>secret</c>) for any other secret; Conflict when already
    /// revealed, rolled back or not freshly rotated. Audited without the value. The caller must not cache, log or show it elsewhere.</summary>
    Task<ServiceResult<RevealedSecret>> RevealAsync(string stack, string secret, string? reason, string actor, CancellationToken cancellationToken);
}

/// <summary>A value revealed once (see <see cref="ISecretService.RevealAsync"/>); its <see cref="ToString"/> never prints it.</summary>
public sealed record RevealedSecret(string Id, int Revision, string Value)
{
    public override string ToString() => $"RevealedSecret {{ Id = {Id}, Revision = {Revision}, Value = redacted }}";
}

/// <summary>A rotation request: why, and for an operator-supplied secret the new value (never stored by the portal, never echoed).</summary>
public sealed record SecretRotationRequest(string? Reason, string? Value = null)
{
    public override string ToString() => $"SecretRotationRequest {{ Reason = {Reason}, Value = {(Value is null ? "none" : "redacted")} }}";
}

/// <summary>How often a secret is rotated automatically (inside the stack's maintenance window).</summary>
public enum RotationPolicy
{
    Never,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

/// <summary>The secrets of one stack.</summary>
/// <param name="MaintenanceWindow">"02:00-04:00 UTC" or "any time": when scheduled rotations run.</param>
public sealed record StackSecretInventory(string Stack, string Cluster, string Namespace, string MaintenanceWindow, IReadOnlyList<SecretView> Secrets);

/// <summary>One secret as an operator sees it; never its value.</summary>
/// <param name="Id"><c>&lt;component&gt;.&lt;secret&gt;</c>.</param>
/// <param name="Owner">The component that owns it.</param>
/// <param name="Consumers">The workloads that load it (Deployment/StatefulSet names).</param>
/// <param name="KubernetesSecret">The Kubernetes Secret (and key) holding it, e.g. <c>airbyte-db-relation/password</c>.</param>
/// <param name="Source">generated, operator-supplied, relation, workload or external (Domain's <c>SecretSource</c>, kebab-case).</param>
/// <param name="Rotation">How it rotates (Domain's <c>RotationStrategy</c>, kebab-case: replace, dual-validity, operator-supplied, database-password, none).</param>
/// <param name="NotRotatable">Why the portal cannot rotate it (read-only external credentials, not present yet…), or null.</param>
/// <param name="Fingerprint">A short hash of the value (first 12 hex of SHA-256), never the value; null when absent.</param>
/// <param name="UserImpact">What users notice when it rotates ("everyone is signed out").</param>
/// <param name="Stale">Workloads whose pods still run an older revision than the live one (the ledger).</param>
/// <param name="Revision">The secret's own revision: it goes up when this secret's value changes, not when another secret kept in
/// the same Kubernetes Secret does (the Secret's own revision may be higher).</param>
/// <param name="KeptRevisions">The secret's earlier revisions an operator can roll back to (its own numbers), newest first.</param>
/// <param name="PolicyNote">Whether the policy rotates it automatically (in the maintenance window) or, for a value the operator
/// supplies, only says when the operator should ("overdue, and not rotated automatically"); null without a policy.</param>
/// <param name="Revealable">Whether an Operator may reveal the live value once now (a webhook signing secret just rotated).</param>
public sealed record SecretView(
    string Id,
    string Name,
    string Description,
    string Owner,
    IReadOnlyList<string> Consumers,
    string KubernetesSecret,
    string Source,
    string Rotation,
    string? NotRotatable,
    int Revision,
    string? Fingerprint,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastRotatedAt,
    string? LastRotatedBy,
    RotationPolicy Policy,
    DateTimeOffset? NextRotation,
    bool Overdue,
    string UserImpact,
    IReadOnlyList<int> KeptRevisions,
    IReadOnlyList<StaleWorkload> Stale,
    string? PolicyNote = null,
    bool Revealable = false);

/// <summary>A workload whose pods loaded an older revision of a secret than the live one.</summary>
/// <param name="Pods">The pods on the old revision, with the revision each loaded.</param>
public sealed record StaleWorkload(string Workload, int LoadedRevision, IReadOnlyList<string> Pods);

/// <summary>The blast radius of a rotation, shown before it runs.</summary>
/// <param name="Steps">The operation's steps in order, each one sentence.</param>
/// <param name="Restarts">The workloads that restart, in order.</param>
public sealed record SecretRotationPreview(SecretView Secret, IReadOnlyList<string> Steps, IReadOnlyList<RestartingWorkload> Restarts, string UserImpact, bool NeedsValue);

/// <summary>A workload a rotation restarts, in order, and why ("loads airbyte-db-relation").</summary>
public sealed record RestartingWorkload(int Order, string Workload, string Why);
