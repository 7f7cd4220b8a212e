using Portal.Domain.Plans;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Steps.Relations;

namespace Portal.Provisioning.Steps;

/// <summary>Finds the wiring of a relation's interface.</summary>
internal sealed class RelationWirings(IEnumerable<IRelationWiring> wirings)
{
    private readonly Dictionary<string, IRelationWiring> _byInterface = wirings.ToDictionary(w => w.Interface, StringComparer.Ordinal);

    public IRelationWiring? For(string @interface) => _byInterface.GetValueOrDefault(@interface);
}

/// <summary>Runs the provider-side work of a relation through its interface's wiring.</summary>
internal sealed class ProvisionRelationHandler(StepTools tools, RelationWirings wirings) : IStepHandler
{
    public StepKind Kind => StepKind.ProvisionRelation;

    public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var relation = execution.Relation;
        return wirings.For(relation.Interface) is { } wiring
            ? wiring.ProvisionAsync(new RelationWork(execution.Target, relation, tools.Cluster(execution.Target), false, execution.Operation.Id), cancellationToken)
            : Task.FromResult(StepOutcome.Fail($"the portal cannot wire {relation.Interface} relations", permanent: true));
    }
}

/// <summary>Runs the part of a relation's work that needs the requirer serving (the Temporal namespace).</summary>
internal sealed class CompleteRelationHandler(StepTools tools, RelationWirings wirings) : IStepHandler
{
    public StepKind Kind => StepKind.CompleteRelation;

    public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var relation = execution.Relation;
        return wirings.For(relation.Interface) is { } wiring
            ? wiring.CompleteAsync(new RelationWork(execution.Target, relation, tools.Cluster(execution.Target), false), cancellationToken)
            : Task.FromResult(StepOutcome.Fail($"the portal cannot wire {relation.Interface} relations", permanent: true));
    }
}

/// <summary>Undoes a relation: deletes its labelled objects (relation Secret, Jobs, routes, certificates) and, when the step
/// deletes data, what the wiring made outside the cluster (the database and its role).</summary>
internal sealed class RemoveRelationHandler(StepTools tools, RelationWirings wirings) : IStepHandler
{
    public StepKind Kind => StepKind.RemoveRelation;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var stack = execution.Target;
        var relation = execution.Relation;
        var work = new RelationWork(stack, relation, tools.Cluster(stack), execution.Step.DeleteData);

        // External data first: dropping a database needs the admin credentials, which live in the provider's Secret.
        var external = work.DeleteData && wirings.For(relation.Interface) is { } wiring
            ? await wiring.RemoveExternalAsync(work, cancellationToken).ConfigureAwait(false)
            : null;
        var deleted = await StepTools.DeleteAllAsync(work.Cluster, stack.Namespace, StepTools.RelationSelector(stack, relation), _ => true, cancellationToken)
            .ConfigureAwait(false);
        return StepOutcome.Ok(external is null ? $"deleted {deleted} object(s) of {relation.Key}" : $"deleted {deleted} object(s) of {relation.Key}; {external}");
    }
}
