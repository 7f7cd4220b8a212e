using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.Logging;
using Hangfire.States;
using Portal.Provisioning.Operations;

namespace Portal.Provisioning.Tests.Operations;

/// <summary>What the step dispatcher learns from Hangfire's storage: which steps still have a job on its way.</summary>
public sealed class HangfireStepSchedulerTests : IDisposable
{
    private static readonly TimeSpan Recent = TimeSpan.FromSeconds(15);
    private readonly InMemoryStorage _storage;

    public HangfireStepSchedulerTests()
    {
        // Hangfire logs through a process-wide provider, which the last portal host of another test set to its logger factory,
        // disposed since: this storage would log to it.
        LogProvider.SetCurrentLogProvider(new NoLogs());
        _storage = new InMemoryStorage();
    }

    public void Dispose() => _storage.Dispose();

    [Fact]
    public void Steps_waiting_in_the_queue_or_scheduled_are_pending_and_other_jobs_are_not()
    {
        var client = new BackgroundJobClient(_storage);
        var scheduler = new HangfireStepScheduler(client, _storage);
        var (queued, scheduled, done) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        scheduler.Enqueue(queued);
        scheduler.Schedule(scheduled, DateTimeOffset.UtcNow.AddMinutes(5));
        scheduler.Enqueue(done);
        var doneJob = _storage.GetMonitoringApi().EnqueuedJobs(StepJob.QueueName, 0, 10).Single(j => StepJob.StepOf(j.Value.Job) == done).Key;
        client.ChangeState(doneJob, new SucceededState(null, 1, 1));
        client.Enqueue(() => Console.WriteLine("not a step"));

        var pending = scheduler.Pending(DateTimeOffset.UtcNow, Recent);

        Assert.Equal(new[] { queued, scheduled }.Order(), pending.Order());
    }

    [Fact]
    public void A_scheduled_step_overdue_for_longer_than_a_moment_is_not_pending()
    {
        // After a crash Hangfire's scheduler waits for the dead process's lock before it enqueues anything: the sweep must deliver.
        var scheduler = new HangfireStepScheduler(new BackgroundJobClient(_storage), _storage);
        var (dueNow, stuck) = (Guid.NewGuid(), Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;
        scheduler.Schedule(dueNow, now.AddSeconds(-2));
        scheduler.Schedule(stuck, now - Recent - TimeSpan.FromSeconds(5));

        Assert.Equal([dueNow], scheduler.Pending(now, Recent));
    }

    [Fact]
    public void A_step_a_worker_took_a_moment_ago_is_pending_and_one_held_for_longer_is_not()
    {
        var client = new BackgroundJobClient(_storage);
        var scheduler = new HangfireStepScheduler(client, _storage);
        var taken = Guid.NewGuid();
        scheduler.Enqueue(taken);
        var job = _storage.GetMonitoringApi().EnqueuedJobs(StepJob.QueueName, 0, 10).Single().Key;
        var now = DateTimeOffset.UtcNow;
        Assert.True(client.ChangeState(job, new Taken(now)));

        Assert.Equal([taken], scheduler.Pending(now.AddSeconds(2), Recent));
        // Held for longer: its worker started the step (and holds its lease) or died with it; either way the sweep decides.
        Assert.Empty(scheduler.Pending(now + Recent + TimeSpan.FromSeconds(5), Recent));
    }

    /// <summary>Hangfire's processing state as a worker records it when it takes a job, at a chosen time.</summary>
    private sealed class Taken(DateTimeOffset at) : IState
    {
        public string Name => ProcessingState.StateName;

        public string? Reason => null;

        public bool IsFinal => false;

        public bool IgnoreJobLoadException => false;

        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(at.UtcDateTime),
            ["ServerId"] = "server",
            ["WorkerId"] = "worker",
        };
    }

    private sealed class NoLogs : ILogProvider, ILog
    {
        public ILog GetLogger(string name) => this;

        public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
