using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Telemetry;

/// <summary>The operations counter hears of each operation's end exactly once, whichever path ends it (the runner, a cancel, a job
/// given up), on both databases: <see cref="PortalDatabase.OperationFinished"/> is raised after the save that ended it, and never
/// for a save that did not.</summary>
public sealed class OperationLifecycleTelemetryTests
{
    public static TheoryData<string> Providers => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_deploy_delivered_twice_is_reported_finished_once_as_succeeded(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "telemetry");
        try
        {
            var finished = Record(database);
            var operation = await StartAsync(database);
            var queue = new ConcurrentQueue<Guid>(operation.DueSteps(DateTimeOffset.UtcNow).Select(s => s.Id));
            var runner = new StepRunner(
                new OperationStore(database), Enum.GetValues<StepKind>().Select(k => new DoneHandler(k)), new TwiceScheduler(queue), new NoObserver(),
                StepPolicy.Default, TimeProvider.System, NullLogger<StepRunner>.Instance);

            for (var i = 0; i < 1000 && queue.TryDequeue(out var id); i++)
            {
                await runner.RunAsync(id, TestContext.Current.CancellationToken);
            }

            var (id2, state) = Assert.Single(finished);
            Assert.Equal(operation.Id, id2);
            Assert.Equal(OperationState.Succeeded, state);
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public async Task A_cancel_that_settles_at_once_is_reported_once_and_a_later_save_of_the_operation_is_not()
    {
        var (database, cleanup) = await TestDatabases.CreateAsync("sqlite", "telemetry");
        try
        {
            var finished = Record(database);
            var operation = await StartAsync(database);
            await using (var context = database.CreateContext())
            {
                var tracked = await context.Operations.Include(o => o.Steps).SingleAsync(o => o.Id == operation.Id, TestContext.Current.CancellationToken);
                Assert.True(tracked.Cancel(DateTimeOffset.UtcNow, "ops@example.com"));
                await context.SaveChangesAsync(TestContext.Current.CancellationToken);
            }

            await new OperationStore(database).UpdateAsync(operation.Id, o => o.Cancel(DateTimeOffset.UtcNow, "again"), TestContext.Current.CancellationToken);

            Assert.Equal(new[] { (operation.Id, OperationState.Cancelled) }, finished);
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public async Task A_step_whose_job_is_given_up_fails_the_operation_and_is_reported_once_as_failed()
    {
        var (database, cleanup) = await TestDatabases.CreateAsync("sqlite", "telemetry");
        try
        {
            var finished = Record(database);
            var operation = await StartAsync(database);
            var store = new OperationStore(database);
            foreach (var step in operation.DueSteps(DateTimeOffset.UtcNow))
            {
                await store.UpdateAsync(operation.Id, o => o.Begin(step.Id, DateTimeOffset.UtcNow, StepPolicy.Default), TestContext.Current.CancellationToken);
                await store.UpdateAsync(operation.Id, o => { o.Abandon(step.Id, DateTimeOffset.UtcNow, "the portal could not run this step"); return 0; }, TestContext.Current.CancellationToken);
            }

            Assert.Equal(new[] { (operation.Id, OperationState.Failed) }, finished);
        }
        finally
        {
            await cleanup();
        }
    }

    private static ConcurrentQueue<(Guid, OperationState)> Record(PortalDatabase database)
    {
        var finished = new ConcurrentQueue<(Guid, OperationState)>();
        database.OperationFinished += operation => finished.Enqueue((operation.Id, operation.State));
        return finished;
    }

    private static async Task<Operation> StartAsync(PortalDatabase database)
    {
        var target = TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default);
        var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, StackPlanner.Default.Deploy(target).Value, target, "ops@example.com", null, DateTimeOffset.UtcNow);
        await using var context = database.CreateContext();
        context.Operations.Add(operation);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        return operation;
    }

    private sealed class DoneHandler(StepKind kind) : IStepHandler
    {
        public StepKind Kind => kind;

        public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken) => Task.FromResult(StepOutcome.Ok());
    }

    // Every job delivered twice, as Hangfire may after a restart.
    private sealed class TwiceScheduler(ConcurrentQueue<Guid> queue) : IStepScheduler
    {
        public void Enqueue(Guid stepId)
        {
            queue.Enqueue(stepId);
            queue.Enqueue(stepId);
        }

        public void Schedule(Guid stepId, DateTimeOffset at) => Enqueue(stepId);
    }

    private sealed class NoObserver : IOperationObserver
    {
        public Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
