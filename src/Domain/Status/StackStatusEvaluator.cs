using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Status;

/// <summary>Turns a stack's spec and what the cluster shows into the live status of every component and relation, and of the stack.</summary>
/// <remarks>Pure and synchronous: the same spec, observation, facts and <c>now</c> always give the same status, so the watch cache
/// can recompute it on every change batch. Component and relation status depend on each other (a requirer is not active while
/// its relation is not healthy; a relation is not healthy while its provider is not active); the evaluation follows
/// requirer → provider and breaks cycles by using a component's own status when it meets it again.</remarks>
public sealed class StackStatusEvaluator
{
    private readonly ComponentCatalog _catalog;
    private readonly ResourceHealthEvaluator _health;

    public StackStatusEvaluator(ComponentCatalog catalog, HealthDeadlines? deadlines = null)
    {
        _catalog = catalog;
        _health = new ResourceHealthEvaluator(deadlines);
    }

    public HealthDeadlines Deadlines => _health.Deadlines;

    /// <summary>The status of the stack, every component (in spec order) and every relation (in spec order).</summary>
    public StackStatus Evaluate(StackSpec stack, StackObservation observation, PortalFacts facts, DateTimeOffset now) =>
        new StatusEvaluation(stack, _catalog, observation, facts, now, _health).Run();

    /// <summary>The status of one component (its relations are evaluated as far as it needs them).</summary>
    public ComponentState EvaluateComponent(StackSpec stack, string component, StackObservation observation, PortalFacts facts, DateTimeOffset now) =>
        new StatusEvaluation(stack, _catalog, observation, facts, now, _health).Component(component);
}
