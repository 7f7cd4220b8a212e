using System.Collections.Immutable;

namespace Portal.Domain.Status;

/// <summary>What a step of a diagnosis is about.</summary>
public enum DiagnosisSubject
{
    Component,
    Relation,
    Resource,
}

/// <summary>One step of a "why is this not green" chain: a component, relation or object, how bad it is, and one sentence.</summary>
/// <param name="Name">The component name, the relation (<c>airbyte:db → postgresql:database</c>) or the object (<c>Pod/airbyte-server-…</c>).</param>
/// <param name="Severity">The step's status on the component scale, for colour and ranking.</param>
/// <param name="Status">The step's own status word (<c>waiting</c>, <c>pending</c>, <c>degraded</c>…).</param>
public sealed record DiagnosisStep(DiagnosisSubject Subject, string Name, ComponentStatus Severity, string Status, string Message)
{
    public override string ToString() => $"{Name} {Status}: {Message}";
}

/// <summary>Why a component is not green: the chain from it to the deepest cause, and the action to take.</summary>
public sealed record StatusDiagnosis(string Component, IReadOnlyList<DiagnosisStep> Steps, string Action)
{
    public bool IsGreen => Steps.Count == 0;

    /// <summary>The deepest cause; null when the component is active.</summary>
    public DiagnosisStep? RootCause => Steps.Count == 0 ? null : Steps[^1];

    /// <summary>The chain in one line: <c>airbyte waiting ← airbyte:temporal → temporal:temporal-host-info pending ← temporal blocked</c>.</summary>
    public string Summary => string.Join(" ← ", Steps.Select(s => $"{s.Name} {s.Status}"));
}

/// <summary>Walks the status graph from a component to the deepest unhealthy cause (requirer → relation → provider → object).</summary>
/// <remarks>A component's own cause (config, a broken object, the portal at work) ends the walk there, as its message says. A
/// component waiting on relations is followed down each of them, keeping the chain that ends worst, then the deepest;
/// components and relations already on the path are not entered again, so cycles end.</remarks>
public static class WhyNotGreen
{
    public static StatusDiagnosis Explain(StackStatus status, string component)
    {
        var state = status.Component(component);
        if (state.IsActive)
        {
            return new StatusDiagnosis(component, [], $"Nothing to do: {component} is active");
        }

        var chain = Walk(status, state, [], []);
        return new StatusDiagnosis(component, chain.Steps, chain.Action);
    }

    /// <summary>A diagnosis per distinct root cause of the stack, worst first: what the operator should look at to turn it green.</summary>
    public static IReadOnlyList<StatusDiagnosis> RootCauses(StackStatus status) =>
        status.Components
            .Where(c => !c.IsActive)
            .Select(c => Explain(status, c.Component))
            .GroupBy(d => (d.RootCause!.Name, d.Action))
            // Of the components sharing a root cause, the one with the longest chain explains it best.
            .Select(g => g.OrderByDescending(d => d.Steps.Count).First())
            .OrderByDescending(d => d.RootCause!.Severity)
            .ThenByDescending(d => d.Steps.Count)
            .ToList();

    private sealed record Chain(IReadOnlyList<DiagnosisStep> Steps, string Action)
    {
        public ComponentStatus Severity(ComponentStatus fallback) => Steps.Count == 0 ? fallback : Steps[^1].Severity;
    }

    private static Chain Walk(StackStatus status, ComponentState state, ImmutableHashSet<string> components, ImmutableHashSet<string> relations)
    {
        var visited = components.Add(state.Component);
        var options = new List<Chain>();
        if (state.Cause is { } cause)
        {
            options.Add(FromCause(status, cause, visited, relations));
        }

        // A component that only waits on its relations may wait on several: look down each and keep the worst.
        // A cause of its own (config, a broken object, the portal at work) is what its message says, and the walk says the same.
        if (state.Cause is null or { Kind: CauseKind.Relation })
        {
            foreach (var relation in status.RequiredBy(state.Component))
            {
                if (relation.Status != RelationStatus.Healthy && !relations.Contains(relation.Key) && relation.Key != state.Cause?.Relation?.Key)
                {
                    options.Add(FromRelation(status, relation, visited, relations));
                }
            }
        }

        // Worst ending first, then deepest; OrderBy is stable, so the component's own cause wins a tie.
        var best = options
            .OrderByDescending(o => o.Severity(state.Status))
            .ThenByDescending(o => o.Steps.Count)
            .FirstOrDefault() ?? new Chain([], $"Check {state.Component}");
        return new Chain([ComponentStep(state), .. best.Steps], best.Action);
    }

