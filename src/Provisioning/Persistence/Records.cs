using Portal.Domain.Common;
using Portal.Domain.Stacks;
using Portal.Domain.Values;

namespace Portal.Provisioning.Persistence;

/// <summary>A stack as the portal keeps it: the desired spec and the last applied one (never a secret value).</summary>
internal sealed class StackRecord
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Blueprint { get; set; }

    public required string Cluster { get; set; }

    public required string Namespace { get; set; }

    /// <summary>The desired spec, secret options removed.</summary>
    public required StackSpec Spec { get; set; }

    /// <summary>The spec of the last operation that succeeded; null before the first deploy finished.</summary>
    public StackSpec? Applied { get; set; }

    /// <summary>The secret options the operator has given a value (<c>component.option</c>), names only: the values live in the
    /// cluster, and this is how the portal knows which optional secrets are set without reading them back.</summary>
    public IReadOnlyList<string> SecretOptions { get; set; } = [];

    /// <summary>The operation running on the stack: one at a time, guarded by <see cref="Version"/>.</summary>
    public Guid? ActiveOperationId { get; set; }

    public Guid? LastOperationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency token.</summary>
    public int Version { get; set; }
}

/// <summary>How the portal reaches a cluster.</summary>
internal enum ClusterSource
{
    Kubeconfig,
    InCluster,
}

/// <summary>A cluster added in the UI or API. The kubeconfig is stored encrypted with ASP.NET Data Protection.</summary>
internal sealed class ClusterRecord
{
    public required string Name { get; set; }

    public ClusterSource Source { get; set; }

    /// <summary>The kubeconfig, encrypted; never shown again after it is added.</summary>
    public string? ProtectedKubeconfig { get; set; }

    public string? Context { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>One mutating action: who, when, what, on which stack, why, the result, and a diff with secrets masked.</summary>
/// <remarks>A refused request is audited with the text it was refused for: the stack, the target and the reason are made readable
/// here, whatever they hold (a NUL, which PostgreSQL cannot store; broken Unicode; 100,000 pasted characters). Valid values are
/// kept as they are.</remarks>
internal sealed class AuditRecord
{
    /// <summary>The longest stack or target kept whole (a stack and a hostname fit; a longer one is made-up input echoed back).</summary>
    public const int MaxNameLength = 512;

    private string _action = "";
    private string? _stack;
    private string? _target;
    private string? _reason;

    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    /// <summary>One of <see cref="Stacks.AuditActions.All"/>, which the audit filter documents: a new action is added there first.</summary>
    public required string Action
    {
        get => _action;
        set => _action = Stacks.AuditActions.All.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new ArgumentException($"'{value}' is not an audit action; add it to AuditActions.All, which the audit filter documents.", nameof(value));
    }

    public string? Stack
    {
        get => _stack;
        set => _stack = value is null ? null : ValidationError.Readable(value, MaxNameLength);
    }

    public string? Target
    {
        get => _target;
        set => _target = value is null ? null : ValidationError.Readable(value, MaxNameLength);
    }

    /// <summary>Why, as the actor said it; see <see cref="ReasonText.ForAudit"/>.</summary>
    public string? Reason
    {
        get => _reason;
        set => _reason = ReasonText.ForAudit(value);
    }

    public required string Result { get; set; }

    public Guid? OperationId { get; set; }

    /// <summary>A before/after diff of the spec, secret options masked.</summary>
    public string? Diff { get; set; }
}
