using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Operations;

/// <summary>When a step's job fails for good (Hangfire's retries for infrastructure faults ran out), the step fails with a
/// reason the operator can read, instead of staying "running" forever.</summary>
internal sealed partial class StepJobFailureFilter(OperationStore store, TimeProvider time, ILogger<StepJobFailureFilter> logger) : JobFilterAttribute, IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed || StepJob.StepOf(context.BackgroundJob.Job) is not { } stepId)
        {
            return;
        }

        var reason = $"the portal could not run this step ({failed.Exception?.GetType().Name ?? "unknown error"})";
        try
        {
            var operationId = store.OperationOfStepAsync(stepId, CancellationToken.None).GetAwaiter().GetResult();
            if (operationId is { } id)
            {
                store.UpdateAsync(id, o =>
                {
                    o.Abandon(stepId, time.GetUtcNow(), reason);
                    return 0;
                }, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
#pragma warning disable CA1031 // A filter must never fail Hangfire's own state change; the dispatcher retries later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.CouldNotAbandon(logger, e, stepId);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Could not mark step {StepId} failed after its job failed")]
        public static partial void CouldNotAbandon(ILogger logger, Exception exception, Guid stepId);
    }
}
