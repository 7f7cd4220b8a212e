using Portal.Domain.Blueprints;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;

namespace Portal.Provisioning.Steps.Relations;

/// <summary>One relation of a stack being worked on, with the cluster it lives in.</summary>
/// <param name="OperationId">The operation the work belongs to, when one does (recorded on what the work writes).</param>
internal sealed record RelationWork(StackSpec Stack, RelationSpec Relation, IClusterGateway Cluster, bool DeleteData, Guid? OperationId = null)
{
    public string Namespace => Stack.Namespace;

    public string Provider => Relation.Provider.Component;

    public string Requirer => Relation.Requirer.Component;
}

/// <summary>The provider-side work of one relation interface (one class per interface).</summary>
internal interface IRelationWiring
{
    string Interface { get; }

    /// <summary>Does the provider's work and writes what the requirer reads; idempotent.</summary>
    Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken);

    /// <summary>The part that needs the requirer serving (only the temporal interface has one).</summary>
    Task<StepOutcome> CompleteAsync(RelationWork work, CancellationToken cancellationToken) =>
        Task.FromResult(StepOutcome.Ok("nothing to complete"));

    /// <summary>Undoes what lives outside the cluster (a database); the relation's labelled objects are deleted by the caller.</summary>
    Task<string?> RemoveExternalAsync(RelationWork work, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
