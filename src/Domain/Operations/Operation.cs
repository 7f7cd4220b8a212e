using Portal.Domain.Plans;
using Portal.Domain.Stacks;

namespace Portal.Domain.Operations;

/// <summary>What the runner should do with a step a job was delivered for.</summary>
public enum StepStart
{
    /// <summary>Run it now: the step is this worker's until its lease ends.</summary>
    Run,
    /// <summary>Nothing to do: it already finished, or another worker holds it, or the operation stopped.</summary>
    Skip,
    /// <summary>Not yet: it waits until <see cref="Step.NotBefore"/>.</summary>
    TooEarly,
}

/// <summary>An operation on a stack (deploy, reconfigure, teardown): its steps and their dependency bookkeeping.</summary>
/// <remarks>
/// The aggregate is the unit of consistency: a step's result and the queueing of the steps that waited for it change in
/// one save, guarded by <see cref="Version"/> (optimistic concurrency), so two steps finishing at once cannot both miss
/// that a common dependent is now ready, and a crash between two steps loses nothing. Every transition checks the current
/// state, so a job delivered twice finds its step finished and does nothing.
/// </remarks>
public sealed class Operation
{
    private readonly List<Step> _steps = [];

    private Operation()
    {
    }

    public Guid Id { get; private set; }

    public string Stack { get; private set; } = "";

    public OperationKind Kind { get; private set; }

    public OperationState State { get; private set; }

    /// <summary>The stack spec the operation converges to (for a teardown, the spec being removed). Secrets are never in it.</summary>
    public StackSpec Target { get; private set; } = null!;

    public string RequestedBy { get; private set; } = "";

    public string? Reason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Why it failed, in one sentence naming the step.</summary>
    public string? Error { get; private set; }

    /// <summary>What the teardown keeps (volumes, databases), for the report.</summary>
    public IReadOnlyList<string> Keeps { get; private set; } = [];

    /// <summary>Bumped by every change; the store refuses a save over a newer version.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<Step> Steps => _steps;

    public static Operation Start(Guid id, OperationKind kind, Plan plan, StackSpec target, string requestedBy, string? reason, DateTimeOffset now)
    {
        var operation = new Operation
        {
            Id = id,
            Stack = plan.Stack,
            Kind = kind,
            State = OperationState.Running,
            Target = target,
            RequestedBy = requestedBy,
            Reason = reason,
            CreatedAt = now,
            Keeps = plan.Keeps,
        };
        operation._steps.AddRange(plan.Steps.Select((step, order) => Step.From(id, step, order, now)));
        operation.Settle(now);
        return operation;
    }

    public Step? FindStep(Guid stepId) => _steps.FirstOrDefault(s => s.Id == stepId);

    public Step StepById(Guid stepId) => FindStep(stepId) ?? throw new KeyNotFoundException($"Operation {Id} has no step {stepId}.");

    /// <summary>Steps that should have a job now: queued, or waiting and due.</summary>
    public IReadOnlyList<Step> DueSteps(DateTimeOffset now) => _steps
        .Where(s => s.State == StepState.Queued || (s.State == StepState.Waiting && s.NotBefore <= now))
        .ToList();

    /// <summary>A worker asks to run a step. Decides, and when the answer is <see cref="StepStart.Run"/> takes the lease.</summary>
    /// <remarks>Reads and changes only this step and the operation's state (as <see cref="Renew"/> does): the store may load the
    /// operation with this step alone for it.</remarks>
    public StepStart Begin(Guid stepId, DateTimeOffset now, StepPolicy policy)
    {
        var step = StepById(stepId);
        if (State is not (OperationState.Running or OperationState.Failing))
        {
            return StepStart.Skip;
        }

        switch (step.State)
        {
            case StepState.Queued:
            case StepState.Running when step.LeaseUntil < now:
                break;
            case StepState.Waiting when step.NotBefore <= now:
                break;
            case StepState.Waiting:
                return StepStart.TooEarly;
            default:
                return StepStart.Skip;
        }

        step.Start(now, policy);
        Touch();
        return StepStart.Run;
    }

