using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Operations;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Operations;

/// <summary>Makes sure every step that should run has a job: at start (jobs in memory die with the process) and then on a
/// timer (a crash between saving a step as queued and enqueueing its job, a worker that died holding a lease).</summary>
/// <remarks>The portal database is the source of truth; the job queue only delivers. A step delivered twice is harmless:
/// <see cref="Operation.Begin"/> lets one worker run it.</remarks>
internal sealed partial class StepDispatcher(
    OperationStore store, IStepScheduler scheduler, TimeProvider time, ILogger<StepDispatcher> logger, IOperationObserver? observer = null)
    : BackgroundService
{
    /// <summary>How long a step may stay due without being picked up before it is delivered again.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await SweepAsync(TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(Grace, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SweepAsync(Grace, stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The sweep must outlive a database hiccup; the next tick tries again.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                StepDispatcherLog.SweepFailed(logger, e);
            }
        }
    }

    /// <summary>Delivers the steps due for longer than <paramref name="grace"/>, and those whose worker lost its lease, unless
    /// their job is still on its way (a wide operation keeps steps queued for longer than the grace while the workers are busy:
    /// delivering those again would only double the queue).</summary>
    public async Task<int> SweepAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var delivered = 0;
        IReadOnlySet<Guid>? pending = null;
        foreach (var id in await store.UnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await store.FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } operation)
            {
                continue;
            }

            var due = operation.Steps.Where(s =>
                (s.State == StepState.Queued && s.QueuedAt <= now - grace)
                || (s.State == StepState.Waiting && s.NotBefore <= now - grace)).Concat(operation.StepsWithExpiredLease(now)).ToList();
            if (due.Count == 0)
            {
                continue;
            }

            pending ??= scheduler.Pending(now, Grace);
            foreach (var step in due.Where(s => !pending.Contains(s.Id)))
            {
                scheduler.Enqueue(step.Id);
                delivered++;
            }
        }

        if (delivered > 0)
        {
            StepDispatcherLog.Redelivered(logger, delivered);
        }

        // An operation that ended just before a crash, whose stack the runner had not freed yet: free it as the runner would.
        if (observer is not null)
        {
            foreach (var ended in await store.EndedButHoldingAsync(cancellationToken).ConfigureAwait(false))
            {
                await observer.OperationFinishedAsync(ended, cancellationToken).ConfigureAwait(false);
            }
        }

        return delivered;
    }
}

internal static partial class StepDispatcherLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered {Count} step(s) that had no live job")]
    public static partial void Redelivered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The step sweep failed; it runs again shortly")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
