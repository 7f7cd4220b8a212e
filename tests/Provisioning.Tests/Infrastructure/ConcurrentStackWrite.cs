using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Tests.Infrastructure;

/// <summary>Makes another writer's change of a stack (or an operation) land between a request's read and its save, every time, with no
/// timing luck: once armed, it runs the write (on a context of its own) right before each of the next saves that change that stack's
/// record, as the step runner freeing the stack when its operation ends would, in the moment after the request read it.</summary>
/// <remarks>Does nothing until armed. The write's own save is not intercepted.</remarks>
internal sealed class ConcurrentStackWrite : SaveChangesInterceptor
{
    private readonly Lock _lock = new();
    private Func<DbContext, bool> _matches = _ => false;
    private Func<Task>? _write;
    private int _left;
    private bool _writing;

    /// <summary>How many times the write has landed since the last <see cref="Arm"/>.</summary>
    public int Landed { get; private set; }

    /// <summary>Runs <paramref name="write"/> before each of the next <paramref name="times"/> saves that change stack
    /// <paramref name="stack"/>.</summary>
    public void Arm(string stack, Func<Task> write, int times = 1) =>
        ArmWhen(context => context.ChangeTracker.Entries<StackRecord>().Any(e => e.State == EntityState.Modified && e.Entity.Name == stack), write, times);

    /// <summary>Runs <paramref name="write"/> before each of the next <paramref name="times"/> saves that change operation
    /// <paramref name="operation"/> (the step runner writing it while a request handles it).</summary>
    public void ArmOperation(Guid operation, Func<Task> write, int times = 1) =>
        ArmWhen(context => context.ChangeTracker.Entries<Operation>().Any(e => e.State == EntityState.Modified && e.Entity.Id == operation), write, times);

    private void ArmWhen(Func<DbContext, bool> matches, Func<Task> write, int times)
    {
        lock (_lock)
        {
            (_matches, _write, _left, Landed) = (matches, write, times, 0);
        }
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Func<Task>? write = null;
        lock (_lock)
        {
            if (!_writing && _left > 0 && eventData.Context is { } context && _matches(context))
            {
                (_left, _writing, write) = (_left - 1, true, _write);
            }
        }

        if (write is not null)
        {
            try
            {
                await write();
                Landed++;
            }
            finally
            {
                lock (_lock)
                {
                    _writing = false;
                }
            }
        }

        return result;
    }

    /// <summary>The step runner's second write after an operation ended: <see cref="StackOperationObserver"/> frees the stack.</summary>
    public static Func<Task> FreeAsTheRunnerWould(PortalDatabase database, Operation finished) =>
        () => new StackOperationObserver(database, TimeProvider.System).OperationFinishedAsync(finished, CancellationToken.None);

    /// <summary>Another request wins the stack: <paramref name="operation"/> starts on it (the stack's version goes up).</summary>
    public static Func<Task> TakeWith(PortalDatabase database, Operation operation) => async () =>
    {
        await using var context = database.CreateContext();
        var stack = await context.Stacks.SingleAsync(s => s.Name == operation.Stack);
        context.Operations.Add(operation);
        stack.ActiveOperationId = operation.Id;
        stack.Version++;
        await context.SaveChangesAsync();
    };

    /// <summary>Any change of the stack's record: only its version goes up.</summary>
    public static Func<Task> Touch(PortalDatabase database, string stack) => async () =>
    {
        await using var context = database.CreateContext();
        var record = await context.Stacks.SingleAsync(s => s.Name == stack);
        record.UpdatedAt = DateTimeOffset.UtcNow;
        record.Version++;
        await context.SaveChangesAsync();
    };

    /// <summary>Saves <paramref name="finished"/> as the operation stack <paramref name="stack"/> still holds: it ended, and the runner
    /// has not freed the stack yet.</summary>
    public static async Task HoldAsync(PortalDatabase database, string stack, Operation finished)
    {
        await using var context = database.CreateContext();
        var record = await context.Stacks.SingleAsync(s => s.Name == stack);
        context.Operations.Add(finished);
        record.ActiveOperationId = finished.Id;
        record.Version++;
        await context.SaveChangesAsync();
    }

    /// <summary>An operation of <paramref name="kind"/> run to its end (every step done, or the first one failed for good), as the
    /// runner leaves it before it frees the stack.</summary>
    public static Operation Finished(OperationKind kind, Plan plan, StackSpec target, bool succeeded, DateTimeOffset at)
    {
        var operation = Operation.Start(Guid.NewGuid(), kind, plan, target, "ops@example.com", "earlier change", at);
        var failFirst = !succeeded;
        for (var round = 0; !operation.State.IsFinished(); round++)
        {
            Assert.True(round < 1000, $"operation {operation.Id} did not finish");
            foreach (var step in operation.DueSteps(at))
            {
                Assert.Equal(StepStart.Run, operation.Begin(step.Id, at, StepPolicy.Default));
                if (failFirst)
                {
                    operation.Failed(step.Id, at, StepPolicy.Default, "refused by the test", permanent: true, jitter: 0);
                    failFirst = false;
                }
                else
                {
                    operation.Complete(step.Id, at);
                }
            }
        }

        Assert.Equal(succeeded ? OperationState.Succeeded : OperationState.Failed, operation.State);
        return operation;
    }
}
