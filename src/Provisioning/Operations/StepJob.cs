using System.ComponentModel;
using Hangfire;

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
}

/// <summary>Delivers steps through Hangfire.</summary>
internal sealed class HangfireStepScheduler(IBackgroundJobClient jobs) : IStepScheduler
{
    public void Enqueue(Guid stepId) => jobs.Enqueue<StepJob>(job => job.RunAsync(stepId, CancellationToken.None));

    public void Schedule(Guid stepId, DateTimeOffset at) => jobs.Schedule<StepJob>(job => job.RunAsync(stepId, CancellationToken.None), at);
}
