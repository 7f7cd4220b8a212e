using System.ComponentModel;
using Hangfire;
using Hangfire.Common;
using Hangfire.Storage.Monitoring;

namespace Portal.Provisioning.Operations;

/// <summary>The Hangfire job that runs one step. Its only argument is the step id.</summary>
/// <remarks>
/// The type and method names are persisted in the job storage: renaming them strands queued jobs. Step failures
/// (an API error, a workload not ready) are the runner's to retry, with its own attempts and deadline; Hangfire's retries
/// here only cover the portal's own infrastructure failing (its database unreachable), and <see cref="StepJobFailureFilter"/>
/// fails the step when even those run out.
/// </remarks>
[Queue(StepJob.QueueName)]
[AutomaticRetry(Attempts = 10, DelaysInSeconds = [1, 2, 5, 10, 20, 30, 60, 60, 120, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
internal sealed class StepJob(StepRunner runner)
{
    public const string QueueName = "steps";

    [DisplayName("Run step {0}")]
    public Task RunAsync(Guid stepId, CancellationToken cancellationToken) => runner.RunAsync(stepId, cancellationToken);

    /// <summary>The step id a job of this type carries, or null for any other job.</summary>
    public static Guid? StepOf(Job? job) =>
        job?.Type == typeof(StepJob) && job.Args.Count > 0 && job.Args[0] is Guid stepId ? stepId : null;
}

/// <summary>Delivers steps through Hangfire, and reads its storage for the steps whose job is still on its way.</summary>
internal sealed class HangfireStepScheduler(IBackgroundJobClient jobs, JobStorage storage) : IStepScheduler
{
    private const int Page = 500;

    public void Enqueue(Guid stepId) => jobs.Enqueue<StepJob>(job => job.RunAsync(stepId, CancellationToken.None));

    public void Schedule(Guid stepId, DateTimeOffset at) => jobs.Schedule<StepJob>(job => job.RunAsync(stepId, CancellationToken.None), at);

    public IReadOnlySet<Guid> Pending(DateTimeOffset now, TimeSpan recent)
    {
        var monitor = storage.GetMonitoringApi();
        var pending = new HashSet<Guid>();
        var since = now.UtcDateTime - recent;
        // Waiting in the queue (not yet fetched by a worker): a worker will get them.
        Collect(pending, (from, count) => monitor.EnqueuedJobs(StepJob.QueueName, from, count), dto => dto.InEnqueuedState ? dto.Job : null);
        // Scheduled for later, or due a moment ago. One overdue for longer is stuck: after a crash, Hangfire's scheduler waits for
        // the dead process's lock to time out (minutes) before it enqueues anything, and the sweep must not wait with it.
        Collect(pending, monitor.ScheduledJobs, dto => Utc(dto.EnqueueAt) > since ? dto.Job : null);
        // Taken by a worker a moment ago, which may still be waiting for the operation's lock: give it time to start the step.
        // A worker that has held its job longer either started the step (and holds its lease) or died with it.
        Collect(pending, monitor.ProcessingJobs, dto => dto.StartedAt is { } started && Utc(started) >= since ? dto.Job : null);
        return pending;
    }

    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static void Collect<T>(HashSet<Guid> pending, Func<int, int, JobList<T>> list, Func<T, Job?> job)
    {
        for (var from = 0; ; from += Page)
        {
            var page = list(from, Page);
            foreach (var (_, dto) in page)
            {
                if (dto is not null && StepJob.StepOf(job(dto)) is { } stepId)
                {
                    pending.Add(stepId);
                }
            }

            if (page.Count < Page)
            {
                return;
            }
        }
    }
}
