using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>What the day-2 pages and dialogs share: where an operation is followed, how a refusal reads, and the stack's
/// relations and scalable options worked out from the catalog.</summary>
public static class StackEdits
{
    /// <summary>The progress page of an operation.</summary>
    public static string OperationUrl(Guid id) => $"/operations/{id}";

    /// <summary>Why a request was refused, one sentence per problem: the Domain's own words for invalid input.</summary>
    public static IReadOnlyList<string> Problems<T>(ServiceResult<T> result) =>
        result.Status == ServiceStatus.Invalid && result.Errors.Count > 0
            ? result.Errors.Select(e => e.Message).ToList()
            : [result.Message];

    /// <summary>Sends a day-2 update as the signed-in operator (the circuit's role checked first) and says how it went:
    /// the operation it started, a notice when nothing needed to change, or every problem.</summary>
    public static async Task<UpdateOutcome> UpdateAsync(
        CircuitAuthorization authorization, IStackService stacks, string stack, Func<UpdateStackCommand> command)
    {
        try
        {
            var actor = await authorization.DemandAsync(PortalPolicies.Operator);
            var result = await stacks.UpdateAsync(stack, command(), actor, CancellationToken.None);
            return !result.IsSuccess ? new UpdateOutcome(null, null, Problems(result))
                : result.Value.OperationId is { } id ? new UpdateOutcome(id, null, [])
                : new UpdateOutcome(null, result.Value.Message, []);
        }
        catch (UnauthorizedAccessException e)
        {
            return new UpdateOutcome(null, null, [e.Message]);
        }
    }

    /// <summary>The stack's relations as the operator sees them, each marked removable when its requirer endpoint is optional.</summary>
    public static IReadOnlyList<RelationChoice> Relations(StackView view, ComponentCatalog catalog) =>
        view.Relations.Select(r => Choice(view, catalog, r.Requirer, r.Provider, r.Interface)).ToList();

    /// <summary>The optional relations that could be added to <paramref name="current"/>: an optional requirer endpoint with room
    /// left (its limit) paired with every other component that provides the same interface. Whether the stack as a whole allows
    /// one is the Domain's call when the change is previewed.</summary>
    public static IReadOnlyList<RelationChoice> Addable(StackView view, IReadOnlyList<RelationChoice> current, ComponentCatalog catalog)
    {
        var addable = new List<RelationChoice>();
        foreach (var requirer in view.Components)
        {
            if (!catalog.TryGet(requirer.Kind, out var kind))
            {
                continue;
            }

            foreach (var endpoint in kind.Endpoints.Where(e => e.Role == EndpointRole.Requires && !e.Required))
            {
                var reference = $"{requirer.Name}:{endpoint.Name}";
                if (endpoint.Limit is { } limit && current.Count(r => r.Requirer == reference) >= limit)
                {
                    continue;
                }

                foreach (var provider in view.Components.Where(c => c.Name != requirer.Name))
                {
                    if (!catalog.TryGet(provider.Kind, out var providerKind))
                    {
                        continue;
                    }

                    foreach (var provides in providerKind.Endpoints.Where(e => e.Role == EndpointRole.Provides && e.Interface == endpoint.Interface))
                    {
                        var providerRef = $"{provider.Name}:{provides.Name}";
                        if (!current.Any(r => r.Requirer == reference && r.Provider == providerRef))
                        {
                            addable.Add(Choice(view, catalog, reference, providerRef, endpoint.Interface));
                        }
                    }
                }
            }
        }

        return addable;
    }

    /// <summary>The relation list as a command sends it.</summary>
    public static IReadOnlyList<RelationRequest> Requests(IEnumerable<RelationChoice> relations) =>
        relations.Select(r => new RelationRequest(r.Requirer, r.Provider)).ToList();

    /// <summary>Every component whose kind has an option the operator may scale, with its current value and bounds.</summary>
    public static IReadOnlyList<ScaleTarget> ScaleTargets(StackView view, ComponentCatalog catalog, LiveStack? live)
    {
        var targets = new List<ScaleTarget>();
        foreach (var component in view.Components)
        {
            if (!catalog.TryGet(component.Kind, out var kind))
            {
                continue;
            }

            foreach (var option in kind.Options.Where(o => o.Scales))
            {
                var text = component.Config.TryGetValue(option.Name, out var set) ? set : option.Default;
                var current = int.TryParse(text, out var value) ? value : (int?)null;
                targets.Add(new ScaleTarget(
                    component.Name, component.Kind, option.Name, option.Description, current,
                    (int)(option.Minimum ?? 0), (int)(option.Maximum ?? int.MaxValue), LiveCounts(live, component.Name)));
            }
        }

        return targets;
    }

    /// <summary>The sentence for a scale value out of bounds, or null when it is fine.</summary>
    public static string? BoundsProblem(ScaleTarget target, int? value) => value switch
    {
        null => $"Give a whole number from {target.Minimum} to {target.Maximum}.",
        var v when v < target.Minimum || v > target.Maximum => $"{target.Component} runs from {target.Minimum} to {target.Maximum} {target.Option}; {v} is out of range.",
        _ => null,
    };

    /// <summary>The stack's Deployments and StatefulSets of a component, with ready and desired pods.</summary>
    private static List<WorkloadCount> LiveCounts(LiveStack? live, string component)
    {
        if (live is null)
        {
            return [];
        }

        return live.Observation.ForComponent(component)
            .Select(o => o switch
            {
                ObservedDeployment d => new WorkloadCount(d.Name, d.ReadyReplicas, d.DesiredReplicas),
                ObservedStatefulSet s => new WorkloadCount(s.Name, s.ReadyReplicas, s.DesiredReplicas),
                _ => null,
            })
            .OfType<WorkloadCount>()
            .OrderBy(w => w.Workload, StringComparer.Ordinal)
            .ToList();
    }

    private static RelationChoice Choice(StackView view, ComponentCatalog catalog, string requirer, string provider, string @interface)
    {
        var optional = false;
        var description = "";
        if (EndpointRef.TryParse(requirer, out var reference)
            && view.Components.FirstOrDefault(c => c.Name == reference.Value.Component) is { } component
            && catalog.TryGet(component.Kind, out var kind)
            && kind.FindEndpoint(reference.Value.Endpoint) is { } endpoint)
        {
            optional = !endpoint.Required;
            description = endpoint.Description;
        }

        return new RelationChoice(requirer, provider, @interface, optional, description);
    }
}

/// <summary>A relation in the relations dialog: <paramref name="Optional"/> when its requirer endpoint may go without it.</summary>
public sealed record RelationChoice(string Requirer, string Provider, string Interface, bool Optional, string Description)
{
    public string Key => $"{Requirer}--{Provider}";
}

/// <summary>A scalable option of a component: its value now, its bounds from the catalog, and its workloads as observed.</summary>
public sealed record ScaleTarget(
    string Component, string Kind, string Option, string Description, int? Current, int Minimum, int Maximum, IReadOnlyList<WorkloadCount> Workloads);

/// <summary>One workload's ready and desired pods, as the cluster reports them.</summary>
public sealed record WorkloadCount(string Workload, int Ready, int Desired);

/// <summary>How a day-2 update went: the operation it started, or a notice that nothing changed, or the problems.</summary>
public sealed record UpdateOutcome(Guid? OperationId, string? Notice, IReadOnlyList<string> Problems);
