using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;
using Portal.Provisioning.Operations;

namespace Portal.Provisioning.Persistence;

/// <summary>When an operation ends, the stack it ran on is free again; a successful one records what is now applied.</summary>
/// <remarks>
/// Freeing is a second write after the one that ended the operation, so the world may move in between: a request may free the
/// stack itself and start the next operation (the stack then names another operation), or retry this very operation (it then
/// runs again under the same id). The stack is freed only while it still names this operation and the operation, read again,
/// is still finished; a save that loses to such a change reads again and decides again.
/// </remarks>
internal sealed class StackOperationObserver(PortalDatabase database, TimeProvider time) : IOperationObserver
{
    private const int MaxConflicts = 5;

    public async Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var context = database.CreateContext();
            var stack = await context.Stacks.FirstOrDefaultAsync(s => s.Name == operation.Stack, cancellationToken).ConfigureAwait(false);
            if (stack is null || stack.ActiveOperationId != operation.Id)
            {
                return;
            }

            var state = await context.Operations.Where(o => o.Id == operation.Id).Select(o => o.State)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (!state.IsFinished())
            {
                return;
            }

            if (state == OperationState.Succeeded)
            {
                stack.Applied = operation.Kind == OperationKind.Teardown ? null : operation.Target;
            }

            stack.ActiveOperationId = null;
            stack.LastOperationId = operation.Id;
            stack.UpdatedAt = time.GetUtcNow();
            stack.Version++;
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConflicts)
            {
                // The stack changed since it was read (a request freed it, or started something): look again.
            }
        }
    }
}
