using Microsoft.Extensions.Logging;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Telemetry;

namespace Portal.Provisioning.Operations;

/// <summary>Runs one delivered step: takes its lease, runs its handler while renewing the lease, records the outcome and
/// the steps it made ready in one save, then hands those to the scheduler.</summary>
/// <remarks>
/// Safe under at-least-once delivery: a repeated delivery finds the step finished (or held by a live worker) and does
/// nothing. A crash between the handler and the save loses only the record, and the handler is idempotent, so the step
/// runs again when its lease ends. Shutdown cancels the handler without recording anything, for the same reason.
/// </remarks>
internal sealed partial class StepRunner(
    OperationStore store,
    IEnumerable<IStepHandler> handlers,
    IStepScheduler scheduler,
    IOperationObserver observer,
    StepPolicy policy,
    TimeProvider time,
    ILogger<StepRunner> logger,
    PortalMetrics? metrics = null)
{
    private readonly Dictionary<StepKind, IStepHandler> _handlers = handlers.ToDictionary(h => h.Kind);

    /// <summary>How often recording a step's outcome is tried before the job fails (and Hangfire retries it).</summary>
    internal const int RecordAttempts = 6;

    public async Task RunAsync(Guid stepId, CancellationToken cancellationToken)
    {
        if (await store.OperationOfStepAsync(stepId, cancellationToken).ConfigureAwait(false) is not { } operationId)
        {
            StepRunnerLog.UnknownStep(logger, stepId);
            return;
        }

        // Taking the step reads and writes that step alone, whatever the operation's size.
        var (start, taken, stack) = await store.UpdateStepAsync(
            operationId, stepId, o => (o.Begin(stepId, time.GetUtcNow(), policy), o.StepById(stepId), o.Stack), cancellationToken).ConfigureAwait(false);
        if (start != StepStart.Run)
        {
            using var skipScope = StepRunnerLog.Scope(logger, operationId, stepId, taken.Key, stack);
            if (start == StepStart.TooEarly)
            {
                scheduler.Schedule(stepId, taken.NotBefore!.Value);
            }
            else
            {
                StepRunnerLog.Skipped(logger, taken.Key, taken.State);
            }

            return;
        }

        // The handler gets the whole operation as it was when the step started, read without holding its lock.
        var operation = await store.FindAsync(operationId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Operation {operationId} does not exist.");
        var step = operation.StepById(stepId);
        using var scope = StepRunnerLog.Scope(logger, operationId, stepId, step.Key, operation.Stack);

        // The step joins its operation's trace (saved with the operation when it started); the query is skipped when nothing traces.
        var traceParent = PortalTelemetry.Source.HasListeners()
            ? await store.TraceParentAsync(operationId, cancellationToken).ConfigureAwait(false)
            : null;
        using var span = OperationTracing.StartStep(traceParent, operation, step);
        var began = time.GetTimestamp();
        StepRunnerLog.Started(logger, step.Key, step.Runs);

        // The lease is renewed until the outcome is recorded, not only while the handler runs: a step whose outcome waits for the
        // database must not be taken over (and run again) meanwhile.
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(operationId, stepId, renewal.Token);
        StepOutcome? outcome;
        IReadOnlyList<Guid> ready;
        Operation after;
        try
        {
            outcome = await RunHandlerAsync(operation, step, cancellationToken).ConfigureAwait(false);
            if (outcome is null)
            {
                OperationTracing.FinishStep(span, StepResults.Interrupted, null);
                metrics?.StepRan(step.Kind, StepResults.Interrupted, time.GetElapsedTime(began));
                return;
            }

            (ready, after) = await RecordAsync(operationId, step, outcome, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }

        var recorded = after.StepById(stepId);
        var result = StepResults.Of(recorded.State, failedAttempt: outcome is StepOutcome.Failed);
        OperationTracing.FinishStep(span, result, recorded.Error ?? recorded.Message);
        metrics?.StepRan(step.Kind, result, time.GetElapsedTime(began));
        StepRunnerLog.Finished(logger, step.Key, recorded.State, recorded.Message ?? "");
        foreach (var id in ready)
        {
            scheduler.Enqueue(id);
        }

        if (recorded.State == StepState.Waiting)
        {
            scheduler.Schedule(stepId, recorded.NotBefore!.Value);
        }

        if (after.State.IsFinished())
        {
            await observer.OperationFinishedAsync(after, cancellationToken).ConfigureAwait(false);
        }
    }

    // Records the outcome and the steps it made ready in one save. A save that fails (the database restarting) is tried again
    // with back-off while the lease is renewed: giving up at once would leave the step running until its lease ended.
    private async Task<(IReadOnlyList<Guid> Ready, Operation After)> RecordAsync(
        Guid operationId, Step step, StepOutcome outcome, CancellationToken cancellationToken)
    {
        var jitter = Random.Shared.NextDouble();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.UpdateAsync(operationId, o => Record(o, step.Id, outcome, jitter), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < RecordAttempts && e is not (OperationCanceledException or KeyNotFoundException))
            {
                var wait = TimeSpan.FromSeconds(Math.Min(10, 1 << (attempt - 1)));
                StepRunnerLog.RecordFailed(logger, e, step.Key, attempt, wait);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private (IReadOnlyList<Guid> Ready, Operation After) Record(Operation operation, Guid stepId, StepOutcome outcome, double jitter)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<Step> readied = [];
        switch (outcome)
        {
            case StepOutcome.Done done:
                readied = operation.Complete(stepId, now, done.Message);
                break;
            case StepOutcome.NotReady notReady:
                operation.NotReady(stepId, now, policy, notReady.WaitingFor, notReady.Until);
                break;
            case StepOutcome.Failed failed:
                operation.Failed(stepId, now, policy, failed.Error, failed.Permanent, jitter, failed.RetryAfter);
                break;
        }

        return (readied.Select(s => s.Id).ToList(), operation);
    }

    // Runs the handler; returns null when shutdown interrupted it.
    private async Task<StepOutcome?> RunHandlerAsync(Operation operation, Step step, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(step.Kind, out var handler))
        {
            return StepOutcome.Fail($"the portal has no handler for {step.Kind} steps", permanent: true);
        }

        try
        {
            return await handler.RunAsync(new StepExecution(operation, step), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            StepRunnerLog.Interrupted(logger, step.Key);
            return null;
        }
        catch (ClusterException e)
        {
            return StepOutcome.Fail(e.Message, permanent: !e.Transient);
        }
#pragma warning disable CA1031 // A bug in a handler must fail the step (with retries), not the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            StepRunnerLog.HandlerCrashed(logger, e, step.Key);
            return StepOutcome.Fail($"unexpected error ({e.GetType().Name})");
        }
    }

    private async Task RenewLeaseAsync(Guid operationId, Guid stepId, CancellationToken cancellationToken)
    {
        var period = policy.Lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
                await store.UpdateStepAsync(operationId, stepId, o =>
                {
                    if (o.StepById(stepId).State == StepState.Running)
                    {
                        o.Renew(stepId, time.GetUtcNow(), policy);
                    }

                    return 0;
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The handler finished (or shutdown): stop renewing.
        }
    }
}

/// <summary>Told when an operation reaches its end, to update the stack it ran on.</summary>
internal interface IOperationObserver
{
    Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken);
}

internal static partial class StepRunnerLog
{
    private static readonly Func<ILogger, Guid, Guid, string, string, IDisposable?> StepScope =
        LoggerMessage.DefineScope<Guid, Guid, string, string>("Operation {OperationId} step {StepId} ({Step}) of stack {Stack}");

    /// <summary>The scope of everything logged while a step runs: its operation, its id and key, and the stack, as structured values.</summary>
    public static IDisposable? Scope(ILogger logger, Guid operationId, Guid stepId, string step, string stack) =>
        StepScope(logger, operationId, stepId, step, stack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A job was delivered for step {StepId}, which does not exist; ignored")]
    public static partial void UnknownStep(ILogger logger, Guid stepId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {Step} is {State}: nothing to do for this delivery")]
    public static partial void Skipped(ILogger logger, string step, StepState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step} started (run {Run})")]
    public static partial void Started(ILogger logger, string step, int run);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step} is {State}: {Message}")]
    public static partial void Finished(ILogger logger, string step, StepState state, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step} was interrupted by shutdown; it runs again when its lease ends")]
    public static partial void Interrupted(ILogger logger, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the outcome of step {Step} (attempt {Attempt}); trying again in {Wait}")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string step, int attempt, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "The handler of step {Step} failed unexpectedly")]
    public static partial void HandlerCrashed(ILogger logger, Exception exception, string step);
}