    /// <summary>The worker still runs the step: extend its lease.</summary>
    public void Renew(Guid stepId, DateTimeOffset now, StepPolicy policy)
    {
        StepById(stepId).Renew(now, policy);
        Touch();
    }

    /// <summary>The step did its work. Returns the steps this made ready.</summary>
    public IReadOnlyList<Step> Complete(Guid stepId, DateTimeOffset now, string? message = null)
    {
        var step = StepById(stepId);
        if (step.State != StepState.Running)
        {
            return [];
        }

        step.Succeed(now, message);
        var ready = new List<Step>();
        if (State is OperationState.Running or OperationState.Failing)
        {
            var byKey = StepsByKey();
            foreach (var dependent in DependentsOf(step.Key).Where(d => d.State == StepState.Blocked && AllDependenciesSucceeded(d, byKey)))
            {
                dependent.Queue(now);
                ready.Add(dependent);
            }
        }

        Settle(now);
        Touch();
        return ready;
    }

    /// <summary>The step is not done yet (a workload still starting): look again soon (<see cref="StepPolicy.PollAfter"/>), or fail
    /// at the deadline.</summary>
    /// <param name="lookAgainAt">When the step knows it cannot be ready before a given time (the end of a grace period): it is
    /// looked at again then (never after its deadline) rather than polled.</param>
    public void NotReady(Guid stepId, DateTimeOffset now, StepPolicy policy, string waitingFor, DateTimeOffset? lookAgainAt = null)
    {
        var step = StepById(stepId);
        if (step.State != StepState.Running)
        {
            return;
        }

        if (step.Deadline <= now)
        {
            FailFinally(step, now, $"still {waitingFor} after {Describe(policy.DeadlineFor(step.Kind))}");
        }
        else
        {
            var next = now + policy.PollAfter(step.Runs);
            if (lookAgainAt is { } at && at > next)
            {
                next = step.Deadline is { } deadline && at > deadline ? deadline : at;
            }

            step.Wait(next, waitingFor, failedAttempt: false, error: null);
        }

        Settle(now);
        Touch();
    }

    /// <summary>The step failed. A transient failure is retried with backoff until the attempts or the deadline run out;
    /// a permanent one (bad credentials, an object owned by someone else) fails at once.</summary>
    /// <param name="retryAfter">How long the other side asked to be left alone (an ACME server's rate limit), when it said: the
    /// next attempt waits at least that long, whatever the back-off.</param>
    public void Failed(Guid stepId, DateTimeOffset now, StepPolicy policy, string error, bool permanent, double jitter, TimeSpan? retryAfter = null)
    {
        var step = StepById(stepId);
        if (step.State != StepState.Running)
        {
            return;
        }

        var attempts = step.FailedAttempts + 1;
        if (permanent || attempts >= policy.MaxAttemptsFor(step.Kind) || step.Deadline <= now)
        {
            var why = permanent ? error : $"{error} (gave up after {attempts} attempt{(attempts == 1 ? "" : "s")})";
            FailFinally(step, now, why);
        }
        else
        {
            var backoff = policy.BackoffAfter(step.Kind, attempts, jitter);
            if (retryAfter is { } asked && asked > backoff)
            {
                backoff = asked;
            }

            step.Wait(now + backoff, $"retrying after: {error}", failedAttempt: true, error);
        }

        Settle(now);
        Touch();
    }

    /// <summary>The portal gave up on running the step at all (its job failed for good on infrastructure errors): the step
    /// fails whatever state it was in, with the reason.</summary>
    public void Abandon(Guid stepId, DateTimeOffset now, string error)
    {
        var step = StepById(stepId);
        if (step.State is not (StepState.Queued or StepState.Running or StepState.Waiting))
        {
            return;
        }

        FailFinally(step, now, error);
        Settle(now);
        Touch();
    }

