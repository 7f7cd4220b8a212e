using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Stacks;

namespace Portal.Domain.Plans;

/// <summary>Turns a desired stack spec (and the last applied one) into a plan: deploy, reconfigure or teardown.</summary>
/// <remarks>Pure and deterministic: the same specs give the same step ids, dependencies and order, whatever the order of
/// components and relations in the specs. The ordering rules are documented on <c>DeployGraph</c> and <c>InterfaceRules</c>;
/// a reconfigure and a teardown are cut from the deploy DAG, so they keep its order (a teardown reversed).</remarks>
public sealed class StackPlanner
{
    private readonly ComponentCatalog _catalog;

    public StackPlanner(ComponentCatalog catalog)
    {
        _catalog = catalog;
    }

    /// <summary>A planner over the kinds of the Charmed Airbyte stack.</summary>
    public static StackPlanner Default { get; } = new(ComponentCatalog.Default);

    /// <summary>Deploy when nothing was applied yet, otherwise reconfigure.</summary>
    public Result<Plan> Converge(StackSpec desired, StackSpec? lastApplied) =>
        lastApplied is null ? Deploy(desired) : Reconfigure(desired, lastApplied);

    /// <summary>Every step of a first deployment, from the namespace to every component healthy.</summary>
    /// <returns>The plan, or an error naming the cycle when the relations make components wait for each other.</returns>
    public Result<Plan> Deploy(StackSpec desired)
    {
        var deploy = DeployGraph.Build(desired, _catalog);
        var drafts = deploy.Targets.Values.ToDictionary(t => t.Id, t => new Draft(t, deploy.Facts), StringComparer.Ordinal);
        return Assemble(PlanKind.Deploy, desired, deploy.Graph, drafts, []);
    }

