using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Portal.Domain.Operations;

namespace Portal.Provisioning.Telemetry;

/// <summary>One trace per operation. When an operation is first saved it gets a span of its own, a new trace, whose W3C
/// <c>traceparent</c> is saved with it (column <see cref="TraceParentProperty"/>); every step, run later as its own job and maybe
/// after a restart, is a child span of it.</summary>
/// <remarks>The operation's span starts a new trace instead of joining the request that started the operation: an operation
/// outlives its request (and a Blazor circuit would otherwise put every operation its user starts into one trace). The span links
/// to that request instead. A traceparent is ids and a sampling flag, no secret. An operation saved while nothing listened to
/// <see cref="PortalTelemetry.Name"/> has no traceparent, and each of its steps is a trace of its own.</remarks>
internal static class OperationTracing
{
    /// <summary>The shadow property (and column) of <see cref="Operation"/> holding the operation's traceparent.</summary>
    public const string TraceParentProperty = "TraceParent";

    /// <summary>The length of a version-00 traceparent: <c>00-{32 hex}-{16 hex}-{2 hex}</c>.</summary>
    public const int TraceParentLength = 55;

    /// <summary>Looks at the operations a save is about to write: starts the trace of each new one (setting its traceparent) and
    /// notes each one that reaches its end. Call <see cref="SaveTracking.Saved"/> after the save, and dispose.</summary>
    public static SaveTracking BeforeSave(ChangeTracker tracker)
    {
        List<Activity>? started = null;
        List<Operation>? finished = null;
        foreach (var entry in tracker.Entries<Operation>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    var traceParent = entry.Property<string?>(TraceParentProperty);
                    if (traceParent.CurrentValue is null && StartOperationSpan(entry.Entity) is { } span)
                    {
                        traceParent.CurrentValue = span.Id;
                        (started ??= []).Add(span);
                    }

                    if (entry.Entity.State.IsFinished())
                    {
                        (finished ??= []).Add(entry.Entity);
                    }

                    break;
                case EntityState.Modified:
                    var state = entry.Property(o => o.State);
                    if (!state.OriginalValue.IsFinished() && state.CurrentValue.IsFinished())
                    {
                        (finished ??= []).Add(entry.Entity);
                    }

                    break;
            }
        }

        return new SaveTracking(started, finished);
    }

    /// <summary>Starts the span of one run of a step, as a child of its operation's span when the operation has a traceparent; null
    /// when nothing listens.</summary>
    public static Activity? StartStep(string? operationTraceParent, Operation operation, Step step)
    {
        if (!PortalTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(operationTraceParent, null, isRemote: true, out var parent);
        var caller = Activity.Current;
        // The job runs outside any request; a step belongs to its operation's trace and nothing else.
        Activity.Current = null;
        var activity = PortalTelemetry.Source.StartActivity($"step {step.Kind}", ActivityKind.Internal, parent);
        if (activity is null)
        {
            Activity.Current = caller;
            return null;
        }

        activity.SetTag(PortalTelemetryTags.Stack, operation.Stack);
        activity.SetTag(PortalTelemetryTags.OperationId, operation.Id.ToString());
        activity.SetTag(PortalTelemetryTags.OperationKind, operation.Kind.ToString());
        activity.SetTag(PortalTelemetryTags.StepId, step.Id.ToString());
        activity.SetTag(PortalTelemetryTags.StepKey, step.Key);
        activity.SetTag(PortalTelemetryTags.StepKind, step.Kind.ToString());
        activity.SetTag(PortalTelemetryTags.StepAttempt, step.Runs);
        return activity;
    }

    /// <summary>Ends a step's span with its result (<see cref="StepResults"/>).</summary>
    public static void FinishStep(Activity? activity, string result, string? message)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(PortalTelemetryTags.StepResult, result);
        if (result is StepResults.Failed or StepResults.Retrying)
        {
            activity.SetStatus(ActivityStatusCode.Error, message);
        }

        activity.Dispose();
    }

    private static Activity? StartOperationSpan(Operation operation)
    {
        if (!PortalTelemetry.Source.HasListeners())
        {
            return null;
        }

        var caller = Activity.Current;
        Activity.Current = null;
        try
        {
            ActivityLink[]? links = caller is null ? null : [new ActivityLink(caller.Context)];
            var activity = PortalTelemetry.Source.StartActivity(
                ActivityKind.Internal,
                parentContext: default,
                tags: null,
                links: links,
                name: $"operation {operation.Kind}");
            if (activity is not null)
            {
                activity.SetTag(PortalTelemetryTags.Stack, operation.Stack);
                activity.SetTag(PortalTelemetryTags.OperationId, operation.Id.ToString());
                activity.SetTag(PortalTelemetryTags.OperationKind, operation.Kind.ToString());
            }

            return activity;
        }
        finally
        {
            Activity.Current = caller;
        }
    }

    /// <summary>What a save started and finished; see <see cref="BeforeSave"/>.</summary>
    internal sealed class SaveTracking(List<Activity>? started, List<Operation>? finished) : IDisposable
    {
        private bool _saved;

        /// <summary>The save succeeded: the operations that reached their end are reported to <paramref name="finishedHandler"/>.</summary>
        public void Saved(Action<Operation>? finishedHandler)
        {
            _saved = true;
            if (finished is null || finishedHandler is null)
            {
                return;
            }

            foreach (var operation in finished)
            {
                finishedHandler(operation);
            }
        }

        public void Dispose()
        {
            if (started is null)
            {
                return;
            }

            var caller = Activity.Current;
            foreach (var span in started)
            {
                if (!_saved)
                {
                    span.SetStatus(ActivityStatusCode.Error, "the operation was not saved");
                }

                span.Dispose();
            }

            // Stopping a span makes its parent current: these have none, and the caller's own span must stay current.
            Activity.Current = caller;
        }
    }
}

/// <summary>The result of one run of a step, as spans and the step-duration histogram report it.</summary>
internal static class StepResults
{
    /// <summary>The step did its work.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Not done yet (a workload still starting): it is looked at again.</summary>
    public const string Waiting = "waiting";

    /// <summary>A transient failure: it runs again after a back-off.</summary>
    public const string Retrying = "retrying";

    /// <summary>Failed for good.</summary>
    public const string Failed = "failed";

    /// <summary>Shutdown stopped it; it runs again when its lease ends.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The result of a run, from the state the step was recorded in afterwards.</summary>
    public static string Of(StepState recorded, bool failedAttempt) => recorded switch
    {
        StepState.Succeeded => Succeeded,
        StepState.Waiting when failedAttempt => Retrying,
        StepState.Waiting => Waiting,
        StepState.Failed => Failed,
        _ => recorded.ToString().ToLowerInvariant(),
    };
}
