using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Exports;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Stacks;

/// <summary>The stack service on the portal database: validation and planning from the Domain, one transaction per change,
/// then the job queue.</summary>
internal sealed class StackService(
    PortalDatabase database,
    ComponentCatalog catalog,
    IClusterRegistry clusters,
    IStackSecrets secrets,
    IStepScheduler scheduler,
    StackRenderer renderer,
    TimeProvider time,
    ILogger<StackService> logger) : IStackService
{
    private readonly StackPlanner _planner = new(catalog);
    private readonly NewStackChecks _checks = new(catalog, clusters);
    /// <summary>How many times a cancel reads the operation again after losing to one of the runner's writes.</summary>
    private const int CancelAttempts = 10;

    private readonly OperationStarter _starter = new(database, scheduler, time, logger);

    public async Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stacks = await context.Stacks.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var operations = await SummariesAsync(context, stacks, cancellationToken).ConfigureAwait(false);
        return stacks.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => StackViews.Summary(s, operations)).ToList();
    }

    public async Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stack = await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
        return stack is null
            ? ServiceResult<StackView>.NotFound(NoStack(name))
            : ServiceResult<StackView>.Ok(await ViewAsync(context, stack, cancellationToken).ConfigureAwait(false));
    }

    public async Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var checkedStack = _checks.Check(command, now);
        if (!checkedStack.IsSuccess)
        {
            return await RefuseAsync<StackChange>(
                ServiceResult<StackChange>.Invalid(checkedStack.Errors), actor, "create", command.Name, command.Reason, cancellationToken).ConfigureAwait(false);
        }

        var (spec, stored, plan) = checkedStack.Value;
        var reason = ReasonText.Normalize(command.Reason);
        return await _starter.StartWithRetriesAsync(new StartRequest(actor, "create", spec.Name, reason), async context =>
        {
            var placement = await NewStackChecks.PlaceAsync(context, spec.Name, spec.Cluster, spec.Namespace, tracking: true, cancellationToken).ConfigureAwait(false);
            var tornDown = placement.TornDown;
            if (NewStackChecks.ClashMessage(spec, placement.Others) is { } message)
            {
                return await RefuseAsync<StackChange>(
                    ServiceResult<StackChange>.Conflict(message), actor, "create", spec.Name, reason, cancellationToken).ConfigureAwait(false);
            }

            // The secret inputs go to the cluster first: the portal keeps no copy, and a stack saved without them could not deploy.
            if (await StoreSecretsAsync(spec, cancellationToken).ConfigureAwait(false) is { } unavailable)
            {
                return await RefuseAsync<StackChange>(
                    ServiceResult<StackChange>.Unavailable(unavailable), actor, "create", spec.Name, reason, cancellationToken).ConfigureAwait(false);
            }

            var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, stored, actor, reason, now);
            var record = tornDown ?? new StackRecord
            {
                Id = Guid.NewGuid(),
                Name = spec.Name,
                Blueprint = spec.Blueprint,
                Cluster = spec.Cluster,
                Namespace = spec.Namespace,
                Spec = stored,
                CreatedAt = now,
            };
            record.Blueprint = spec.Blueprint;
            record.Cluster = spec.Cluster;
            record.Namespace = spec.Namespace;
            record.Spec = stored;
            record.SecretOptions = SecretOptionsSet(spec);
            record.ActiveOperationId = operation.Id;
            record.UpdatedAt = now;
            record.Version++;
            if (tornDown is null)
            {
                context.Stacks.Add(record);
            }

            context.Operations.Add(operation);
            context.Audit.Add(Audit(actor, "create", spec.Name, reason, $"accepted: {plan.Summary}", operation.Id, StackViews.Diff(null, spec, catalog)));
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
            {
                // Another request created a stack with the same name or namespace between the check and the save. (A torn-down record
                // changed since it was read is a concurrency conflict: read again and tried again.)
                var again = await SameNameOrPlaceAsync(spec, cancellationToken).ConfigureAwait(false);
                return await RefuseAsync<StackChange>(
                    ServiceResult<StackChange>.Conflict(NewStackChecks.ClashMessage(spec, again) ?? $"Stack {spec.Name} could not be saved: another change got there first; try again."),
                    actor, "create", spec.Name, reason, cancellationToken).ConfigureAwait(false);
            }

            Enqueue(operation, now);
            StackServiceLog.OperationStarted(logger, operation.Kind, spec.Name, operation.Id, actor);
            var view = StackViews.View(record, catalog, new Dictionary<Guid, OperationSummary> { [operation.Id] = StackViews.Summary(operation) });
            return ServiceResult<StackChange>.Ok(new StackChange(view, operation.Id, plan.Summary));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await _starter.StartWithRetriesAsync(new StartRequest(actor, "reconfigure", name, command.Reason), async context =>
        {
            var stack = await context.Stacks.FirstOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
            if (stack is null)
            {
                return ServiceResult<StackChange>.NotFound(NoStack(name));
            }

            if (await BusyMessageAsync(context, stack, cancellationToken).ConfigureAwait(false) is { } busy)
            {
                return await RefuseAsync<StackChange>(ServiceResult<StackChange>.Conflict(busy), actor, "reconfigure", name, command.Reason, cancellationToken).ConfigureAwait(false);
            }

            var worked = WorkOut(stack, command, now);
            if (!worked.IsSuccess)
            {
                return await RefuseAsync<StackChange>(ServiceResult<StackChange>.Invalid(worked.Errors), actor, "reconfigure", name, command.Reason, cancellationToken).ConfigureAwait(false);
            }

            var reason = ReasonText.Normalize(command.Reason);

            var work = worked.Value;
            if (work.SecretOptions.Count > 0)
            {
                if (await StoreSecretsAsync(work.Spec, cancellationToken).ConfigureAwait(false) is { } unavailable)
                {
                    return await RefuseAsync<StackChange>(
                        ServiceResult<StackChange>.Unavailable(unavailable), actor, "reconfigure", name, command.Reason, cancellationToken).ConfigureAwait(false);
                }
            }

            Operation? operation = null;
            if (!work.Plan.IsEmpty)
            {
                var kind = work.Plan.Kind == PlanKind.Deploy ? OperationKind.Deploy : OperationKind.Reconfigure;
                operation = Operation.Start(Guid.NewGuid(), kind, work.Plan, work.Desired, actor, reason, now);
                context.Operations.Add(operation);
                stack.ActiveOperationId = operation.Id;
            }

            stack.Spec = work.Desired;
            stack.SecretOptions = stack.SecretOptions.Union(work.SecretOptions, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            stack.UpdatedAt = now;
            stack.Version++;
            context.Audit.Add(Audit(actor, "reconfigure", name, reason, operation is null ? work.Summary : $"accepted: {work.Summary}", operation?.Id, work.Diff));
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

            if (operation is not null)
            {
                Enqueue(operation, now);
                StackServiceLog.OperationStarted(logger, operation.Kind, name, operation.Id, actor);
            }

            return ServiceResult<StackChange>.Ok(new StackChange(await ViewAsync(context, stack, cancellationToken).ConfigureAwait(false), operation?.Id, work.Summary));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<UpdatePreview>> PreviewUpdateAsync(string name, UpdateStackCommand command, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stack = await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
        if (stack is null)
        {
            return ServiceResult<UpdatePreview>.NotFound(NoStack(name));
        }

        // Refused like the update itself would be, so that a review never promises a change that cannot start.
        if (await BusyMessageAsync(context, stack, cancellationToken).ConfigureAwait(false) is { } busy)
        {
            return ServiceResult<UpdatePreview>.Conflict(busy);
        }

        var worked = WorkOut(stack, command, time.GetUtcNow());
        if (!worked.IsSuccess)
        {
            return ServiceResult<UpdatePreview>.Invalid(worked.Errors);
        }

        var work = worked.Value;
        var steps = work.Plan.Steps.Select(s => new PreviewStep(s.Id, s.Kind.ToString(), s.Description, s.WaitsFor, s.DependsOn)).ToList();
        var rolls = work.Plan.Steps
            .Where(s => s.Kind == StepKind.ApplyComponent && s.Component is not null)
            .Select(s => new RolledComponent(s.Component!, JoinWithAnd(s.Reasons)))
            .ToList();
        return ServiceResult<UpdatePreview>.Ok(new UpdatePreview(
            name, work.Options.Count > 0 || work.Relations.Count > 0, work.Summary, work.Options, work.Relations, steps, rolls, work.Plan.Keeps, work.Diff));
    }

    public async Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken)
    {
        return await _starter.StartWithRetriesAsync(new StartRequest(actor, "teardown", name, command.Reason), async context =>
        {
            var stack = await context.Stacks.FirstOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
            if (stack is null)
            {
                return ServiceResult<StackChange>.NotFound(NoStack(name));
            }

            var errors = command.Problems();
            if (errors.Count > 0)
            {
                return await RefuseAsync<StackChange>(ServiceResult<StackChange>.Invalid(errors), actor, "teardown", name, command.Reason, cancellationToken).ConfigureAwait(false);
            }

            var options = TeardownOptions.Create(command.DeleteVolumes, command.DropDatabases, command.DeleteNamespace).Value;
            var reason = ReasonText.Normalize(command.Reason);

            if (await BusyMessageAsync(context, stack, cancellationToken).ConfigureAwait(false) is { } busy)
            {
                return await RefuseAsync<StackChange>(ServiceResult<StackChange>.Conflict(busy), actor, "teardown", name, command.Reason, cancellationToken).ConfigureAwait(false);
            }

            // A deploy that failed half-way still left objects behind: tear down what was asked for when nothing was applied.
            var target = stack.Applied ?? stack.Spec;
            var plan = _planner.Teardown(target, options);
            if (!plan.IsSuccess)
            {
                return await RefuseAsync<StackChange>(ServiceResult<StackChange>.Invalid(plan.Errors), actor, "teardown", name, command.Reason, cancellationToken).ConfigureAwait(false);
            }

            var what = $"delete volumes: {Yes(options.DeleteVolumes)}, drop databases: {Yes(options.DropDatabases)}, delete namespace: {Yes(options.DeleteNamespace)}";
            var operation = await _starter.StartAsync(
                context, stack, OperationKind.Teardown, plan.Value, target, actor, "teardown", reason, what, cancellationToken).ConfigureAwait(false);
            return ServiceResult<StackChange>.Ok(new StackChange(await ViewAsync(context, stack, cancellationToken).ConfigureAwait(false), operation.Id, plan.Value.Summary));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<string>> ExportAsync(string name, StackExportFormat format, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stack = await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
        if (stack is null)
        {
            return ServiceResult<string>.NotFound(NoStack(name));
        }

        return ServiceResult<string>.Ok(format switch
        {
            StackExportFormat.JujuBundle => JujuBundle.Render(stack.Spec, catalog),
            StackExportFormat.Kubernetes or _ => string.Join("\n---\n", renderer.Render(stack.Spec).Select(o => ManifestRedaction.Yaml(o.Object))) + "\n",
        });
    }

    public async Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var operation = await LoadOperationAsync(context, id, tracking: false, cancellationToken).ConfigureAwait(false);
        return operation is null
            ? ServiceResult<OperationView>.NotFound(NoOperation(id))
            : ServiceResult<OperationView>.Ok(StackViews.View(operation));
    }

    public async Task<IReadOnlyList<OperationView>> ListOperationsAsync(string stack, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var context = database.CreateContext();
        var operations = await context.Operations.AsNoTracking().Include(o => o.Steps).AsSplitQuery()
            .Where(o => o.Stack == stack)
            .OrderByDescending(o => o.CreatedAt)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return operations.Select(StackViews.View).ToList();
    }

    public async Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        string? stackName;
        await using (var read = database.CreateContext())
        {
            stackName = await read.Operations.AsNoTracking().Where(o => o.Id == id).Select(o => o.Stack).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }

        if (stackName is null)
        {
            return ServiceResult<OperationView>.NotFound(NoOperation(id));
        }

        var request = new StartRequest(actor, "retry", stackName, null, id)
        {
            Conflict = $"Operation {id} changed while this request was being handled; look at it again.",
        };
        return await _starter.StartWithRetriesAsync(request, async context =>
        {
            var now = time.GetUtcNow();
            var operation = (await LoadOperationAsync(context, id, tracking: true, cancellationToken).ConfigureAwait(false))!;
            var stack = await context.Stacks.FirstOrDefaultAsync(s => s.Name == operation.Stack, cancellationToken).ConfigureAwait(false);
            // The stack may still hold the operation (it failed, the runner has not freed the stack yet): that is no refusal. Another
            // operation that has finished is freed first, so that the question is then whether this one is the latest.
            string? refusal = operation.State is not (OperationState.Failed or OperationState.Cancelled)
                ? $"Operation {id} ({operation.Kind}) is {operation.State}; only a failed or cancelled operation can be retried."
                : stack is null
                    ? $"Stack {operation.Stack} no longer exists."
                    : stack.ActiveOperationId == id
                        ? null
                        : await BusyMessageAsync(context, stack, cancellationToken).ConfigureAwait(false) is { } busy
                            ? busy
                            : stack.LastOperationId is { } last && last != id
                                ? $"Operation {id} is not the latest operation of stack {operation.Stack} ({last} is); start a new change instead of retrying an old one."
                                : null;
            if (refusal is not null)
            {
                return await RefuseAsync<OperationView>(ServiceResult<OperationView>.Conflict(refusal), actor, "retry", operation.Stack, null, cancellationToken, id).ConfigureAwait(false);
            }

            operation.Retry(now);
            stack!.ActiveOperationId = id;
            stack.UpdatedAt = now;
            stack.Version++;
            context.Audit.Add(Audit(actor, "retry", operation.Stack, null, "accepted", id, null));
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

            Enqueue(operation, now);
            StackServiceLog.OperationRetried(logger, id, operation.Stack, actor);
            return ServiceResult<OperationView>.Ok(StackViews.View(operation));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        // The runner keeps writing a running operation (each step taken, renewed, finished): a cancel that loses to one of those
        // writes reads the operation again and cancels what it is now, rather than answering that it changed.
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            await using var context = database.CreateContext();
            var operation = await LoadOperationAsync(context, id, tracking: true, cancellationToken).ConfigureAwait(false);
            if (operation is null)
            {
                return ServiceResult<OperationView>.NotFound(NoOperation(id));
            }

            if (operation.State is OperationState.Cancelling || !operation.Cancel(now, actor))
            {
                var refusal = $"Operation {id} ({operation.Kind}) is {operation.State}; only a running operation can be cancelled.";
                return await RefuseAsync<OperationView>(ServiceResult<OperationView>.Conflict(refusal), actor, "cancel", operation.Stack, null, cancellationToken, id).ConfigureAwait(false);
            }

            // With no step in flight the cancel settles at once; no step will finish to free the stack, so free it here.
            if (operation.State.IsFinished()
                && await context.Stacks.FirstOrDefaultAsync(s => s.Name == operation.Stack, cancellationToken).ConfigureAwait(false) is { } stack
                && stack.ActiveOperationId == id)
            {
                stack.ActiveOperationId = null;
                stack.LastOperationId = id;
                stack.UpdatedAt = now;
                stack.Version++;
            }

            context.Audit.Add(Audit(actor, "cancel", operation.Stack, null, $"accepted: {operation.State}", id, null));
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException) when (attempt < CancelAttempts)
            {
                continue;
            }
            catch (DbUpdateConcurrencyException)
            {
                return await RefuseAsync<OperationView>(
                    ServiceResult<OperationView>.Conflict($"Operation {id} changed while this request was being handled; look at it again."),
                    actor, "cancel", operation.Stack, null, cancellationToken, id).ConfigureAwait(false);
            }

            StackServiceLog.OperationCancelled(logger, id, operation.Stack, actor);
            return ServiceResult<OperationView>.Ok(StackViews.View(operation));
        }
    }

    /// <summary>Stores the secret inputs in the cluster; returns why not when the cluster cannot take them.</summary>
    private async Task<string?> StoreSecretsAsync(StackSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            await secrets.StoreInputsAsync(spec, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ClusterException e)
        {
            // The gateway's messages name the object and the reason, never a Secret's value.
            return $"The secret inputs of stack {spec.Name} could not be stored, so nothing was saved: {e.Message}";
        }
    }

    private void Enqueue(Operation operation, DateTimeOffset now) => _starter.Enqueue(operation, now);

    private Task<ServiceResult<T>> RefuseAsync<T>(
        ServiceResult<T> refusal, string actor, string action, string? stack, string? reason, CancellationToken cancellationToken, Guid? operationId = null) =>
        _starter.RefuseAsync(refusal, actor, action, stack, reason, cancellationToken, operationId);

    private AuditRecord Audit(string actor, string action, string? stack, string? reason, string result, Guid? operationId, string? diff) =>
        _starter.Audit(actor, action, stack, reason, result, operationId, diff);

    private static Task<string?> BusyMessageAsync(PortalDbContext context, StackRecord stack, CancellationToken cancellationToken) =>
        OperationStarter.BusyMessageAsync(context, stack, cancellationToken);

    private async Task<IReadOnlyList<StackRecord>> SameNameOrPlaceAsync(StackSpec spec, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Stacks.AsNoTracking()
            .Where(s => s.Name == spec.Name || (s.Cluster == spec.Cluster && s.Namespace == spec.Namespace))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The secret options of a validated spec that hold a value, as <c>component.option</c>.</summary>
    private List<string> SecretOptionsSet(StackSpec spec) =>
        spec.Components
            .Where(c => catalog.TryGet(c.Kind, out _))
            .SelectMany(c => c.Config
                .Where(option => option.Value.Length > 0 && catalog.Get(c.Kind).FindOption(option.Key) is { Secret: true })
                .Select(option => $"{c.Name}.{option.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>What a day-2 change would do to a stored stack: the merged and validated spec, the plan from what was last
    /// applied, the changes and the audit diff. Pure: reads the record, writes nothing.</summary>
    private Result<UpdateWork> WorkOut(StackRecord stack, UpdateStackCommand command, DateTimeOffset now)
    {
        var errors = new ErrorList();
        ReasonText.Check(command.Reason, errors);
        var request = StackRequest.FromSpec(stack.Spec);
        foreach (var (component, given) in command.Config)
        {
            foreach (var (option, value) in given)
            {
                request = value is null ? request.Without(component, option) : request.With(component, option, value);
            }
        }

        if (command.Relations is not null)
        {
            request = request with { Relations = command.Relations };
        }

        var validated = StackValidator.Validate(request, catalog, clusters.Names, now, stack.Applied);
        if (!validated.IsSuccess)
        {
            return Result<UpdateWork>.Failure([.. validated.Errors, .. errors]);
        }

        var spec = validated.Value;
        var desired = spec.WithoutSecrets(catalog);
        var plan = _planner.Converge(desired, stack.Applied);
        if (!plan.IsSuccess || errors.Count > 0)
        {
            return Result<UpdateWork>.Failure([.. plan.Errors, .. errors]);
        }

        var secretOptions = SecretOptionsGiven(spec, command);
        var options = StackViews.OptionChanges(stack.Spec, desired, catalog)
            .Concat(secretOptions.Select(path =>
            {
                var (component, option) = (path[..path.IndexOf('.', StringComparison.Ordinal)], path[(path.IndexOf('.', StringComparison.Ordinal) + 1)..]);
                var wasSet = stack.Spec.FindComponent(component) is { } c
                    && StackViews.MaskedConfig(c, catalog, stack.SecretOptions).ContainsKey(option);
                return new OptionChange(component, option, wasSet ? StackViews.SecretMask : null, StackViews.SecretMask, Secret: true);
            }))
            .OrderBy(c => c.Component, StringComparer.Ordinal)
            .ThenBy(c => c.Option, StringComparer.Ordinal)
            .ToList();
        var relations = StackViews.RelationChanges(stack.Spec, desired);
        var diff = string.Join('\n', options.Select(StackViews.Line).Concat(relations.Select(StackViews.Line)));
        var summary = !plan.Value.IsEmpty
            ? plan.Value.Summary
            : secretOptions.Count > 0
                ? $"Nothing to redeploy; the new value of {string.Join(", ", secretOptions)} is stored in the cluster."
                : "Nothing changed: the stack already has this config.";
        return new UpdateWork(spec, desired, plan.Value, secretOptions, options, relations, diff, summary);
    }

    private static string JoinWithAnd(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}",
    };

    private List<string> SecretOptionsGiven(StackSpec spec, UpdateStackCommand command) =>
        command.Config
            .SelectMany(component => component.Value
                .Where(option => option.Value is not null
                    && spec.FindComponent(component.Key) is { } c
                    && catalog.TryGet(c.Kind, out var kind)
                    && kind.FindOption(option.Key) is { Secret: true })
                .Select(option => $"{component.Key}.{option.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private async Task<StackView> ViewAsync(PortalDbContext context, StackRecord stack, CancellationToken cancellationToken)
    {
        var operations = await SummariesAsync(context, [stack], cancellationToken).ConfigureAwait(false);
        return StackViews.View(stack, catalog, operations);
    }

    private static async Task<IReadOnlyDictionary<Guid, OperationSummary>> SummariesAsync(
        PortalDbContext context, IReadOnlyList<StackRecord> stacks, CancellationToken cancellationToken)
    {
        var ids = stacks.SelectMany(s => new[] { s.ActiveOperationId, s.LastOperationId }).OfType<Guid>().Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, OperationSummary>();
        }

        var operations = await context.Operations.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.Kind, o.State, o.CreatedAt, o.FinishedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return operations.ToDictionary(o => o.Id, o => new OperationSummary(o.Id, o.Kind.ToString(), o.State.ToString(), o.CreatedAt, o.FinishedAt));
    }

    private static Task<Operation?> LoadOperationAsync(PortalDbContext context, Guid id, bool tracking, CancellationToken cancellationToken)
    {
        var query = context.Operations.Include(o => o.Steps).AsSplitQuery();
        return (tracking ? query : query.AsNoTracking()).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
    }

    private static string NoStack(string name) => $"There is no stack named {name}.";

    private static string NoOperation(Guid id) => $"There is no operation {id}.";

    private static string Yes(bool value) => value ? "yes" : "no";
}

/// <summary>A day-2 change worked out: the spec with the secrets given (to store), the spec to save, the plan, the secret
/// options given (<c>component.option</c>), what changes, the audit diff and one sentence about it.</summary>
internal sealed record UpdateWork(
    StackSpec Spec,
    StackSpec Desired,
    Plan Plan,
    IReadOnlyList<string> SecretOptions,
    IReadOnlyList<OptionChange> Options,
    IReadOnlyList<RelationChange> Relations,
    string Diff,
    string Summary);

/// <summary>Log messages of the stack service.</summary>
internal static partial class StackServiceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} of stack {Stack} started as operation {OperationId} by {Actor}")]
    public static partial void OperationStarted(ILogger logger, OperationKind kind, string stack, Guid operationId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} of stack {Stack} retried by {Actor}")]
    public static partial void OperationRetried(ILogger logger, Guid operationId, string stack, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operation {OperationId} of stack {Stack} cancelled by {Actor}")]
    public static partial void OperationCancelled(ILogger logger, Guid operationId, string stack, string actor);
}