    /// <summary>Only what changed between <paramref name="lastApplied"/> and <paramref name="desired"/>, and what depends on it;
    /// an empty plan when nothing changed.</summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>A component whose config differs (<see cref="ComponentSpec.ConfigEquals"/>) is applied and awaited again.</item>
    /// <item>A relation is provisioned again when an option that feeds its data changed on either side (postgresql's port, the
    /// buckets Airbyte asks for, a hostname behind a route or a certificate), and a requirer that reads it at start is then
    /// applied again so its pods roll onto the new Secret. An option that feeds nothing (Airbyte's log level) touches only its component.</item>
    /// <item>Added components and relations are deployed; removed ones are removed in teardown order, keeping their data.</item>
    /// <item>A component whose kind changed is removed before its replacement is applied (the objects share names), and a
    /// relation moved to another provider is removed before the new one is provisioned (the relation Secret's name is the requirer endpoint's).</item>
    /// </list>
    /// Compare like with like: both specs with their secret options, or both without (<see cref="StackSpec.WithoutSecrets"/>),
    /// else every secret option reads as changed. Secret values change through rotations, which are their own operations.
    /// </remarks>
    public Result<Plan> Reconfigure(StackSpec desired, StackSpec lastApplied)
    {
        var errors = new ErrorList();
        if (desired.Name != lastApplied.Name)
        {
            errors.Add("name", $"A reconfigure cannot rename the stack '{lastApplied.Name}': tear it down and deploy '{desired.Name}'.");
        }

        if (desired.Cluster != lastApplied.Cluster)
        {
            errors.Add("cluster", $"A reconfigure cannot move the stack from cluster '{lastApplied.Cluster}' to '{desired.Cluster}': tear it down and deploy it there.");
        }

        if (desired.Namespace != lastApplied.Namespace)
        {
            errors.Add("namespace", $"A reconfigure cannot move the stack from namespace '{lastApplied.Namespace}' to '{desired.Namespace}': tear it down and deploy it there.");
        }

        if (errors.Count > 0)
        {
            return Result<Plan>.Failure(errors);
        }

        var after = DeployGraph.Build(desired, _catalog);
        var before = DeployGraph.Build(lastApplied, _catalog);
        var changes = ChangeSet.Compute(after.Facts, before.Facts);
        var drafts = new Dictionary<string, Draft>(StringComparer.Ordinal);

        void Select(string id, Reason reason)
        {
            if (!drafts.TryGetValue(id, out var draft))
            {
                draft = new Draft(after.Targets[id], after.Facts);
                drafts.Add(id, draft);
            }

            draft.AddReason(reason);
        }

        foreach (var component in changes.AddedComponents)
        {
            var reason = changes.ReplacedComponents.Contains(component)
                ? $"its kind changed to {desired.Component(component).Kind}"
                : "it is new";
            Select(StepIds.Apply(component), Reason.Plain(reason));
            Select(StepIds.Await(component), Reason.Plain(reason));
        }

        foreach (var (component, options) in changes.ChangedComponents)
        {
            var reason = $"{component} {Phrases.JoinWithAnd(options)} changed";
            Select(StepIds.Apply(component), Reason.Plain(reason));
            Select(StepIds.Await(component), Reason.Plain(reason));
        }

        void SelectRelation(RelationSpec relation, string reason)
        {
            var rule = InterfaceRules.For(relation.Interface);
            Select(StepIds.Provision(relation), Reason.Plain(reason));
            if (rule.HasCompletion)
            {
                Select(StepIds.Complete(relation), Reason.Plain(reason));
            }

            if (rule.RequirerRolls)
            {
                var rolled = Reason.About("its pods read the new data of {0}", relation.Requirer.ToString());
                Select(StepIds.Apply(relation.Requirer.Component), rolled);
                Select(StepIds.Await(relation.Requirer.Component), rolled);
            }

            if (rule.ProviderRendersObjects)
            {
                Select(StepIds.Await(relation.Provider.Component), Reason.About("the route of {0} changed", relation.Requirer.Component, "the routes of {0} changed"));
            }
        }

        foreach (var relation in changes.AddedRelations)
        {
            SelectRelation(relation, $"the relation {relation.Requirer} → {relation.Provider} is new");
        }

        foreach (var (relation, reasons) in changes.ChangedRelations.Values)
        {
            SelectRelation(relation, Phrases.JoinWithAnd(reasons));
        }

        // A requirer that stays but loses a relation it read at start is rendered again without it.
        foreach (var relation in changes.RemovedRelations.Where(r =>
                     InterfaceRules.For(r.Interface).RequirerRolls
                     && desired.FindComponent(r.Requirer.Component) is not null
                     && !changes.ReplacedComponents.Contains(r.Requirer.Component)))
        {
            var reason = Reason.Plain($"it no longer uses {relation.Requirer} → {relation.Provider}");
            Select(StepIds.Apply(relation.Requirer.Component), reason);
            Select(StepIds.Await(relation.Requirer.Component), reason);
        }

        var graph = after.Graph.Restrict(drafts.Keys);
        var removal = Removal(before, changes.RemovedComponents, changes.RemovedRelations, TeardownOptions.KeepData, includeNamespace: false);
        foreach (var (id, draft) in removal.Drafts)
        {
            var reason = draft.Target.Component is { } component && changes.ReplacedComponents.Contains(component)
                ? $"its kind changes to {desired.Component(component).Kind}"
                : draft.Target.Relation is { } relation && changes.AddedRelations.Contains(relation)
                    ? "its component is replaced"
                    : "it is no longer in the stack";
            draft.AddReason(Reason.Plain(reason));
            drafts.Add(id, draft);
        }

        graph.Merge(removal.Graph);
        foreach (var component in changes.ReplacedComponents)
        {
            graph.AddDependency(StepIds.Apply(component), StepIds.RemoveComponent(component));
        }

        foreach (var added in changes.AddedRelations)
        {
            foreach (var removed in changes.RemovedRelations.Where(r => r.Requirer == added.Requirer))
            {
                graph.AddDependency(StepIds.Provision(added), StepIds.RemoveRelation(removed));
            }
        }

        var keeps = Keeps(before.Facts, changes.RemovedComponents, changes.RemovedRelations, TeardownOptions.KeepData, null);
        return Assemble(PlanKind.Reconfigure, desired, graph, drafts, keeps);
    }

    /// <summary>Removes the whole stack in the reverse order of its deploy: requirers before the relations they use,
    /// relations before their providers, the namespace last (and only when asked).</summary>
    /// <remarks>Keeps volumes, databases and the namespace unless <paramref name="options"/> says otherwise, and says what it
    /// keeps in <see cref="Plan.Keeps"/>.</remarks>
    public Result<Plan> Teardown(StackSpec lastApplied, TeardownOptions options)
    {
        var deploy = DeployGraph.Build(lastApplied, _catalog);
        var removal = Removal(deploy, deploy.Facts.ComponentNames, deploy.Facts.Relations, options, options.DeleteNamespace);
        var keeps = Keeps(deploy.Facts, deploy.Facts.ComponentNames, deploy.Facts.Relations, options, options.DeleteNamespace ? null : lastApplied.Namespace);
        return Assemble(PlanKind.Teardown, lastApplied, removal.Graph, removal.Drafts, keeps);
    }