    /// <summary>Stop: nothing new starts; running steps finish. Returns false when the operation had already finished.</summary>
    public bool Cancel(DateTimeOffset now, string by)
    {
        if (State.IsFinished())
        {
            return false;
        }

        foreach (var step in _steps.Where(s => s.State is StepState.Blocked or StepState.Queued or StepState.Waiting))
        {
            step.Cancel(now, $"cancelled by {by}");
        }

        State = OperationState.Cancelling;
        Settle(now);
        Touch();
        return true;
    }

    /// <summary>Resume a failed or cancelled operation from where it stopped: failed and cancelled steps run again, succeeded
    /// ones are kept. Returns the steps ready at once.</summary>
    public IReadOnlyList<Step> Retry(DateTimeOffset now)
    {
        if (State is not (OperationState.Failed or OperationState.Cancelled))
        {
            throw new InvalidOperationException($"Only a failed or cancelled operation can be retried; this one is {State}.");
        }

        foreach (var step in _steps.Where(s => s.State is StepState.Failed or StepState.Cancelled))
        {
            step.Reset();
            step.Block();
        }

        var ready = new List<Step>();
        var byKey = StepsByKey();
        foreach (var step in _steps.Where(s => s.State == StepState.Blocked && AllDependenciesSucceeded(s, byKey)))
        {
            step.Queue(now);
            ready.Add(step);
        }

        State = OperationState.Running;
        Error = null;
        FinishedAt = null;
        Settle(now);
        Touch();
        return ready;
    }

    /// <summary>Running steps whose worker stopped renewing its lease (it crashed or was killed): a new job may take them
    /// over, since <see cref="Begin"/> hands out a step whose lease has ended.</summary>
    public IReadOnlyList<Step> StepsWithExpiredLease(DateTimeOffset now) =>
        State is OperationState.Running or OperationState.Failing
            ? _steps.Where(s => s.State == StepState.Running && s.LeaseUntil < now).ToList()
            : [];

    private void FailFinally(Step step, DateTimeOffset now, string error)
    {
        step.Fail(now, error);
        Error ??= $"Step '{step.Description}' failed: {error}";
        var cancelled = new Queue<string>([step.Key]);
        while (cancelled.TryDequeue(out var key))
        {
            foreach (var dependent in DependentsOf(key).Where(d => d.State is StepState.Blocked or StepState.Queued or StepState.Waiting))
            {
                dependent.Cancel(now, $"not run: '{step.Description}' failed");
                cancelled.Enqueue(dependent.Key);
            }
        }

        if (State == OperationState.Running)
        {
            State = OperationState.Failing;
        }
    }

    // Moves the operation to its end state once nothing is in flight.
    private void Settle(DateTimeOffset now)
    {
        if (State.IsFinished() || _steps.Any(s => s.State.IsInFlight()))
        {
            return;
        }

        if (State == OperationState.Cancelling)
        {
            State = OperationState.Cancelled;
        }
        else if (_steps.Any(s => s.State == StepState.Failed))
        {
            State = OperationState.Failed;
        }
        else if (_steps.All(s => s.State == StepState.Succeeded))
        {
            State = OperationState.Succeeded;
        }
        else
        {
            // Only blocked steps left with nothing in flight would be a bookkeeping bug: say so loudly.
            throw new InvalidOperationException($"Operation {Id} has blocked steps and nothing in flight: {string.Join(", ", _steps)}.");
        }

        FinishedAt = now;
    }

    private IEnumerable<Step> DependentsOf(string key) => _steps.Where(s => s.DependsOn.Contains(key, StringComparer.Ordinal));

    // Looked up by key rather than searched: a wide operation checks every dependency of every dependent on each completion.
    private Dictionary<string, Step> StepsByKey() => _steps.ToDictionary(s => s.Key, StringComparer.Ordinal);

    private static bool AllDependenciesSucceeded(Step step, Dictionary<string, Step> byKey) =>
        step.DependsOn.All(key => byKey[key].State == StepState.Succeeded);

    private void Touch() => Version++;

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";
}
