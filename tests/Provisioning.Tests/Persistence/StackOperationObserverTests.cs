using Microsoft.EntityFrameworkCore;
using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Persistence;

/// <summary>The runner frees a stack in a second write after the one that ended its operation; what happened in between decides.</summary>
public sealed class StackOperationObserverTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private PortalDatabase _database = null!;
    private Func<Task> _cleanup = () => Task.CompletedTask;

    public async ValueTask InitializeAsync() => (_database, _cleanup) = await TestDatabases.CreateAsync("sqlite", "observer");

    public async ValueTask DisposeAsync() => await _cleanup();

    [Fact]
    public async Task A_finished_operation_frees_its_stack()
    {
        var failed = await FailedOperationOnItsStackAsync();

        await new StackOperationObserver(_database, TimeProvider.System).OperationFinishedAsync(failed, CancellationToken.None);

        var stack = await StackAsync();
        Assert.Null(stack.ActiveOperationId);
        Assert.Equal(failed.Id, stack.LastOperationId);
    }

    [Fact]
    public async Task An_operation_retried_before_its_stack_was_freed_keeps_the_stack()
    {
        var failed = await FailedOperationOnItsStackAsync();
        // The operator retries in the instant between the runner saving the failure and freeing the stack: it runs again, same id.
        await new OperationStore(_database).UpdateAsync(failed.Id, o => o.Retry(T0.AddMinutes(1)), CancellationToken.None);

        await new StackOperationObserver(_database, TimeProvider.System).OperationFinishedAsync(failed, CancellationToken.None);

        var stack = await StackAsync();
        Assert.Equal(failed.Id, stack.ActiveOperationId);
    }

    [Fact]
    public async Task After_a_crash_between_an_operations_end_and_the_free_the_dispatchers_sweep_frees_the_stack()
    {
        var failed = await FailedOperationOnItsStackAsync();
        var store = new OperationStore(_database);
        var dispatcher = new Portal.Provisioning.Operations.StepDispatcher(
            store, new NoScheduler(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Portal.Provisioning.Operations.StepDispatcher>.Instance,
            new StackOperationObserver(_database, TimeProvider.System));

        await dispatcher.SweepAsync(TimeSpan.Zero, CancellationToken.None);

        var stack = await StackAsync();
        Assert.Null(stack.ActiveOperationId);
        Assert.Equal(failed.Id, stack.LastOperationId);
        Assert.Empty(await store.EndedButHoldingAsync(CancellationToken.None));
    }

    private sealed class NoScheduler : Portal.Provisioning.Operations.IStepScheduler
    {
        public void Enqueue(Guid stepId) => throw new InvalidOperationException("nothing is due");

        public void Schedule(Guid stepId, DateTimeOffset at) => throw new InvalidOperationException("nothing is due");
    }

    private async Task<Operation> FailedOperationOnItsStackAsync()
    {
        var target = TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default);
        var plan = StackPlanner.Default.Deploy(target).Value;
        var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, target, "ops", null, T0);
        await using (var context = _database.CreateContext())
        {
            context.Operations.Add(operation);
            context.Stacks.Add(new StackRecord
            {
                Id = Guid.NewGuid(), Name = target.Name, Blueprint = target.Blueprint, Cluster = target.Cluster, Namespace = target.Namespace,
                Spec = target, ActiveOperationId = operation.Id, CreatedAt = T0,
            });
            await context.SaveChangesAsync();
        }

        var store = new OperationStore(_database);
        var first = operation.DueSteps(T0)[0].Id;
        return await store.UpdateAsync(operation.Id, o =>
        {
            o.Begin(first, T0, StepPolicy.Default);
            o.Failed(first, T0, StepPolicy.Default, "refused", permanent: true, jitter: 0);
            return o;
        }, CancellationToken.None) is { State: OperationState.Failed } failed
            ? failed
            : throw new InvalidOperationException("the operation did not fail");
    }

    private async Task<StackRecord> StackAsync()
    {
        await using var context = _database.CreateContext();
        return await context.Stacks.AsNoTracking().SingleAsync();
    }
}
