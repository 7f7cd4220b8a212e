using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Operations;

public sealed class StepRunnerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
    private readonly RecordingScheduler _scheduler = new();
    private readonly ScriptedHandlers _handlers = new();
    private readonly RecordingObserver _observer = new();
    private PortalDatabase _database = null!;
    private Func<Task> _cleanup = () => Task.CompletedTask;

    public async ValueTask InitializeAsync() => (_database, _cleanup) = await TestDatabases.CreateAsync("sqlite", "runner");

    public async ValueTask DisposeAsync() => await _cleanup();

    private OperationStore Store => new(_database);

    private StepRunner Runner => new(Store, _handlers.All, _scheduler, _observer, StepPolicy.Default, _time, NullLogger<StepRunner>.Instance);

    private async Task<Operation> StartDeployAsync()
    {
        var target = TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default);
        var plan = StackPlanner.Default.Deploy(target).Value;
        var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, target, "ops@example.com", null, _time.GetUtcNow());
        await using (var context = _database.CreateContext())
        {
            context.Operations.Add(operation);
            await context.SaveChangesAsync();
        }

        foreach (var step in operation.DueSteps(_time.GetUtcNow()))
        {
            _scheduler.Enqueue(step.Id);
        }

        return operation;
    }

    // Delivers queued jobs until none is left, and scheduled ones whose time has come (advancing the clock to them).
    private async Task DrainAsync(int maxDeliveries = 2000)
    {
        for (var i = 0; i < maxDeliveries; i++)
        {
            if (_scheduler.Queue.TryDequeue(out var id))
            {
                await Runner.RunAsync(id, CancellationToken.None);
                continue;
            }

            if (_scheduler.NextScheduled() is not { } scheduled)
            {
                return;
            }

            if (scheduled.At > _time.GetUtcNow())
            {
                _time.SetUtcNow(scheduled.At);
            }

            _scheduler.Queue.Enqueue(scheduled.StepId);
        }

        Assert.Fail("The operation did not settle.");
    }

    [Fact]
    public async Task A_deploy_runs_every_step_once_in_dependency_order_and_succeeds()
    {
        var operation = await StartDeployAsync();

        await DrainAsync();

        var saved = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Succeeded, saved.State);
        Assert.Equal(saved.Steps.Count, _handlers.Runs.Count);
        Assert.All(_handlers.Runs.GroupBy(r => r), g => Assert.Single(g));
        foreach (var step in saved.Steps)
        {
            var position = _handlers.Runs.IndexOf(step.Key);
            Assert.All(step.DependsOn, prerequisite => Assert.True(_handlers.Runs.IndexOf(prerequisite) < position, $"{prerequisite} ran after {step.Key}"));
        }

        Assert.Equal([operation.Id], _observer.Finished);
    }

    [Fact]
    public async Task Every_job_delivered_twice_still_runs_each_step_once()
    {
        var operation = await StartDeployAsync();
        _scheduler.DeliverTwice = true;

        await DrainAsync();

        Assert.Equal(OperationState.Succeeded, (await Store.FindAsync(operation.Id, CancellationToken.None))!.State);
        Assert.All(_handlers.Runs.GroupBy(r => r), g => Assert.Single(g));
        Assert.Single(_observer.Finished);
    }

    [Fact]
    public async Task A_step_not_ready_yet_waits_and_looks_again_without_failing()
    {
        var operation = await StartDeployAsync();
        var awaitStep = operation.Steps.First(s => s.Kind == StepKind.AwaitHealthy).Key;
        _handlers.Script(awaitStep, StepOutcome.Wait("waiting for 1 of 2 pods"), StepOutcome.Wait("waiting for 1 of 2 pods"), StepOutcome.Ok());

        await DrainAsync();

        var saved = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Succeeded, saved.State);
        Assert.Equal(3, _handlers.Runs.Count(r => r == awaitStep));
        Assert.Equal(0, saved.Steps.Single(s => s.Key == awaitStep).FailedAttempts);
    }

    [Fact]
    public async Task A_transient_cluster_error_is_retried_and_the_deploy_completes()
    {
        var operation = await StartDeployAsync();
        var first = operation.Steps[0].Key;
        _handlers.Throw(first, new ClusterException("Cluster sandbox could not apply Namespace airbyte-prod: 503", System.Net.HttpStatusCode.ServiceUnavailable, transient: true));

        await DrainAsync();

        var saved = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Succeeded, saved.State);
        Assert.Equal(1, saved.Steps.Single(s => s.Key == first).FailedAttempts);
    }

    [Fact]
    public async Task A_permanent_failure_cancels_its_dependents_and_fails_the_operation_with_the_reason()
    {
        var operation = await StartDeployAsync();
        var database = operation.Steps.First(s => s.Kind == StepKind.ProvisionRelation && s.Relation == "airbyte:db--postgresql:database").Key;
        _handlers.Script(database, StepOutcome.Fail("cannot log in as portal_admin on db.example.com:5432: password authentication failed", permanent: true));

        await DrainAsync();

        var saved = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Failed, saved.State);
        Assert.Contains("password authentication failed", saved.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Cancelled, saved.Steps.Single(s => s.Key == "apply:airbyte" || (s.Kind == StepKind.ApplyComponent && s.Component == "airbyte")).State);
        Assert.Contains(saved.Steps, s => s.State == StepState.Succeeded && s.Component == "minio");
        Assert.Equal([operation.Id], _observer.Finished);
    }

    [Fact]
    public async Task A_worker_that_dies_mid_step_loses_nothing_the_step_runs_again_after_its_lease()
    {
        var operation = await StartDeployAsync();
        var first = operation.Steps[0];
        using (var shutdown = new CancellationTokenSource())
        {
            _handlers.OnRun(first.Key, () => shutdown.Cancel());
            _scheduler.Queue.Clear();
            await Runner.RunAsync(first.Id, shutdown.Token);
        }

        var afterCrash = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(StepState.Running, afterCrash.Steps.Single(s => s.Id == first.Id).State);

        // A new process: its dispatcher finds the step whose lease ran out and delivers it again.
        _time.Advance(StepPolicy.Default.Lease + TimeSpan.FromSeconds(1));
        var dispatcher = new StepDispatcher(Store, _scheduler, _time, NullLogger<StepDispatcher>.Instance);
        Assert.True(await dispatcher.SweepAsync(StepDispatcher.Grace, CancellationToken.None) >= 1);
        await DrainAsync();

        var saved = (await Store.FindAsync(operation.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Succeeded, saved.State);
        Assert.Equal(2, saved.Steps.Single(s => s.Id == first.Id).Runs);
    }

    [Fact]
    public async Task After_a_restart_the_dispatcher_delivers_queued_steps_whose_jobs_were_lost()
    {
        var operation = await StartDeployAsync();
        _scheduler.Queue.Clear();

        var dispatcher = new StepDispatcher(Store, _scheduler, _time, NullLogger<StepDispatcher>.Instance);
        var delivered = await dispatcher.SweepAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(operation.DueSteps(_time.GetUtcNow()).Count, delivered);
        await DrainAsync();
        Assert.Equal(OperationState.Succeeded, (await Store.FindAsync(operation.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task The_sweep_leaves_overdue_steps_whose_job_is_still_on_its_way_and_delivers_them_once_it_is_gone()
    {
        var operation = await StartDeployAsync();
        _scheduler.Queue.Clear();
        var due = operation.DueSteps(_time.GetUtcNow()).Select(s => s.Id).Order().ToList();
        _scheduler.Pending = due.ToHashSet();
        _time.Advance(StepDispatcher.Grace + TimeSpan.FromSeconds(1));
        var dispatcher = new StepDispatcher(Store, _scheduler, _time, NullLogger<StepDispatcher>.Instance);

        Assert.Equal(0, await dispatcher.SweepAsync(StepDispatcher.Grace, CancellationToken.None));
        Assert.Empty(_scheduler.Queue);

        _scheduler.Pending = new HashSet<Guid>();
        Assert.Equal(due.Count, await dispatcher.SweepAsync(StepDispatcher.Grace, CancellationToken.None));
        Assert.Equal(due, _scheduler.Queue.Order());
    }

    private sealed class RecordingScheduler : IStepScheduler
    {
        private readonly List<(Guid StepId, DateTimeOffset At)> _scheduled = [];

        public ConcurrentQueue<Guid> Queue { get; } = new();

        public bool DeliverTwice { get; set; }

        public IReadOnlySet<Guid> Pending { get; set; } = new HashSet<Guid>();

        IReadOnlySet<Guid> IStepScheduler.Pending(DateTimeOffset now, TimeSpan recent) => Pending;

        public void Enqueue(Guid stepId)
        {
            Queue.Enqueue(stepId);
            if (DeliverTwice)
            {
                Queue.Enqueue(stepId);
            }
        }

        public void Schedule(Guid stepId, DateTimeOffset at) => _scheduled.Add((stepId, at));

        public (Guid StepId, DateTimeOffset At)? NextScheduled()
        {
            if (_scheduled.Count == 0)
            {
                return null;
            }

            var next = _scheduled.OrderBy(s => s.At).First();
            _scheduled.Remove(next);
            return next;
        }
    }

    private sealed class RecordingObserver : IOperationObserver
    {
        public List<Guid> Finished { get; } = [];

        public Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken)
        {
            Finished.Add(operation.Id);
            return Task.CompletedTask;
        }
    }

    // One handler per step kind that records every run and plays a script of outcomes per step key (default: done).
    private sealed class ScriptedHandlers
    {
        private readonly Dictionary<string, Queue<Func<StepOutcome>>> _scripts = [];
        private readonly Dictionary<string, Action> _onRun = [];

        public List<string> Runs { get; } = [];

        public IEnumerable<IStepHandler> All => Enum.GetValues<StepKind>().Select(kind => new Handler(kind, this));

        public void Script(string key, params StepOutcome[] outcomes) =>
            _scripts[key] = new Queue<Func<StepOutcome>>(outcomes.Select(o => (Func<StepOutcome>)(() => o)));

        public void Throw(string key, Exception exception) =>
            _scripts[key] = new Queue<Func<StepOutcome>>([() => throw exception]);

        public void OnRun(string key, Action action) => _onRun[key] = action;

        private sealed class Handler(StepKind kind, ScriptedHandlers owner) : IStepHandler
        {
            public StepKind Kind => kind;

            public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
            {
                owner.Runs.Add(execution.Step.Key);
                if (owner._onRun.Remove(execution.Step.Key, out var action))
                {
                    action();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return Task.FromResult(owner._scripts.TryGetValue(execution.Step.Key, out var script) && script.TryDequeue(out var next)
                    ? next()
                    : StepOutcome.Ok());
            }
        }
    }
}
