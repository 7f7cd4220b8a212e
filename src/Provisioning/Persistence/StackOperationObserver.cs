using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;
using Portal.Provisioning.Operations;

namespace Portal.Provisioning.Persistence;

/// <summary>When an operation ends, the stack it ran on is free again; a successful one records what is now applied.</summary>
internal sealed class StackOperationObserver(PortalDatabase database, TimeProvider time) : IOperationObserver
{
    public async Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stack = await context.Stacks.FirstOrDefaultAsync(s => s.Name == operation.Stack, cancellationToken).ConfigureAwait(false);
        if (stack is null || stack.ActiveOperationId != operation.Id)
        {
            return;
        }

        if (operation.State == OperationState.Succeeded)
        {
            stack.Applied = operation.Kind == OperationKind.Teardown ? null : operation.Target;
        }

        stack.ActiveOperationId = null;
        stack.LastOperationId = operation.Id;
        stack.UpdatedAt = time.GetUtcNow();
        stack.Version++;
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }
}
