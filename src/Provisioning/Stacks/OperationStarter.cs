using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>How the stack and certificate services start an operation on a stack: one transaction saves the operation, marks the
/// stack busy (one operation at a time, guarded by the stack's version) and writes the audit entry; then the ready steps are
/// enqueued. Refusals are audited too.</summary>
internal sealed class OperationStarter(PortalDatabase database, IStepScheduler scheduler, TimeProvider time, ILogger logger)
{
    /// <summary>Starts <paramref name="plan"/> on <paramref name="stack"/> (tracked by <paramref name="context"/>); a Conflict when the
    /// stack changed since it was read.</summary>
    public async Task<ServiceResult<Operation>> StartAsync(
        PortalDbContext context, StackRecord stack, OperationKind kind, Plan plan, StackSpec target, string actor, string action, string? reason,
        string? diff, CancellationToken cancellationToken, Guid? id = null, string? auditTarget = null)
    {
        var now = time.GetUtcNow();
        var operation = Operation.Start(id ?? Guid.NewGuid(), kind, plan, target, actor, reason, now);
        context.Operations.Add(operation);
        stack.ActiveOperationId = operation.Id;
        stack.UpdatedAt = now;
        stack.Version++;
        context.Audit.Add(Audit(actor, action, stack.Name, reason, $"accepted: {plan.Summary}", operation.Id, diff, auditTarget));
        try
        {
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            return await RefuseAsync(
                ServiceResult<Operation>.Conflict($"Stack {stack.Name} changed while this request was being handled; look at it again and retry."),
                actor, action, stack.Name, reason, cancellationToken, auditTarget: auditTarget).ConfigureAwait(false);
        }

        Enqueue(operation, now);
        OperationStarterLog.OperationStarted(logger, operation.Kind, stack.Name, operation.Id, actor);
        return ServiceResult<Operation>.Ok(operation);
    }

    public void Enqueue(Operation operation, DateTimeOffset now)
    {
        foreach (var step in operation.DueSteps(now))
        {
            scheduler.Enqueue(step.Id);
        }
    }

    /// <summary>Audits a refused request (who tried what, and why it was refused) and returns the refusal.</summary>
    public async Task<ServiceResult<T>> RefuseAsync<T>(
        ServiceResult<T> refusal, string actor, string action, string? stack, string? reason, CancellationToken cancellationToken, Guid? operationId = null,
        string? auditTarget = null)
    {
        await using var context = database.CreateContext();
        var result = refusal.Status == ServiceStatus.Invalid
            ? $"refused: {string.Join("; ", refusal.Errors)}"
            : $"refused: {refusal.Message}";
        context.Audit.Add(Audit(actor, action, stack, reason, result, operationId, null, auditTarget));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return refusal;
    }

    public AuditRecord Audit(string actor, string action, string? stack, string? reason, string result, Guid? operationId, string? diff, string? target = null) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = action,
        Stack = stack,
        Target = target ?? stack,
        Reason = reason,
        Result = result,
        OperationId = operationId,
        Diff = string.IsNullOrEmpty(diff) ? null : diff,
    };

    /// <summary>"stack prod is busy: operation … (Deploy) is running", or null when the stack is free.</summary>
    /// <remarks>An operation that has finished but whose stack was not freed yet (the runner frees it right after saving the end, in
    /// a second write; a crash in between would leave it so) does not hold the stack: it is freed here as the runner would have
    /// (a success records what is now applied), on the tracked <paramref name="stack"/>, saved with what the caller saves next.</remarks>
    public static async Task<string?> BusyMessageAsync(PortalDbContext context, StackRecord stack, CancellationToken cancellationToken)
    {
        if (stack.ActiveOperationId is not { } active)
        {
            return null;
        }

        var operation = await context.Operations.AsNoTracking().Where(o => o.Id == active).Select(o => new { o.Kind, o.State, o.Target })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (operation is null || !operation.State.IsFinished())
        {
            return $"stack {stack.Name} is busy: operation {active} ({operation?.Kind.ToString() ?? "unknown"}) is running";
        }

        if (operation.State == OperationState.Succeeded)
        {
            stack.Applied = operation.Kind == OperationKind.Teardown ? null : operation.Target;
        }

        stack.ActiveOperationId = null;
        stack.LastOperationId = active;
        return null;
    }
}

/// <summary>Log messages of starting operations.</summary>
internal static partial class OperationStarterLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} of stack {Stack} started as operation {OperationId} by {Actor}")]
    public static partial void OperationStarted(ILogger logger, OperationKind kind, string stack, Guid operationId, string actor);
}
