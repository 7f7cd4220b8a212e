using Portal.Domain.Plans;

namespace Portal.Domain.Operations;

/// <summary>One step of an operation as it runs: a plan step plus its state, attempts, timings and last error.</summary>
/// <remarks>State changes go through <see cref="Operation"/>, which also does the dependency bookkeeping, so a step
/// and the steps waiting for it always change together.</remarks>
public sealed class Step
{
    private List<string> _dependsOn = [];

    private Step()
    {
    }

    public Guid Id { get; private set; }

    public Guid OperationId { get; private set; }

    /// <summary>The plan step id, e.g. <c>apply:airbyte</c>.</summary>
    public string Key { get; private set; } = "";

    public StepKind Kind { get; private set; }

    public string? Component { get; private set; }

    /// <summary>The relation's key (<see cref="Blueprints.RelationSpec.Key"/>) for relation steps.</summary>
    public string? Relation { get; private set; }

    /// <summary>What a certificate step works on (the hostname, and the revision to restore); null for other steps.</summary>
    public StepSubject? Subject { get; private set; }

    public string Description { get; private set; } = "";

    public string WaitsFor { get; private set; } = "";

    public bool DeleteData { get; private set; }

    /// <summary>Position in the plan's topological order, for display.</summary>
    public int Order { get; private set; }

    public IReadOnlyList<string> DependsOn
    {
        get => _dependsOn;
        private set => _dependsOn = [.. value];
    }

    public StepState State { get; private set; }

    /// <summary>Attempts that failed (not-ready-yet polls do not count).</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>Times a worker started the step.</summary>
    public int Runs { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>When the step last became ready to run; the dispatcher re-delivers steps that stay queued too long.</summary>
    public DateTimeOffset? QueuedAt { get; private set; }

    /// <summary>When a waiting step runs again.</summary>
    public DateTimeOffset? NotBefore { get; private set; }

    /// <summary>When the step gives up waiting or retrying; set when it first starts.</summary>
    public DateTimeOffset? Deadline { get; private set; }

    /// <summary>Until when the worker running it holds it; after that another worker may take it over.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>What the step last said: what it waits for, or why it failed.</summary>
    public string? Message { get; private set; }

    public string? Error { get; private set; }

    internal static Step From(Guid operationId, PlanStep step, int order, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        OperationId = operationId,
        Key = step.Id,
        Kind = step.Kind,
        Component = step.Component,
        Relation = step.Relation?.Key,
        Subject = step.Subject,
        Description = step.Description,
        WaitsFor = step.WaitsFor,
        DeleteData = step.DeleteData,
        Order = order,
        DependsOn = step.DependsOn,
        State = step.DependsOn.Count == 0 ? StepState.Queued : StepState.Blocked,
        QueuedAt = step.DependsOn.Count == 0 ? now : null,
    };

    internal void Queue(DateTimeOffset now)
    {
        Require(StepState.Blocked, StepState.Waiting, StepState.Failed, StepState.Cancelled);
        State = StepState.Queued;
        QueuedAt = now;
        NotBefore = null;
    }

    internal void Block()
    {
        Require(StepState.Failed, StepState.Cancelled, StepState.Blocked);
        State = StepState.Blocked;
    }

    internal void Start(DateTimeOffset now, StepPolicy policy)
    {
        Require(StepState.Queued, StepState.Waiting, StepState.Running);
        State = StepState.Running;
        Runs++;
        StartedAt ??= now;
        Deadline ??= now + policy.DeadlineFor(Kind);
        LeaseUntil = now + policy.Lease;
        NotBefore = null;
    }

    internal void Renew(DateTimeOffset now, StepPolicy policy)
    {
        Require(StepState.Running);
        LeaseUntil = now + policy.Lease;
    }

    internal void Succeed(DateTimeOffset now, string? message)
    {
        Require(StepState.Running);
        State = StepState.Succeeded;
        FinishedAt = now;
        LeaseUntil = null;
        Message = message;
        Error = null;
    }

    internal void Wait(DateTimeOffset notBefore, string message, bool failedAttempt, string? error)
    {
        Require(StepState.Running);
        State = StepState.Waiting;
        NotBefore = notBefore;
        LeaseUntil = null;
        Message = message;
        if (failedAttempt)
        {
            FailedAttempts++;
            Error = error;
        }
    }

    internal void Fail(DateTimeOffset now, string error)
    {
        Require(StepState.Running, StepState.Waiting, StepState.Queued);
        State = StepState.Failed;
        FinishedAt = now;
        LeaseUntil = null;
        Error = error;
        Message = error;
    }

    internal void Cancel(DateTimeOffset now, string why)
    {
        Require(StepState.Blocked, StepState.Queued, StepState.Waiting);
        State = StepState.Cancelled;
        FinishedAt = now;
        NotBefore = null;
        Message = why;
    }

    /// <summary>Back to the start for a retry of the operation: attempts and deadline start again.</summary>
    internal void Reset()
    {
        Require(StepState.Failed, StepState.Cancelled);
        FailedAttempts = 0;
        Deadline = null;
        StartedAt = null;
        FinishedAt = null;
        Error = null;
        Message = null;
    }

    private void Require(params StepState[] allowed)
    {
        if (!allowed.Contains(State))
        {
            throw new InvalidOperationException($"Step {Key} is {State}; this change needs it to be {string.Join(" or ", allowed)}.");
        }
    }

    public override string ToString() => $"{Key} ({State})";
}
