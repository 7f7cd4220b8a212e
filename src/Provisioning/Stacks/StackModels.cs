using Portal.Domain.Common;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Values;

namespace Portal.Provisioning.Stacks;

/// <summary>A new stack as an operator asks for it; nothing in it has been checked yet.</summary>
/// <param name="Config">Component → option → value (values as the operator types them); null values mean "not given".</param>
/// <param name="Relations">The relations; null means the blueprint's.</param>
public sealed record CreateStackCommand(
    string? Name,
    string? Blueprint,
    string? Cluster,
    string? Namespace,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>? Config,
    IReadOnlyList<RelationRequest>? Relations,
    string? Reason = null);

/// <summary>A day-2 change: the given options are merged into the stored spec (a null value removes the explicit value so that
/// the default applies again), and the relations, when given, replace the stack's.</summary>
/// <param name="Relations">The whole relation list after the change; null leaves the relations as they are. This is how an
/// optional relation (e.g. <c>airbyte:nginx-route</c>) is added or removed; the Domain validates the result.</param>
public sealed record UpdateStackCommand(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> Config,
    string? Reason = null,
    IReadOnlyList<RelationRequest>? Relations = null);

/// <summary>A teardown: what to delete beyond the stack's objects, and why (a reason is required).</summary>
public sealed record TeardownStackCommand(bool DeleteVolumes, bool DropDatabases, bool DeleteNamespace, string? Reason)
{
    /// <summary>Every problem of the command at once (a missing or unreadable reason, a combination the teardown could not honour);
    /// empty when it can start.</summary>
    public ErrorList Problems()
    {
        var errors = new ErrorList();
        ReasonText.Check(Reason, errors, "Say why the stack is torn down (a reason is kept in the audit log).");

        errors.Collect(TeardownOptions.Create(DeleteVolumes, DropDatabases, DeleteNamespace), "", out _);
        return errors;
    }
}

/// <summary>What a day-2 change would do, worked out without saving anything: the changed options and relations, the
/// Reconfigure plan and which workloads it rolls.</summary>
/// <param name="Changes">False when the stack already has this config and these relations: nothing would change.</param>
/// <param name="Summary">One sentence: the plan's summary, or why nothing would run.</param>
/// <param name="Options">Every option whose explicit value changes; secret ones read <see cref="StackViews.SecretMask"/> on
/// both sides, never a value.</param>
/// <param name="Steps">The plan's steps in order; each description says why the step is in it.</param>
/// <param name="Rolls">The components whose workloads are applied again (their pods roll), each with why.</param>
/// <param name="Keeps">What the plan deliberately leaves in place (data of a removed relation).</param>
/// <param name="Diff">The same change as the audit log will record it, one line per option or relation.</param>
public sealed record UpdatePreview(
    string Stack,
    bool Changes,
    string Summary,
    IReadOnlyList<OptionChange> Options,
    IReadOnlyList<RelationChange> Relations,
    IReadOnlyList<PreviewStep> Steps,
    IReadOnlyList<RolledComponent> Rolls,
    IReadOnlyList<string> Keeps,
    string Diff);

/// <summary>One option whose explicit value changes; null means "not set" (the default applies).</summary>
/// <param name="Secret">A secret option: <paramref name="Before"/> and <paramref name="After"/> only say whether it is set.</param>
public sealed record OptionChange(string Component, string Option, string? Before, string? After, bool Secret);

/// <summary>A relation the change adds or removes.</summary>
public sealed record RelationChange(string Requirer, string Provider, string Interface, bool Added);

/// <summary>A component whose workloads a plan applies again, and why (the planner's reasons).</summary>
public sealed record RolledComponent(string Component, string Why);

/// <summary>A stack in a list: where it runs and what it is doing.</summary>
public sealed record StackSummary(
    string Name,
    string Blueprint,
    string Cluster,
    string Namespace,
    bool Deployed,
    OperationSummary? ActiveOperation,
    OperationSummary? LastOperation,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A stack with its desired spec. Secret options never carry a value: they read <see cref="StackViews.SecretMask"/>.</summary>
/// <param name="Deployed">True once an operation applied the stack (and no teardown removed it since).</param>
public sealed record StackView(
    string Name,
    string Blueprint,
    string Cluster,
    string Namespace,
    bool Deployed,
    IReadOnlyList<ComponentView> Components,
    IReadOnlyList<RelationView> Relations,
    OperationSummary? ActiveOperation,
    OperationSummary? LastOperation,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A component of a stack with the options the operator set (secret ones masked).</summary>
public sealed record ComponentView(string Name, string Kind, IReadOnlyDictionary<string, string> Config);

/// <summary>A relation as <c>component:endpoint</c> strings, e.g. <c>airbyte:db</c> → <c>postgresql:database</c>.</summary>
public sealed record RelationView(string Requirer, string Provider, string Interface);

/// <summary>An operation in one line: enough to link to it.</summary>
public sealed record OperationSummary(Guid Id, string Kind, string State, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>What a request that may start an operation did: the stack as it is now, the operation started (none when
/// nothing changed) and a sentence about it.</summary>
public sealed record StackChange(StackView Stack, Guid? OperationId, string Message);

/// <summary>An operation with its steps, as the operator follows it.</summary>
public sealed record OperationView(
    Guid Id,
    string Stack,
    string Kind,
    string State,
    string RequestedBy,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    IReadOnlyList<string> Keeps,
    IReadOnlyList<StepView> Steps);

/// <summary>One step of an operation: what it does, what it waits for, and how it went.</summary>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="Runs">How many times a worker ran it (a wait for health counts as a run).</param>
public sealed record StepView(
    string Key,
    string Kind,
    string Description,
    string WaitsFor,
    IReadOnlyList<string> DependsOn,
    string State,
    int Attempts,
    int Runs,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Message,
    string? Error);