    // The removal steps of some components and relations: the deploy DAG cut down to the steps that leave objects behind,
    // read backwards. Waits and completions disappear, but the order they imposed stays (Restrict keeps paths through them).
    private static (PlanGraph Graph, Dictionary<string, Draft> Drafts) Removal(
        DeployGraph deploy, IEnumerable<string> components, IEnumerable<RelationSpec> relations, TeardownOptions options, bool includeNamespace)
    {
        var undone = components.Select(StepIds.Apply)
            .Concat(relations.Select(StepIds.Provision))
            .Concat(includeNamespace ? [StepIds.EnsureNamespace(deploy.Facts.Spec.Namespace)] : [])
            .ToList();
        var graph = deploy.Graph.Restrict(undone).Reverse().Rename(id => deploy.Targets[id].Undo()!.Id);
        var drafts = new Dictionary<string, Draft>(StringComparer.Ordinal);
        foreach (var id in undone)
        {
            var target = deploy.Targets[id].Undo()!;
            var deleteData = target.Kind switch
            {
                StepKind.RemoveComponent => options.DeleteVolumes && deploy.Facts.Volumes(target.Component!).Count > 0,
                StepKind.RemoveRelation => options.DropDatabases && target.Relation!.Interface == Interfaces.PostgresqlClient,
                _ => false,
            };
            drafts.Add(target.Id, new Draft(target, deploy.Facts, deleteData));
        }

        return (graph, drafts);
    }

    private static List<string> Keeps(
        StackFacts facts, IEnumerable<string> components, IEnumerable<RelationSpec> relations, TeardownOptions options, string? keptNamespace)
    {
        var removed = components.ToHashSet(StringComparer.Ordinal);
        var keeps = new List<string>();
        if (!options.DeleteVolumes)
        {
            keeps.AddRange(removed.Order(StringComparer.Ordinal).SelectMany(c => facts.Volumes(c).Select(v => $"the {c} {v.Name} volume")));
        }

        if (!options.DropDatabases)
        {
            foreach (var byProvider in relations
                         .Where(r => r.Interface == Interfaces.PostgresqlClient)
                         .GroupBy(r => r.Provider.Component)
                         .OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var provider = byProvider.Key;
                var databases = byProvider.Select(facts.Database).Order(StringComparer.Ordinal).ToList();
                var noun = databases.Count == 1 ? "database" : "databases";
                if (facts.IsExternalDatabase(provider))
                {
                    keeps.Add($"the external {noun} {Phrases.JoinWithAnd(databases)} on {facts.Option(provider, "host")}");
                }
                else if (!removed.Contains(provider) || !options.DeleteVolumes)
                {
                    // In-cluster databases live in the server's volume: kept while the server or its volume is.
                    keeps.Add($"the {noun} {Phrases.JoinWithAnd(databases)} on {provider}");
                }
            }
        }

        if (keptNamespace is not null)
        {
            keeps.Add($"the namespace {keptNamespace}");
        }

        return keeps;
    }

    private static Result<Plan> Assemble(
        PlanKind kind, StackSpec spec, PlanGraph graph, IReadOnlyDictionary<string, Draft> drafts, IReadOnlyList<string> keeps)
    {
        if (graph.FindCycle() is { } cycle)
        {
            return Result<Plan>.Failure("plan", PlanGraph.CycleMessage(cycle));
        }

        var reduced = graph.WithoutRedundantDependencies();
        var steps = reduced.Nodes.Select(id => drafts[id].ToStep(reduced.DependenciesOf(id).ToList()));
        return Plan.Create(kind, spec.Name, spec.Namespace, steps, keeps);
    }

    /// <summary>A step being planned: its target, the stack it reads texts from, and why it is in a reconfigure.</summary>
    private sealed class Draft(StepTarget target, StackFacts facts, bool deleteData = false)
    {
        private readonly List<Reason> _reasons = [];

        public StepTarget Target { get; } = target;

        public void AddReason(Reason reason)
        {
            if (!_reasons.Contains(reason))
            {
                _reasons.Add(reason);
            }
        }

        public PlanStep ToStep(IReadOnlyList<string> dependsOn)
        {
            var description = StepTexts.Description(Target, facts, deleteData);
            var reasons = Reason.Render(_reasons).ToList();
            var because = reasons.Count == 0 ? "" : $", because {Phrases.JoinWithAnd(reasons)}";
            return new PlanStep(Target.Id, Target.Kind, Target.Component, Target.Relation, dependsOn, $"{description}{because}.", StepTexts.Outcome(Target, facts))
            {
                DeleteData = deleteData,
                Reasons = reasons,
            };
        }
    }

    /// <summary>Why a step is in a reconfigure; reasons with the same template merge ("the new data of temporal:db and temporal:visibility").</summary>
    private sealed record Reason(string Template, string Subject, string? PluralTemplate = null)
    {
        public static Reason Plain(string text) => new("{0}", text);

        public static Reason About(string template, string subject, string? pluralTemplate = null) => new(template, subject, pluralTemplate);

        public static IEnumerable<string> Render(IEnumerable<Reason> reasons) =>
            reasons.GroupBy(r => (r.Template, r.PluralTemplate)).Select(group =>
            {
                var subjects = group.Select(r => r.Subject).ToList();
                var template = subjects.Count > 1 && group.Key.PluralTemplate is { } plural ? plural : group.Key.Template;
                return group.Key.Template == "{0}"
                    ? Phrases.JoinWithAnd(subjects)
                    : template.Replace("{0}", Phrases.JoinWithAnd(subjects), StringComparison.Ordinal);
            });
    }
}
