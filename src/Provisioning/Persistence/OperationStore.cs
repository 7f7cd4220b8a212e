using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;

namespace Portal.Provisioning.Persistence;

/// <summary>Loads operations and changes them one at a time: every change locks the operation's row, applies the change to the
/// latest saved state and saves it in the same transaction.</summary>
/// <remarks>
/// Workers finishing steps of one operation at once queue on the lock instead of racing: a change never starts over because
/// another worker saved first (with 100 steps in flight, optimistic retries of whole aggregates cost more than the steps).
/// PostgreSQL locks the row (<c>SELECT … FOR UPDATE</c>); SQLite's transactions take the database's write lock when they begin.
/// The version check stays as a guard for writers that do not lock (a cancel from the UI): on a conflict the change is applied
/// again to the newer state, which is safe because every transition checks the state it finds.
/// </remarks>
internal sealed class OperationStore(PortalDatabase database)
{
    private const int MaxConflicts = 20;

    public async Task<Operation?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Operations.AsNoTracking().Include(o => o.Steps).AsSplitQuery()
            .FirstOrDefaultAsync(o => o.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The operation that owns a step.</summary>
    public async Task<Guid?> OperationOfStepAsync(Guid stepId, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Set<Step>().Where(s => s.Id == stepId).Select(s => (Guid?)s.OperationId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The W3C traceparent saved with the operation when it started (see <see cref="Telemetry.OperationTracing"/>), or null.</summary>
    public async Task<string?> TraceParentAsync(Guid operationId, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Operations.Where(o => o.Id == operationId)
            .Select(o => EF.Property<string?>(o, Telemetry.OperationTracing.TraceParentProperty))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies <paramref name="change"/> to the latest version of the whole operation and saves it.</summary>
    /// <returns>What the change returned on the attempt that was saved.</returns>
    public Task<T> UpdateAsync<T>(Guid id, Func<Operation, T> change, CancellationToken cancellationToken) =>
        ChangeAsync(id, stepId: null, change, cancellationToken);

    /// <summary>Applies <paramref name="change"/> to the operation loaded with only the step <paramref name="stepId"/>, and saves it:
    /// for the transitions that read and change that step and the operation's own fields alone
    /// (<see cref="Operation.Begin"/>, <see cref="Operation.Renew"/>), which then cost the same whatever the operation's size.</summary>
    /// <remarks>Never pass a transition that looks at other steps: it would see an operation with one step.</remarks>
    public Task<T> UpdateStepAsync<T>(Guid id, Guid stepId, Func<Operation, T> change, CancellationToken cancellationToken) =>
        ChangeAsync(id, stepId, change, cancellationToken);

    /// <summary>Operations that have ended while their stack still names them as active: the runner frees the stack in a second
    /// write after the end, and a crash in between leaves it so.</summary>
    public async Task<IReadOnlyList<Operation>> EndedButHoldingAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var finished = new[] { OperationState.Succeeded, OperationState.Failed, OperationState.Cancelled };
        var ids = await context.Stacks.Where(s => s.ActiveOperationId != null)
            .Join(context.Operations, s => s.ActiveOperationId, o => (Guid?)o.Id, (s, o) => o)
            .Where(o => finished.Contains(o.State)).Select(o => o.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var operations = new List<Operation>(ids.Count);
        foreach (var id in ids)
        {
            if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is { } operation)
            {
                operations.Add(operation);
            }
        }

        return operations;
    }

    /// <summary>Operations that are not finished: the dispatcher looks at these after a restart.</summary>
    public async Task<IReadOnlyList<Guid>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var unfinished = new[] { OperationState.Running, OperationState.Failing, OperationState.Cancelling };
        return await context.Operations.Where(o => unfinished.Contains(o.State)).Select(o => o.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ChangeAsync<T>(Guid id, Guid? stepId, Func<Operation, T> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var context = database.CreateContext();
            try
            {
                // PostgreSQL's connection retries need the transaction inside the execution strategy, to replay it whole.
                return await context.Database.CreateExecutionStrategy().ExecuteAsync(
                    (context, id, stepId, change),
                    static async (_, state, ct) =>
                    {
                        var (context, id, stepId, change) = state;
                        context.ChangeTracker.Clear();
                        await using var transaction = await context.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                        if (context is PostgresPortalDbContext)
                        {
                            await context.Database.ExecuteSqlAsync($"SELECT 1 FROM operations WHERE \"Id\" = {id} FOR UPDATE", ct)
                                .ConfigureAwait(false);
                        }

                        var query = stepId is { } only
                            ? context.Operations.Include(o => o.Steps.Where(s => s.Id == only))
                            : context.Operations.Include(o => o.Steps).AsSplitQuery();
                        var operation = await query.FirstOrDefaultAsync(o => o.Id == id, ct).ConfigureAwait(false)
                            ?? throw new KeyNotFoundException($"Operation {id} does not exist.");
                        var result = change(operation);
                        await context.SaveChangesAsync(ct).ConfigureAwait(false);
                        await transaction.CommitAsync(ct).ConfigureAwait(false);
                        return result;
                    },
                    verifySucceeded: null,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConflicts)
            {
                // A writer that does not lock saved this operation first: start over from its version.
            }
        }
    }
}
