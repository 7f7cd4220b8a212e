using System.Text.Json.Serialization;

namespace Portal.Provisioning.Stacks;

/// <summary>A new stack before anything is saved: validated, previewed and preflighted against its target cluster. Nothing
/// here writes to the portal database or changes the cluster (the dry runs are server-side dry runs).</summary>
public interface IStackDrafts
{
    /// <summary>Every problem of the draft at once (the Domain's validation, an unknown cluster, a name or namespace already
    /// used by another stack); on success, the plan in one sentence, e.g. "deploys 10 components and 9 relations in 34 steps".</summary>
    Task<ServiceResult<string>> ValidateAsync(CreateStackCommand command, CancellationToken cancellationToken);

    /// <summary>The deploy plan's steps in order and every Kubernetes object it will create, with secret values redacted.</summary>
    Task<ServiceResult<StackPreview>> PreviewAsync(CreateStackCommand command, CancellationToken cancellationToken);

    /// <summary>Checks against the real target cluster, each with pass / warn / fail and what to do about it. Invalid when the
    /// draft itself is invalid; Unavailable when the cluster cannot be reached at all.</summary>
    Task<ServiceResult<PreflightReport>> PreflightAsync(CreateStackCommand command, CancellationToken cancellationToken);
}

/// <summary>What deploying a draft would do: the plan's steps in order and the objects it creates.</summary>
public sealed record StackPreview(string Summary, IReadOnlyList<PreviewStep> Steps, IReadOnlyList<PreviewObject> Objects);

/// <summary>One step of a previewed plan, in execution order.</summary>
public sealed record PreviewStep(string Key, string Kind, string Description, string WaitsFor, IReadOnlyList<string> DependsOn);

/// <summary>One Kubernetes object a previewed plan creates, as YAML; a Secret's values read <c>&lt;redacted&gt;</c>.</summary>
/// <param name="Component">The component it belongs to, or null for a relation's object.</param>
public sealed record PreviewObject(string Kind, string Name, string? Component, string Yaml);

/// <summary>The preflight checks of a draft against its target cluster.</summary>
public sealed record PreflightReport(string Cluster, string Namespace, DateTimeOffset CheckedAt, IReadOnlyList<PreflightCheck> Checks)
{
    /// <summary>True when no check failed (warnings do not block a deploy).</summary>
    public bool CanDeploy => Checks.All(c => c.Outcome != PreflightOutcome.Fail);
}

/// <summary>One preflight check: what was checked, how it came out, and what to do when it did not pass.</summary>
/// <param name="Id">Stable id, e.g. <c>dry-run</c>, <c>ingress-class</c>, <c>storage-class</c>, <c>quota</c>, <c>database-admin</c>,
/// <c>acme-directory</c>, <c>hostnames</c>, <c>namespace</c>.</param>
/// <param name="Remedy">What the operator should do; null when the check passed.</param>
public sealed record PreflightCheck(string Id, string Title, PreflightOutcome Outcome, string Detail, string? Remedy);

/// <summary>How a preflight check came out (in JSON by name: "Pass", "Warn", "Fail").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PreflightOutcome>))]
public enum PreflightOutcome
{
    Pass,
    Warn,
    Fail,
}
