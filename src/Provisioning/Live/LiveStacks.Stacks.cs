using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Live;

/// <summary>Reading the stacks and the facts of their operations from the portal database.</summary>
internal sealed partial class LiveStacks
{
    private static readonly OperationState[] Unfinished = [OperationState.Running, OperationState.Failing, OperationState.Cancelling];

    private async Task PollStacksLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.StackPollInterval, _time);
        try
        {
            do
            {
                try
                {
                    await PollStacksAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    LiveLog.StackPollFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Picks up new, changed and removed stacks and operation progress. Cheap when nothing changed: three small queries
    /// compare each stack's version, its number of operations and the versions of its running operations with what was read
    /// last; only a stack whose signature moved is read in full.</summary>
    internal async Task PollStacksAsync(CancellationToken cancellationToken)
    {
        await using var context = _database.CreateContext();
        var stacks = await context.Stacks.AsNoTracking()
            .Select(s => new { s.Name, s.Cluster, s.Namespace, s.Version })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var counts = await context.Operations.AsNoTracking()
            .GroupBy(o => o.Stack)
            .Select(g => new { Stack = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Stack, g => g.Count, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var running = (await context.Operations.AsNoTracking()
                .Where(o => Unfinished.Contains(o.State))
                .Select(o => new { o.Stack, o.Id, o.Version })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(o => o.Stack, o => string.Create(CultureInfo.InvariantCulture, $"{o.Id:N}@{o.Version}"), StringComparer.Ordinal);

        foreach (var gone in _stacks.Keys.Except(stacks.Select(s => s.Name), StringComparer.Ordinal).ToList())
        {
            Remove(gone);
        }

        foreach (var stack in stacks)
        {
            var signature = string.Create(CultureInfo.InvariantCulture,
                $"{stack.Cluster}/{stack.Namespace}#{stack.Version}|{counts.GetValueOrDefault(stack.Name)}|{string.Join(',', running[stack.Name].Order(StringComparer.Ordinal))}");
            var known = _stacks.TryGetValue(stack.Name, out var entry) ? entry.Definition : null;
            if (known?.Signature == signature)
            {
                continue;
            }

            // The spec only changes with the stack's version; keeping the same instance otherwise keeps comparisons cheap.
            var spec = known is not null && known.Signature.StartsWith($"{stack.Cluster}/{stack.Namespace}#{stack.Version}|", StringComparison.Ordinal)
                ? known.Spec
                : await context.Stacks.AsNoTracking().Where(s => s.Name == stack.Name).Select(s => s.Spec)
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (spec is null)
            {
                continue;
            }

            var steps = await StepsOfAsync(context, stack.Name, cancellationToken).ConfigureAwait(false);
            var definition = new StackDefinition(stack.Name, stack.Cluster, stack.Namespace, spec, PortalFactsBuilder.Build(spec, _catalog, steps), signature);
            if (entry is null)
            {
                entry = _stacks.GetOrAdd(stack.Name, _ => new StackEntry(definition));
                LiveLog.StackAppeared(_logger, stack.Name, stack.Cluster, stack.Namespace);
            }
            else if (known is not null && (known.Cluster != stack.Cluster || known.Namespace != stack.Namespace))
            {
                _byPlace.TryRemove(new KeyValuePair<(string, string), string>((known.Cluster, known.Namespace), stack.Name));
            }

            entry.Definition = definition;
            _byPlace[(stack.Cluster, stack.Namespace)] = stack.Name;
            MarkDirty(stack.Name);
        }
    }

    private static Task<List<StepRecord>> StepsOfAsync(PortalDbContext context, string stack, CancellationToken cancellationToken) =>
        (from step in context.Set<Step>().AsNoTracking()
         join operation in context.Operations.AsNoTracking() on step.OperationId equals operation.Id
         where operation.Stack == stack
         select new StepRecord(
             operation.Id,
             operation.CreatedAt,
             operation.State,
             step.Kind,
             step.Component,
             step.Relation,
             step.State,
             step.Description,
             step.FinishedAt,
             step.Error))
        .ToListAsync(cancellationToken);
}
