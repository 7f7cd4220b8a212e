using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;

namespace Portal.Domain.Plans;

/// <summary>The full deploy DAG of a stack: every step and why it waits for what. Reconfigure and teardown are cut from it.</summary>
/// <remarks>
/// The rules, from the namespace up (each edge reads "waits for"):
/// <list type="number">
/// <item>Every component is applied after the namespace exists and awaited after it is applied.</item>
/// <item>A relation is provisioned after the namespace exists and after its provider has reached the gate of its
/// interface (<see cref="InterfaceRules"/>): PostgreSQL accepting connections before roles are created, MinIO ready before
/// the bucket Job, Temporal serving before its host is handed out, the ingress applied before a route is rendered.</item>
/// <item>"Serving" means healthy and done with the completion of the provider's own relations: Temporal serves once its
/// namespace exists, not just when its port opens.</item>
/// <item>A relation whose work uses the requirer's other relations (the schema Jobs use Temporal's database credentials)
/// waits for them.</item>
/// <item>A requirer that reads a relation's Secret at start is applied after the relation is provisioned, so its pods never
/// start without credentials (Temporal after its schemas, Airbyte after its database, buckets and Temporal host).</item>
/// <item>A completion (Temporal's namespace) runs once its relation is provisioned and the requirer is healthy.</item>
/// <item>A provider whose objects come from its relations (the ingress and its Ingresses) is awaited after them; with
/// http-01, certificates are issued once the ingress serves the routes the challenge travels through.</item>
/// </list>
/// Nothing else is ordered: MinIO, PostgreSQL, lego and the ingresses start in the first wave, side by side.
/// </remarks>
internal sealed class DeployGraph
{
    private DeployGraph(StackFacts facts, PlanGraph graph, IReadOnlyDictionary<string, StepTarget> targets)
    {
        Facts = facts;
        Graph = graph;
        Targets = targets;
    }

    public StackFacts Facts { get; }

    /// <summary>Every dependency the rules give (not yet reduced); may hold a cycle for a malformed stack.</summary>
    public PlanGraph Graph { get; }

    public IReadOnlyDictionary<string, StepTarget> Targets { get; }

    public static DeployGraph Build(StackSpec spec, ComponentCatalog catalog)
    {
        var facts = new StackFacts(spec, catalog);
        var graph = new PlanGraph();
        var targets = new Dictionary<string, StepTarget>(StringComparer.Ordinal);

        string Add(StepTarget target)
        {
            targets[target.Id] = target;
            graph.Add(target.Id);
            return target.Id;
        }

        var ns = Add(new StepTarget(StepKind.EnsureNamespace, Namespace: spec.Namespace));
        foreach (var component in facts.ComponentNames)
        {
            var apply = Add(new StepTarget(StepKind.ApplyComponent, component));
            var awaitHealthy = Add(new StepTarget(StepKind.AwaitHealthy, component));
            graph.AddDependency(apply, ns);
            graph.AddDependency(awaitHealthy, apply);
        }

        foreach (var relation in facts.Relations)
        {
            graph.AddDependency(Add(new StepTarget(StepKind.ProvisionRelation, Relation: relation)), ns);
            if (InterfaceRules.For(relation.Interface).HasCompletion)
            {
                Add(new StepTarget(StepKind.CompleteRelation, Relation: relation));
            }
        }

        foreach (var relation in facts.Relations)
        {
            AddRelationRules(relation, facts, graph);
        }

        return new DeployGraph(facts, graph, targets);
    }

    /// <summary>What must be done before a provider answers requests: healthy, and its own relations' completions run.</summary>
    public static IEnumerable<string> Serving(string component, StackFacts facts) =>
        facts.Relations
            .Where(r => r.Requirer.Component == component && InterfaceRules.For(r.Interface).HasCompletion)
            .Select(StepIds.Complete)
            .Prepend(StepIds.Await(component));

    private static void AddRelationRules(RelationSpec relation, StackFacts facts, PlanGraph graph)
    {
        var rule = InterfaceRules.For(relation.Interface);
        var provision = StepIds.Provision(relation);
        var requirer = relation.Requirer.Component;
        var provider = relation.Provider.Component;

        switch (rule.Gate)
        {
            case ProviderGate.Applied:
                graph.AddDependency(provision, StepIds.Apply(provider));
                break;
            case ProviderGate.Serving:
                foreach (var gate in Serving(provider, facts))
                {
                    graph.AddDependency(provision, gate);
                }

                break;
            case ProviderGate.Namespace:
                break;
        }

        foreach (var other in facts.Relations.Where(r =>
                     r != relation && r.Requirer.Component == requirer && rule.RequirerRelationsFirst.Contains(r.Interface)))
        {
            graph.AddDependency(provision, StepIds.Provision(other));
        }

        if (relation.Interface == Interfaces.TlsCertificates && facts.IssuesThroughRoutes(provider))
        {
            graph.AddDependency(provision, StepIds.Await(requirer));
        }

        if (rule.RequirerStartsAfter)
        {
            graph.AddDependency(StepIds.Apply(requirer), provision);
        }

        if (rule.HasCompletion)
        {
            var complete = StepIds.Complete(relation);
            graph.AddDependency(complete, provision);
            graph.AddDependency(complete, StepIds.Await(requirer));
        }

        if (rule.ProviderRendersObjects)
        {
            graph.AddDependency(StepIds.Await(provider), provision);
        }
    }
}