    private static Chain FromCause(StackStatus status, StatusCause cause, ImmutableHashSet<string> components, ImmutableHashSet<string> relations)
    {
        if (cause.Resource is { } resource)
        {
            return new Chain([ResourceStep(resource)], cause.Action);
        }

        switch (cause.Kind)
        {
            case CauseKind.MissingRelation:
                return new Chain([new DiagnosisStep(DiagnosisSubject.Relation, cause.Subject, ComponentStatus.Blocked, "missing", cause.Message)], cause.Action);
            case CauseKind.Relation or CauseKind.ProvidedRelation
                when cause.Relation is { } spec && !relations.Contains(spec.Key) && status.FindRelation(spec.Key) is { Status: not RelationStatus.Healthy } relation:
                return cause.Kind == CauseKind.ProvidedRelation
                    // A provider lagging on a relation it serves: show the relation, but the provider's own action is the precise one.
                    ? new Chain([RelationStep(relation)], cause.Action)
                    : FromRelation(status, relation, components, relations);
            default:
                return new Chain([], cause.Action);
        }
    }

    private static Chain FromRelation(StackStatus status, RelationState relation, ImmutableHashSet<string> components, ImmutableHashSet<string> relations)
    {
        var visited = relations.Add(relation.Key);
        var step = RelationStep(relation);
        var options = new List<(Chain Chain, bool Failed)>();
        foreach (var problem in relation.Checks.Where(c => c.Result != CheckResult.Passed))
        {
            var failed = problem.Result == CheckResult.Failed;
            if (problem.WaitingOn is { } other && !components.Contains(other) && status.FindComponent(other) is { IsActive: false } waitedFor)
            {
                var deeper = Walk(status, waitedFor, components, visited);
                options.Add((new Chain([step, .. deeper.Steps], deeper.Action), failed));
            }
            else
            {
                // A check waiting on a component already on the path (a cycle, or the requirer itself) ends here.
                options.Add((new Chain([step], problem.Action ?? $"Check the relation {relation.Relation}"), failed));
            }
        }

        // Worst ending, then deepest, then a failed check before a pending one.
        return options
            .OrderByDescending(o => o.Chain.Severity(ComponentStatus.Unknown))
            .ThenByDescending(o => o.Chain.Steps.Count)
            .ThenByDescending(o => o.Failed)
            .Select(o => o.Chain)
            .FirstOrDefault() ?? new Chain([step], $"Check the relation {relation.Relation}");
    }

    private static DiagnosisStep ComponentStep(ComponentState state) =>
        new(DiagnosisSubject.Component, state.Component, state.Status, Word(state.Status), state.Message);

    private static DiagnosisStep RelationStep(RelationState relation) =>
        new(DiagnosisSubject.Relation, $"{relation.Relation.Requirer} → {relation.Relation.Provider}", relation.Status switch
        {
            RelationStatus.Healthy => ComponentStatus.Active,
            RelationStatus.Pending => ComponentStatus.Waiting,
            RelationStatus.Broken => ComponentStatus.Blocked,
            _ => ComponentStatus.Unknown,
        }, Word(relation.Status), relation.Message);

    private static DiagnosisStep ResourceStep(ResourceHealth health) =>
        new(DiagnosisSubject.Resource, health.Resource.ToString(), health.Status switch
        {
            HealthStatus.Healthy => ComponentStatus.Active,
            HealthStatus.Suspended => ComponentStatus.Blocked,
            HealthStatus.Progressing => ComponentStatus.Waiting,
            HealthStatus.Unknown => ComponentStatus.Unknown,
            _ => ComponentStatus.Error,
        }, Word(health.Status), health.Message);

    private static string Word<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
