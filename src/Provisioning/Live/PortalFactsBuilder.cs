using System.Collections.Frozen;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Status;

namespace Portal.Provisioning.Live;

/// <summary>One step of one of a stack's operations, as the facts need it.</summary>
internal sealed record StepRecord(
    Guid OperationId,
    DateTimeOffset OperationCreatedAt,
    OperationState OperationState,
    StepKind Kind,
    string? Component,
    string? Relation,
    StepState State,
    string Description,
    DateTimeOffset? FinishedAt,
    string? Error);

/// <summary>Turns a stack's operation history into what the portal knows that the cluster does not show (<see cref="PortalFacts"/>).</summary>
/// <remarks>
/// Deployed components and wired relations come from every operation in order (applied, then maybe removed again); what
/// is queued, applying or being wired comes from the running operation. A component whose apply failed in the last
/// operation, which failed, is blocked with that error until another operation runs. The admin connection to an external
/// PostgreSQL is judged by the last relation step that used it: the portal has no other check of that server.
/// </remarks>
internal static class PortalFactsBuilder
{
    public static PortalFacts Build(StackSpec spec, ComponentCatalog catalog, IReadOnlyList<StepRecord> steps)
    {
        var operations = steps
            .GroupBy(s => s.OperationId)
            .OrderBy(g => g.First().OperationCreatedAt)
            .ThenBy(g => g.Key)
            .ToList();

        var deployed = new HashSet<string>(StringComparer.Ordinal);
        var wired = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            foreach (var step in operation.Where(s => s.State == StepState.Succeeded).OrderBy(s => s.FinishedAt))
            {
                switch (step.Kind)
                {
                    case StepKind.ApplyComponent when step.Component is { } applied:
                        deployed.Add(applied);
                        break;
                    case StepKind.RemoveComponent when step.Component is { } removed:
                        deployed.Remove(removed);
                        break;
                    case StepKind.ProvisionRelation when step.Relation is { } relation:
                        wired.Add(relation);
                        break;
                    case StepKind.RemoveRelation when step.Relation is { } relation:
                        wired.Remove(relation);
                        break;
                }
            }
        }

        var queued = new HashSet<string>(StringComparer.Ordinal);
        var applying = new Dictionary<string, string>(StringComparer.Ordinal);
        var wiring = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in operations.Where(o => !o.First().OperationState.IsFinished()).SelectMany(o => o))
        {
            var inHand = step.State is StepState.Running or StepState.Waiting;
            switch (step.Kind)
            {
                case StepKind.ApplyComponent when step.Component is { } component && step.State is StepState.Blocked or StepState.Queued:
                    queued.Add(component);
                    break;
                case StepKind.ApplyComponent or StepKind.RemoveComponent when step.Component is { } component && inHand:
                    applying[component] = step.Description;
                    break;
                case StepKind.ProvisionRelation or StepKind.CompleteRelation or StepKind.RemoveRelation when step.Relation is { } relation && inHand:
                    wiring[relation] = step.Description;
                    break;
            }
        }

        var blocked = new Dictionary<string, string>(StringComparer.Ordinal);
        if (operations.Count > 0 && operations[^1].First().OperationState == OperationState.Failed)
        {
            foreach (var step in operations[^1].Where(s => s.Kind == StepKind.ApplyComponent && s.State == StepState.Failed && s.Component is not null))
            {
                blocked[step.Component!] = $"'{step.Description}' failed: {step.Error ?? "no reason recorded"}";
            }
        }

        return new PortalFacts
        {
            Deployed = deployed.ToFrozenSet(StringComparer.Ordinal),
            Queued = queued.ToFrozenSet(StringComparer.Ordinal),
            Applying = applying.ToFrozenDictionary(StringComparer.Ordinal),
            WiredRelations = wired.ToFrozenSet(StringComparer.Ordinal),
            Wiring = wiring.ToFrozenDictionary(StringComparer.Ordinal),
            Blocked = blocked.ToFrozenDictionary(StringComparer.Ordinal),
            ExternalDatabases = ExternalDatabases(spec, catalog, steps).ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    private static Dictionary<string, ExternalDatabaseCheck> ExternalDatabases(StackSpec spec, ComponentCatalog catalog, IReadOnlyList<StepRecord> steps)
    {
        var checks = new Dictionary<string, ExternalDatabaseCheck>(StringComparer.Ordinal);
        foreach (var component in spec.Components)
        {
            if (component.Kind != PostgresqlKind.Name || !catalog.TryGet(component.Kind, out var kind)
                || component.Get(kind, "mode") == PostgresqlKind.InCluster)
            {
                continue;
            }

            var relations = spec.Relations.Where(r => r.Provider.Component == component.Name).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
            var last = steps
                .Where(s => s.Relation is { } relation && relations.Contains(relation)
                    && s.Kind is StepKind.ProvisionRelation or StepKind.CompleteRelation or StepKind.RemoveRelation
                    && s.State is StepState.Succeeded or StepState.Failed)
                .MaxBy(s => s.FinishedAt);
            if (last is not null)
            {
                checks[component.Name] = last.State == StepState.Succeeded
                    ? new ExternalDatabaseCheck(true)
                    : new ExternalDatabaseCheck(false, $"'{last.Description}' failed: {last.Error ?? "no reason recorded"}");
            }
        }

        return checks;
    }
}
