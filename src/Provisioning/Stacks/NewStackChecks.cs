using Microsoft.EntityFrameworkCore;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Stacks;

/// <summary>A new stack that passed the Domain's validation and planning: the spec as typed (with its secret inputs), the spec
/// the portal stores (without them) and its deploy plan.</summary>
internal sealed record NewStack(StackSpec Spec, StackSpec Stored, Plan Plan);

/// <summary>The stacks a new stack's name and place (cluster and namespace) meet in the portal database.</summary>
/// <param name="Others">Stacks that use the name or the place, except <paramref name="TornDown"/>.</param>
/// <param name="TornDown">A torn-down stack of the same name, whose record (and history) creating the stack again reuses.</param>
internal sealed record StackPlacement(IReadOnlyList<StackRecord> Others, StackRecord? TornDown);

/// <summary>What creating a stack checks before anything is saved: the Domain's validation, the deploy plan, and clashes with
/// the stacks the portal already has. The stack service and the drafts (validate, preview, preflight) share it.</summary>
internal sealed class NewStackChecks(ComponentCatalog catalog, IClusterRegistry clusters)
{
    private readonly StackPlanner _planner = new(catalog);

    /// <summary>Validates the command (its reason too) and plans its deploy; every problem found.</summary>
    public Result<NewStack> Check(CreateStackCommand command, DateTimeOffset now)
    {
        var errors = new ErrorList();
        ReasonText.Check(command.Reason, errors);
        var request = new StackRequest
        {
            Name = command.Name,
            Blueprint = command.Blueprint,
            Cluster = command.Cluster,
            Namespace = command.Namespace,
            Config = command.Config,
            Relations = command.Relations,
        };
        var validated = StackValidator.Validate(request, catalog, clusters.Names, now);
        if (!validated.IsSuccess)
        {
            return Result<NewStack>.Failure([.. validated.Errors, .. errors]);
        }

        var spec = validated.Value;
        var stored = spec.WithoutSecrets(catalog);
        var plan = _planner.Deploy(stored);
        errors.InsertRange(0, plan.Errors);
        return errors.ToResult(() => new NewStack(spec, stored, plan.Value));
    }

    /// <summary>The stacks that use the name, or the namespace on the cluster; with <paramref name="tracking"/> the records can be
    /// changed through <paramref name="context"/> (creating the stack again reuses the torn-down record).</summary>
    public static async Task<StackPlacement> PlaceAsync(
        PortalDbContext context, string name, string cluster, string @namespace, bool tracking, CancellationToken cancellationToken)
    {
        var query = context.Stacks.Where(s => s.Name == name || (s.Cluster == cluster && s.Namespace == @namespace));
        var clash = await (tracking ? query : query.AsNoTracking()).ToListAsync(cancellationToken).ConfigureAwait(false);

        // A stack that was torn down keeps its record (and history); creating it again reuses the record.
        var tornDown = await TornDownAsync(context, clash.Where(s => s.Name == name).ToList(), cancellationToken).ConfigureAwait(false);
        return new StackPlacement(clash.Where(s => s != tornDown).ToList(), tornDown);
    }

    /// <summary>Why the name or the place is taken, as field errors (<c>name</c>, <c>namespace</c>); empty when both are free.</summary>
    public static IReadOnlyList<ValidationError> ClashErrors(string name, string cluster, string @namespace, IReadOnlyList<StackRecord> existing)
    {
        var errors = new ErrorList();
        if (existing.FirstOrDefault(s => s.Name == name) is { } sameName)
        {
            errors.Add("name", $"A stack named {name} already exists (cluster {sameName.Cluster}, namespace {sameName.Namespace}); choose another name.");
        }

        if (existing.FirstOrDefault(s => s.Name != name && s.Cluster == cluster && s.Namespace == @namespace) is { } samePlace)
        {
            errors.Add("namespace", $"Namespace {@namespace} on cluster {cluster} already holds stack {samePlace.Name}; choose another namespace.");
        }

        return errors;
    }

    /// <summary>The first clash as one sentence (a conflict), or null.</summary>
    public static string? ClashMessage(StackSpec spec, IReadOnlyList<StackRecord> existing) =>
        ClashErrors(spec.Name, spec.Cluster, spec.Namespace, existing) is [var first, ..] ? first.Message : null;

    /// <summary>The record among <paramref name="records"/> of a stack whose last operation was a teardown that succeeded.</summary>
    /// <remarks>Also when the teardown has ended but the runner has not freed the stack yet (a second write, a moment later): the
    /// record is then freed here as the runner would (on a tracked record, saved with what the caller saves), so creating the stack
    /// again right after its teardown ends is not refused as "already exists".</remarks>
    private static async Task<StackRecord?> TornDownAsync(PortalDbContext context, IReadOnlyList<StackRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records.Where(r => r.ActiveOperationId is not null || (r.Applied is null && r.LastOperationId is not null)))
        {
            var id = record.ActiveOperationId ?? record.LastOperationId;
            var last = await context.Operations.AsNoTracking().Where(o => o.Id == id)
                .Select(o => new { o.Kind, o.State }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (last is { Kind: OperationKind.Teardown, State: OperationState.Succeeded })
            {
                if (record.ActiveOperationId is not null)
                {
                    record.Applied = null;
                    record.LastOperationId = id;
                    record.ActiveOperationId = null;
                }

                return record;
            }
        }

        return null;
    }
}
