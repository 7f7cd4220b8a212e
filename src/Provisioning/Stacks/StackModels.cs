using Portal.Domain.Stacks;

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

/// <summary>A day-2 config change: the given options are merged into the stored spec; a null value removes the explicit
/// value so that the default applies again.</summary>
public sealed record UpdateStackCommand(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> Config,
    string? Reason = null);

/// <summary>A teardown: what to delete beyond the stack's objects, and why (a reason is required).</summary>
public sealed record TeardownStackCommand(bool DeleteVolumes, bool DropDatabases, bool DeleteNamespace, string? Reason);

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
