using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;

namespace Portal.Provisioning.Persistence;

/// <summary>Loads and saves operations as whole aggregates, retrying a change when another worker saved first.</summary>
/// <remarks>Each change runs on a fresh context against the latest saved version: the aggregate's transitions are
/// idempotent, so re-applying a change after a conflict is safe, and two workers can never both apply stale bookkeeping.</remarks>
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

    /// <summary>Applies <paramref name="change"/> to the latest version of the operation and saves it, retrying on conflicts.</summary>
    /// <returns>What the change returned on the attempt that was saved.</returns>
    public async Task<T> UpdateAsync<T>(Guid id, Func<Operation, T> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var context = database.CreateContext();
            var operation = await context.Operations.Include(o => o.Steps).AsSplitQuery()
                .FirstOrDefaultAsync(o => o.Id == id, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Operation {id} does not exist.");
            var result = change(operation);
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConflicts)
            {
                // Another worker saved this operation first: start over from its version.
            }
        }
    }

    /// <summary>Operations that are not finished: the dispatcher looks at these after a restart.</summary>
    public async Task<IReadOnlyList<Guid>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var unfinished = new[] { OperationState.Running, OperationState.Failing, OperationState.Cancelling };
        return await context.Operations.Where(o => unfinished.Contains(o.State)).Select(o => o.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
