using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>How the stack, secret and certificate services start an operation on a stack: one transaction saves the operation,
/// marks the stack busy (one operation at a time, guarded by the stack's version) and writes the audit entry; then the ready steps
/// are enqueued. A save that loses to a concurrent change of the stack is read and tried again. Refusals are audited too.</summary>
internal sealed class OperationStarter(PortalDatabase database, IStepScheduler scheduler, TimeProvider time, ILogger logger)
{
    /// <summary>How many times a request reads the stack and tries to save before it answers that the stack keeps changing.</summary>
    public const int Attempts = 3;

    /// <summary>Runs a request that starts an operation on a stack (or changes the stack under its version): <paramref name="attempt"/>
    /// reads the stack on the fresh context it is given, validates against what it read, and either refuses (audited, through
    /// <see cref="RefuseAsync{T}"/>) or saves the change (with <see cref="StartAsync"/>, or its own save guarded by the stack's
    /// version).</summary>
    /// <remarks>When that save loses to a concurrent change of the stack (mostly the runner freeing it as its operation ends, in a
    /// second write that may land between the request's read and its save), the attempt runs again on a new context against the
    /// state that won: a stack free now is started, one busy with a new operation gets the usual refusal. Only a save lost on the
    /// last of <see cref="Attempts"/> attempts answers a Conflict (<see cref="StartRequest.Conflict"/>), audited as the request's
    /// refusal. A lost attempt leaves no audit entry (its entry was in the transaction that lost), so a request has exactly one.
    /// An attempt may run more than once: what it does outside the database (a secret input or pending value written to the
    /// cluster) must be idempotent.</remarks>
    public async Task<ServiceResult<T>> StartWithRetriesAsync<T>(
        StartRequest request, Func<PortalDbContext, Task<ServiceResult<T>>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 1; ; number++)
        {
            await using var context = database.CreateContext();
            try
            {
                return await attempt(context).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException) when (number < Attempts)
            {
                OperationStarterLog.StackChanged(logger, request.Stack, request.Action, number, Attempts);
            }
            catch (DbUpdateConcurrencyException)
            {
                return await RefuseAsync(
                    ServiceResult<T>.Conflict(request.Conflict), request.Actor, request.Action, request.Stack, request.Reason, cancellationToken, request.OperationId,
                    request.AuditTarget).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts <paramref name="plan"/> on <paramref name="stack"/> (tracked by <paramref name="context"/>): saves the operation,
    /// the busy stack and the audit entry in one transaction, then enqueues the ready steps.</summary>
    /// <remarks>Throws <see cref="DbUpdateConcurrencyException"/> when the stack changed since it was read: call it inside
    /// <see cref="StartWithRetriesAsync{T}"/>, which reads the stack again and retries.</remarks>
    public async Task<Operation> StartAsync(
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
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Enqueue(operation, now);
        OperationStarterLog.OperationStarted(logger, operation.Kind, stack.Name, operation.Id, actor);
        return operation;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Stack {Stack} changed while {Action} was saving (attempt {Attempt} of {Attempts}); reading it again")]
    public static partial void StackChanged(ILogger logger, string stack, string action, int attempt, int attempts);
}

/// <summary>Who asks what of which stack, for the audit entry of a request that starts an operation and the Conflict it answers when
/// the stack keeps changing under it (see <see cref="OperationStarter.StartWithRetriesAsync{T}"/>).</summary>
internal sealed record StartRequest(string Actor, string Action, string Stack, string? Reason, Guid? OperationId = null, string? AuditTarget = null)
{
    /// <summary>The answer when every attempt lost to a concurrent change.</summary>
    public string Conflict { get; init; } = $"Stack {Stack} changed while this request was being handled; look at it again and retry.";
}
